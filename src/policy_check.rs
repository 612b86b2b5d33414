//! Checking a policy without printing, so that `vouch evaluate` can check it on a second
//! thread while the bundle is read, and print what checking found afterwards, in the place a
//! one-thread run prints it.

use std::path::{Path, PathBuf};

use vouch_lang::{CheckedPolicy, Diagnostic, LintLevels};

use crate::policy_files::{FileLoader, frameworks, policy_root, read_source};
use crate::render::{self, ErrorFormat};

/// What checking a policy printed, held back.
#[derive(Debug)]
enum Message {
    /// Diagnostics (errors and warnings) with their sources.
    Diagnostics(Vec<Diagnostic>),
    /// A usage error without a source (the policy path names no root file, a bad lint flag).
    Error(String),
}

/// A policy checked (or not), and the messages to print about it.
#[derive(Debug)]
#[must_use = "a check's messages are printed by `print`"]
pub struct PolicyCheck {
    policy: Option<CheckedPolicy>,
    messages: Vec<Message>,
}

impl PolicyCheck {
    /// Checks the policy at `path` (a root file or a directory) with the built-in frameworks
    /// and `extra_frameworks`, at lint `levels`; prints nothing.
    pub fn run(path: &Path, extra_frameworks: &[PathBuf], levels: &LintLevels) -> Self {
        let frameworks = match frameworks(extra_frameworks) {
            Ok(f) => f,
            Err(diags) => return Self::failed(Message::Diagnostics(diags)),
        };
        let root = match policy_root(path) {
            Ok(root) => root,
            Err(message) => return Self::failed(Message::Error(message)),
        };
        let source = match read_source(&root) {
            Ok(s) => s,
            Err(d) => return Self::failed(Message::Diagnostics(vec![*d])),
        };
        let output = vouch_lang::check_with(source, &FileLoader, &frameworks, levels);
        PolicyCheck {
            policy: output.policy,
            messages: vec![Message::Diagnostics(output.diagnostics)],
        }
    }

    /// A check that did not start: the lint levels asked for are invalid.
    pub fn usage_error(message: String) -> Self {
        Self::failed(Message::Error(message))
    }

    fn failed(message: Message) -> Self {
        PolicyCheck {
            policy: None,
            messages: vec![message],
        }
    }

    /// The checked policy, if it checked; `None` for one that did not, for a caller that
    /// stops before printing (an error found earlier was printed instead).
    pub fn policy_mut(&mut self) -> Option<&mut CheckedPolicy> {
        self.policy.as_mut()
    }

    /// Prints the messages in `format` and gives the policy, `None` when it did not check.
    pub fn print(self, format: ErrorFormat) -> Option<CheckedPolicy> {
        for message in &self.messages {
            match message {
                Message::Diagnostics(diags) => render::print(diags, format),
                Message::Error(text) => render::plain_error(text, format),
            }
        }
        self.policy
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;

    #[test]
    fn a_missing_policy_is_a_held_back_error_and_no_policy() {
        let check = PolicyCheck::run(
            Path::new("/nonexistent/vouch/policy.vouch"),
            &[],
            &LintLevels::default(),
        );
        assert!(check.policy.is_none());
        assert!(!check.messages.is_empty());
    }

    #[test]
    fn the_example_policy_checks_with_its_warnings_held_back() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/policies/acme.vouch");
        let mut check = PolicyCheck::run(&root, &[], &LintLevels::default());
        assert!(check.policy_mut().is_some());
        assert!(matches!(
            check.messages.as_slice(),
            [Message::Diagnostics(_)]
        ));
    }

    #[test]
    fn a_usage_error_has_no_policy() {
        let check = PolicyCheck::usage_error("bad lint".to_owned());
        assert!(check.policy.is_none());
        assert!(matches!(check.messages.as_slice(), [Message::Error(m)] if m == "bad lint"));
    }
}
