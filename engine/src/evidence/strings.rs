//! Text that many evidence records repeat (the checksum file's path and digest, statuses,
//! kinds), made once and shared, and labels made without a temporary `String` each.

use std::collections::HashMap;
use std::sync::Arc;

use crate::digest::Sha256Digest;
use crate::eval::value::{Citation, Value};
use crate::graph::{NodeId, Source};

/// How many texts [`Strings`] remembers to check before hashing.
const RECENT: usize = 4;

/// Shared text, for the records one task builds.
#[derive(Default)]
pub(super) struct Strings {
    made: HashMap<Box<str>, Arc<str>>,
    /// The last few texts asked for, checked before `made`: consecutive records mostly repeat
    /// the same few (a kind, a status, the checksum file's path).
    recent: Vec<Arc<str>>,
    /// Where the next text goes in `recent` once it is full.
    next: usize,
    /// The last digest cited, in hex: consecutive records mostly come from one file.
    last_digest: Option<(Sha256Digest, Arc<str>)>,
    /// Where labels are put together.
    scratch: String,
    /// The signatures over each checksum file, made once: a checksum file lists many
    /// artifacts, and each entry's record shares its list.
    signed_files: HashMap<NodeId, Value>,
}

impl Strings {
    /// `text`, shared with every other request for the same text.
    pub fn get(&mut self, text: &str) -> Arc<str> {
        if let Some(shared) = self
            .recent
            .iter()
            .find(|s| s.len() == text.len() && ***s == *text)
        {
            return Arc::clone(shared);
        }
        let shared = match self.made.get(text) {
            Some(shared) => Arc::clone(shared),
            None => {
                let shared: Arc<str> = Arc::from(text);
                self.made.insert(Box::from(text), Arc::clone(&shared));
                shared
            }
        };
        if self.recent.len() < RECENT {
            self.recent.push(Arc::clone(&shared));
        } else if let Some(slot) = self.recent.get_mut(self.next % RECENT) {
            *slot = Arc::clone(&shared);
            self.next = self.next.wrapping_add(1);
        }
        shared
    }

    /// A string value of `text`, shared.
    pub fn value(&mut self, text: &str) -> Value {
        Value::Str(self.get(text))
    }

    /// The signatures over checksum file `file`: made by `make` the first time, shared after.
    pub fn signatures_of_file(
        &mut self,
        file: NodeId,
        make: impl FnOnce(&mut Self) -> Value,
    ) -> Value {
        if let Some(made) = self.signed_files.get(&file) {
            return made.clone();
        }
        let made = make(self);
        self.signed_files.insert(file, made.clone());
        made
    }

    /// The hex of a digest, shared with the last one asked for when it is the same.
    pub fn digest(&mut self, digest: &Sha256Digest) -> Arc<str> {
        match &self.last_digest {
            Some((last, hex)) if last == digest => Arc::clone(hex),
            _ => {
                let hex = self.get(digest.hex_in(&mut [0; 64]));
                self.last_digest = Some((*digest, Arc::clone(&hex)));
                hex
            }
        }
    }

    /// [`super::cite`], sharing the path and digest text.
    pub fn cite(&mut self, source: &Source) -> Citation {
        Citation {
            sha256: self.digest(&source.sha256),
            path: self.get(&source.path),
            line: source.line,
        }
    }

    /// `PATH:LINE`, e.g. `SHA256SUMS:12`.
    pub fn path_line(&mut self, path: &str, line: u32) -> Arc<str> {
        self.scratch.clear();
        self.scratch.push_str(path);
        self.scratch.push(':');
        push_decimal(&mut self.scratch, line);
        Arc::from(self.scratch.as_str())
    }
}

/// Appends the decimal digits of `n`.
fn push_decimal(out: &mut String, n: u32) {
    let mut digits = [0u8; 10];
    let mut start = digits.len();
    let mut rest = n;
    for slot in digits.iter_mut().rev() {
        // `rest % 10` is a single digit.
        *slot = b'0' + (rest % 10) as u8;
        start -= 1;
        rest /= 10;
        if rest == 0 {
            break;
        }
    }
    out.push_str(std::str::from_utf8(digits.get(start..).unwrap_or_default()).unwrap_or_default());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_and_shared_text() {
        let mut strings = Strings::default();
        for line in [0, 7, 10, 12_345, u32::MAX] {
            assert_eq!(
                &*strings.path_line("SHA256SUMS", line),
                format!("SHA256SUMS:{line}")
            );
        }
        let texts = ["match", "mismatch", "a", "b", "c", "match", "d", "mismatch"];
        let made: Vec<Arc<str>> = texts.iter().map(|t| strings.get(t)).collect();
        for (text, shared) in texts.iter().zip(&made) {
            assert_eq!(**shared, **text);
        }
        assert!(Arc::ptr_eq(&made[0], &made[5]));
        assert!(Arc::ptr_eq(&made[1], &made[7]));
        let digest = Sha256Digest::of(b"abc");
        assert_eq!(&*strings.digest(&digest), digest.to_hex());
    }
}
