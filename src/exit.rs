//! Exit codes of the `vouch` binary.

use std::process::{ExitCode, Termination};

/// How a `vouch` run ended; each variant is one stable exit code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VouchExit {
    /// 0: the command succeeded (no error, no failing control).
    Success,
    /// 1: the command ran, and what it checked did not hold (a failing control, unformatted file).
    Failure,
    /// 2: a usage or input error; a diagnostic was printed on stderr.
    Error,
}

impl Termination for VouchExit {
    fn report(self) -> ExitCode {
        match self {
            VouchExit::Success => ExitCode::from(0),
            VouchExit::Failure => ExitCode::from(1),
            VouchExit::Error => ExitCode::from(2),
        }
    }
}
