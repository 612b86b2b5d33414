//! Lint levels: which diagnostics are lints, how strictly each is enforced by default, and how
//! a caller (`vouch check --deny warnings`, `--allow CODE`) changes that.
//!
//! A lint is a diagnostic about a policy that is valid but probably wrong: a comparison that
//! can never hold, a `within` that accepts nothing. Each lint code has a default level; the
//! checker emits lints at that level and [`LintLevels::apply`] re-levels them at the end, so
//! every rule of the checker is written once, whatever the caller asks.

use std::collections::BTreeMap;

use crate::diagnostic::{Code, Diagnostic, Severity};

/// How strictly a lint is enforced.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum LintLevel {
    /// Not reported.
    Allow,
    /// Reported as a warning: the policy can still be used.
    Warn,
    /// Reported as an error: the policy is rejected.
    Deny,
}

impl LintLevel {
    /// The level's name as written on the command line (`allow`, `warn`, `deny`).
    pub const fn as_str(self) -> &'static str {
        match self {
            LintLevel::Allow => "allow",
            LintLevel::Warn => "warn",
            LintLevel::Deny => "deny",
        }
    }
}

/// What the caller asks of lints: a level per lint code, and whether every remaining warning
/// becomes an error.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LintLevels {
    /// Levels that replace a lint's default, by code.
    pub levels: BTreeMap<Code, LintLevel>,
    /// `--deny warnings`: every warning left after the levels are applied is an error.
    pub deny_warnings: bool,
}

impl LintLevels {
    /// The level `code` is enforced at: the caller's, else the lint's default; `None` for a
    /// code that is not a lint (it keeps the severity it was reported with).
    pub fn level(&self, code: Code) -> Option<LintLevel> {
        let default = code.default_lint_level()?;
        Some(self.levels.get(&code).copied().unwrap_or(default))
    }

    /// Re-levels `diags` in place: drops allowed lints, sets the severity of the others, and
    /// turns warnings into errors under `deny_warnings`.
    pub fn apply(&self, diags: &mut Vec<Diagnostic>) {
        diags.retain_mut(|d| {
            match self.level(d.code) {
                Some(LintLevel::Allow) => return false,
                Some(LintLevel::Warn) => d.severity = Severity::Warning,
                Some(LintLevel::Deny) => d.severity = Severity::Error,
                None => {}
            }
            if self.deny_warnings {
                d.severity = Severity::Error;
            }
            true
        });
    }
}

/// Every lint code with its default level, in catalogue order (for `--help` and the book).
pub fn lints() -> impl Iterator<Item = (Code, LintLevel)> {
    Code::ALL
        .iter()
        .filter_map(|c| c.default_lint_level().map(|l| (*c, l)))
}

/// The lint code named `name`: the full code (`vouch::lint::constant-condition`) or its last
/// part (`constant-condition`).
pub fn lint_by_name(name: &str) -> Option<Code> {
    lints().map(|(c, _)| c).find(|c| {
        let full = c.as_str();
        full == name || full.rsplit("::").next() == Some(name)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::Source;
    use crate::span::Span;

    fn unused() -> Diagnostic {
        Diagnostic::warning(
            Code::UnusedBinding,
            Source::new("p.vouch", "x"),
            Span::point(0),
            "unused",
        )
    }

    #[test]
    fn allow_drops_and_deny_promotes() {
        let mut diags = vec![unused()];
        let mut levels = LintLevels::default();
        levels.levels.insert(Code::UnusedBinding, LintLevel::Allow);
        levels.apply(&mut diags);
        assert!(diags.is_empty());

        let mut diags = vec![unused()];
        LintLevels {
            deny_warnings: true,
            ..LintLevels::default()
        }
        .apply(&mut diags);
        assert!(diags.iter().all(Diagnostic::is_error));
    }

    #[test]
    fn names_resolve_in_both_forms() {
        assert_eq!(lint_by_name("unused-binding"), Some(Code::UnusedBinding));
        assert_eq!(
            lint_by_name("vouch::check::unused-binding"),
            Some(Code::UnusedBinding)
        );
        assert_eq!(lint_by_name("type-mismatch"), None);
    }
}
