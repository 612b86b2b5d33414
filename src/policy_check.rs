//! Checking the policy of an evaluation, and loading its trust set and checking its policy on
//! a second thread while the bundle is read.
//!
//! The trust set, the policy and the bundle's files are independent until the bundle's
//! signatures are verified, so `vouch evaluate` loads the trust set and checks the policy on
//! a thread of its own ([`start`]) while it reads the bundle's files, and builds the graph
//! (verifying the signatures) once both are there. What either finds is printed by the
//! calling thread, in the order a run that does one after the other prints it: the second
//! thread only collects what it found ([`Loaded`]), printed when the evaluation reaches the
//! point where each is needed.
//!
//! A bundle is read before the verdict (the trust set loads and the policy checks) is known
//! only when that costs little: one of at most [`GUESS_MAX_FILES`] files and
//! [`GUESS_MAX_BYTES`] bytes. For a larger one, the reading waits after the walk for the
//! verdict ([`UnlessInputsFail`]) and stops if either failed, so that error is reported as
//! soon as it was without a thread.

use std::path::{Path, PathBuf};
use std::sync::{Condvar, Mutex, PoisonError};
use std::thread::{Scope, ScopedJoinHandle};

use vouch_engine::{KeyStore, Progress};
use vouch_lang::{CheckedPolicy, Diagnostic, LintLevels};

use crate::policy_files::{FileLoader, frameworks, policy_root, read_source};
use crate::render::{self, ErrorFormat};

/// What checking a policy found: what to print, and the policy if it checks.
#[derive(Debug)]
pub struct PolicyCheck {
    report: Report,
    policy: Option<CheckedPolicy>,
}

/// What a check prints.
#[derive(Debug)]
enum Report {
    /// Diagnostics (none when the policy checks cleanly).
    Diagnostics(Vec<Diagnostic>),
    /// A usage error without a place in a source (no root file in a directory, ...).
    Plain(String),
}

impl PolicyCheck {
    /// Whether the policy checks.
    pub fn checks(&self) -> bool {
        self.policy.is_some()
    }

    /// Prints what the check found; the policy if it checks.
    pub fn print(self, format: ErrorFormat) -> Option<CheckedPolicy> {
        match &self.report {
            Report::Diagnostics(diags) => render::print(diags, format),
            Report::Plain(message) => render::plain_error(message, format),
        }
        self.policy
    }
}

/// Reads and checks the policy at `path` (a root file or a directory) against the embedded
/// frameworks and `extra_frameworks`; prints nothing.
pub fn check_policy_quietly(
    path: &Path,
    extra_frameworks: &[PathBuf],
    levels: &LintLevels,
) -> PolicyCheck {
    let failed = |report| PolicyCheck {
        report,
        policy: None,
    };
    let frameworks = match frameworks(extra_frameworks) {
        Ok(f) => f,
        Err(diags) => return failed(Report::Diagnostics(diags)),
    };
    let root = match policy_root(path) {
        Ok(root) => root,
        Err(message) => return failed(Report::Plain(message)),
    };
    let source = match read_source(&root) {
        Ok(s) => s,
        Err(d) => return failed(Report::Diagnostics(vec![*d])),
    };
    let output = vouch_lang::check_with(source, &FileLoader, &frameworks, levels);
    PolicyCheck {
        report: Report::Diagnostics(output.diagnostics),
        policy: output.policy,
    }
}

/// The most files a bundle may have to be read before the policy's verdict is known.
pub const GUESS_MAX_FILES: u64 = 256;

/// The most bytes a bundle may have to be read before the policy's verdict is known.
pub const GUESS_MAX_BYTES: u64 = 16 * 1024 * 1024;

/// The stack of the second thread: the main thread's usual 8 MiB, so that a deeply nested
/// policy checks on it exactly as it would on the main thread.
const STACK_BYTES: usize = 8 * 1024 * 1024;

/// What the second thread found: the trust set, and the policy's check (none when the lint
/// levels asked for are invalid: there is nothing to check with then).
#[derive(Debug)]
pub struct Loaded {
    /// The trust set, or why it did not load (to print).
    pub trust: Result<KeyStore, TrustFailure>,
    /// The policy's check.
    pub policy: Option<PolicyCheck>,
}

impl Loaded {
    /// Whether the evaluation can go on: the trust set loaded and the policy checks.
    fn can_go_on(&self) -> bool {
        self.trust.is_ok() && self.policy.as_ref().is_some_and(PolicyCheck::checks)
    }
}

/// Why a trust set did not load.
#[derive(Debug)]
pub enum TrustFailure {
    /// A trust input that does not exist.
    Missing(String),
    /// A key that cannot be read.
    Unreadable(vouch_engine::trust::TrustError),
}

impl TrustFailure {
    /// Prints it.
    pub fn print(self, format: ErrorFormat) {
        match self {
            TrustFailure::Missing(message) => render::plain_error(&message, format),
            TrustFailure::Unreadable(error) => render::engine_error(error, format),
        }
    }
}

/// Loads the trust set from `paths`; prints nothing.
pub fn load_trust_quietly(paths: &[PathBuf]) -> Result<KeyStore, TrustFailure> {
    for path in paths {
        if !path.exists() {
            return Err(TrustFailure::Missing(format!(
                "trust input `{}` does not exist",
                crate::policy_files::display_path(path)
            )));
        }
    }
    KeyStore::load(paths).map_err(TrustFailure::Unreadable)
}

/// The trust set and the policy's check under way.
pub struct Pending<'scope> {
    handle: Option<ScopedJoinHandle<'scope, Loaded>>,
    /// What was found, when it ran on the calling thread (no thread could be started).
    done: Option<Loaded>,
    verdict: &'scope Verdict,
}

