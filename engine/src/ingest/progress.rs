//! Progress reporting while hashing. The engine only calls [`Progress`]; whoever runs it
//! chooses what to show. [`TerminalProgress`] is the progress bar the `vouch` command line
//! uses: drawn on stderr when stderr is a terminal, hidden otherwise.

use std::io::IsTerminal;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// Receives hashing progress; called from several threads at once.
pub trait Progress: Sync {
    /// Hashing starts: this many files and bytes (as the walk saw them).
    fn start(&self, files: u64, bytes: u64) {
        let _ = (files, bytes);
    }

    /// This many more bytes were hashed.
    fn advance(&self, bytes: u64) {
        let _ = bytes;
    }

    /// Hashing is over.
    fn finish(&self) {}
}

/// Reports nothing.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoProgress;

impl Progress for NoProgress {}

/// An indicatif progress bar on stderr, shown only when stderr is a terminal.
#[derive(Debug, Clone)]
pub struct TerminalProgress {
    bar: ProgressBar,
}

impl TerminalProgress {
    /// A bar on stderr if it is a terminal, a hidden one otherwise.
    pub fn stderr() -> Self {
        let target = if std::io::stderr().is_terminal() {
            ProgressDrawTarget::stderr()
        } else {
            ProgressDrawTarget::hidden()
        };
        let bar = ProgressBar::with_draw_target(Some(0), target);
        if let Ok(style) = ProgressStyle::with_template(
            "hashing {bar:30} {bytes}/{total_bytes} ({bytes_per_sec}, {eta}) {msg}",
        ) {
            bar.set_style(style);
        }
        TerminalProgress { bar }
    }

    /// Whether the bar is drawn.
    pub fn is_visible(&self) -> bool {
        !self.bar.is_hidden()
    }
}

impl Progress for TerminalProgress {
    fn start(&self, files: u64, bytes: u64) {
        self.bar.set_length(bytes);
        self.bar.set_message(format!("{files} files"));
    }

    fn advance(&self, bytes: u64) {
        self.bar.inc(bytes);
    }

    fn finish(&self) {
        self.bar.finish_and_clear();
    }
}