/// Whether the evaluation can go on, once known; shared by the second thread and the reader.
#[derive(Debug, Default)]
pub struct Verdict {
    known: Mutex<Option<bool>>,
    ready: Condvar,
}

impl Verdict {
    fn set(&self, go_on: bool) {
        *self.known.lock().unwrap_or_else(PoisonError::into_inner) = Some(go_on);
        self.ready.notify_all();
    }

    /// Waits until it is known: whether the evaluation can go on.
    fn wait(&self) -> bool {
        let mut known = self.known.lock().unwrap_or_else(PoisonError::into_inner);
        loop {
            if let Some(go_on) = *known {
                return go_on;
            }
            known = self
                .ready
                .wait(known)
                .unwrap_or_else(PoisonError::into_inner);
        }
    }
}

/// What the second thread is given: the trust inputs, the policy, the extra frameworks and
/// the lint levels (an error when they are invalid).
#[derive(Debug, Clone, Copy)]
pub struct ToLoad<'env> {
    /// `--trust` paths.
    pub trust: &'env [PathBuf],
    /// `--policy`.
    pub policy: &'env Path,
    /// `--framework` paths.
    pub frameworks: &'env [PathBuf],
    /// The lint levels, or the usage error of asking for them.
    pub levels: &'env Result<LintLevels, String>,
}

/// Starts loading the trust set and checking the policy on a thread of `scope` (on this
/// thread, at once, if no thread can be started). `verdict` learns whether the evaluation can
/// go on as soon as that is known.
pub fn start<'scope, 'env: 'scope>(
    scope: &'scope Scope<'scope, 'env>,
    verdict: &'env Verdict,
    to_load: ToLoad<'env>,
) -> Pending<'scope> {
    let load = move || {
        let trust = load_trust_quietly(to_load.trust);
        let policy = to_load
            .levels
            .as_ref()
            .ok()
            .map(|levels| check_policy_quietly(to_load.policy, to_load.frameworks, levels));
        let loaded = Loaded { trust, policy };
        verdict.set(loaded.can_go_on());
        loaded
    };
    let spawned = std::thread::Builder::new()
        .name("vouch-inputs".to_owned())
        .stack_size(STACK_BYTES)
        .spawn_scoped(scope, load);
    match spawned {
        Ok(handle) => Pending {
            handle: Some(handle),
            done: None,
            verdict,
        },
        Err(_) => Pending {
            handle: None,
            done: Some(load()),
            verdict,
        },
    }
}

impl Pending<'_> {
    /// Waits for the second thread and returns what it found.
    pub fn finish(self) -> Loaded {
        if let Some(done) = self.done {
            return done;
        }
        match self.handle.map(ScopedJoinHandle::join) {
            Some(Ok(loaded)) => loaded,
            // It panicked: carry the panic on, as it would have been on this thread.
            Some(Err(payload)) => std::panic::resume_unwind(payload),
            // Unreachable: a pending load has a handle or a result.
            None => Loaded {
                trust: Err(TrustFailure::Missing(
                    "the trust set was not loaded".to_owned(),
                )),
                policy: None,
            },
        }
    }

    /// Progress that reads a bundle larger than a guess allows only once the evaluation can
    /// go on.
    pub fn unless_inputs_fail<'a>(&'a self, inner: &'a dyn Progress) -> UnlessInputsFail<'a> {
        UnlessInputsFail {
            inner,
            verdict: self.verdict,
        }
    }
}

/// Reading progress for a bundle read while the trust set is loaded and the policy checked:
/// passes everything on to `inner`, and after the walk lets the reading proceed at once for a
/// small bundle, and for a larger one only when the evaluation can go on (waiting for the
/// verdict).
pub struct UnlessInputsFail<'a> {
    inner: &'a dyn Progress,
    verdict: &'a Verdict,
}

impl Progress for UnlessInputsFail<'_> {
    fn proceed(&self, files: u64, bytes: u64) -> bool {
        let small = files <= GUESS_MAX_FILES && bytes <= GUESS_MAX_BYTES;
        (small || self.verdict.wait()) && self.inner.proceed(files, bytes)
    }

    fn start(&self, files: u64, bytes: u64) {
        self.inner.start(files, bytes);
    }

    fn advance(&self, bytes: u64) {
        self.inner.advance(bytes);
    }

    fn finish(&self) {
        self.inner.finish();
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use vouch_engine::NoProgress;

    #[test]
    fn a_small_bundle_is_read_on_a_guess_and_a_large_one_only_once_the_policy_checks() {
        for checks in [true, false] {
            let verdict = Verdict::default();
            let gate = UnlessInputsFail {
                inner: &NoProgress,
                verdict: &verdict,
            };
            // Unknown verdict: a small bundle proceeds without waiting.
            assert!(gate.proceed(GUESS_MAX_FILES, GUESS_MAX_BYTES));
            verdict.set(checks);
            assert_eq!(gate.proceed(GUESS_MAX_FILES + 1, 10), checks);
            assert_eq!(gate.proceed(1, GUESS_MAX_BYTES + 1), checks);
        }
    }

    #[test]
    fn a_large_bundle_waits_for_the_verdict() {
        let verdict = Verdict::default();
        std::thread::scope(|scope| {
            let waiting = scope.spawn(|| {
                UnlessInputsFail {
                    inner: &NoProgress,
                    verdict: &verdict,
                }
                .proceed(100_000, 1 << 30)
            });
            std::thread::sleep(std::time::Duration::from_millis(20));
            assert!(!waiting.is_finished());
            verdict.set(false);
            assert!(!waiting.join().unwrap());
        });
    }
}
