//! Finding fingerprints: a short, stable name for one finding, so a waiver can accept exactly
//! the findings it lists.
//!
//! `vf1:` and the first 24 hex digits (96 bits) of a sha256 over the control id, the message,
//! the subject, and every evidence record the finding cites (path, sha256, location) with how
//! many more it rests on; each field is length-prefixed, so no two findings share an encoding.
//! Whatever changes what a finding says or rests on (another file, other bytes in the same
//! file, another message) changes its fingerprint: a finding that appears later is never one
//! a waiver named.
//!
//! Where the `expect` is (`SOURCE:LINE`) is left out on purpose: the line moves with any edit
//! elsewhere in the policy (or a new version of a standard pack), and the source name with the
//! path the policy was given by (`--policy ./p` or `/abs/p`), neither of which changes the
//! finding; either would silently void waivers or give one finding two names. Two `expect`s of
//! one control that fail with the same message on the same subject and evidence are the same
//! finding to a reader, and share a name.

use sha2::{Digest, Sha256};

use crate::report::EvidenceRef;

/// What every fingerprint starts with (the version of the recipe).
pub const FINGERPRINT_PREFIX: &str = "vf1:";

/// How many hex digits of the digest a fingerprint keeps.
const HEX_DIGITS: usize = 24;

/// The parts of a finding its fingerprint is made of.
#[derive(Debug, Clone, Copy)]
pub struct FindingKey<'a> {
    /// The control's id.
    pub control: &'a str,
    /// Where its `expect` is: `SOURCE:LINE` (shown, not hashed: see the module docs).
    pub expect: &'a str,
    /// Its message.
    pub message: &'a str,
    /// Its subject, if it has one.
    pub subject: Option<&'a str>,
    /// The evidence it cites, in the report's order.
    pub evidence: &'a [EvidenceRef],
    /// How many more evidence records it rests on.
    pub evidence_omitted: usize,
}

/// The fingerprint of a finding: `vf1:` and 24 lowercase hex digits.
pub fn fingerprint(key: &FindingKey<'_>) -> String {
    let mut h = Sha256::new();
    let mut field = |bytes: &[u8]| {
        h.update((bytes.len() as u64).to_be_bytes());
        h.update(bytes);
    };
    field(b"vouch-finding/1");
    field(key.control.as_bytes());
    field(key.message.as_bytes());
    match key.subject {
        Some(s) => {
            field(b"subject");
            field(s.as_bytes());
        }
        None => field(b"no subject"),
    }
    for e in key.evidence {
        field(e.path.as_bytes());
        field(e.sha256.as_bytes());
        match &e.location {
            Some(l) => {
                field(b"at");
                field(l.as_bytes());
            }
            None => field(b"whole file"),
        }
    }
    field(format!("{} more", key.evidence_omitted).as_bytes());
    let digest = h.finalize();
    let mut out = String::with_capacity(FINGERPRINT_PREFIX.len() + HEX_DIGITS);
    out.push_str(FINGERPRINT_PREFIX);
    for b in digest.iter().take(HEX_DIGITS / 2) {
        out.push_str(&format!("{b:02x}"));
    }
    out
}

/// Whether `text` has the shape of a fingerprint (`vf1:` and 24 lowercase hex digits).
pub fn is_fingerprint(text: &str) -> bool {
    text.strip_prefix(FINGERPRINT_PREFIX).is_some_and(|hex| {
        hex.len() == HEX_DIGITS
            && hex
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn evidence(path: &str, sha: &str, location: Option<&str>) -> EvidenceRef {
        EvidenceRef {
            path: path.to_owned(),
            sha256: sha.to_owned(),
            location: location.map(str::to_owned),
        }
    }

    #[test]
    fn stable_and_sensitive_to_every_part() {
        let ev = [evidence("release.toml", "aa", Some("line 15"))];
        let key = FindingKey {
            control: "TLS-ONLY",
            expect: "std.uk_sscop:118",
            message: "http://mirror/x is served over http",
            subject: Some("http://mirror/x"),
            evidence: &ev,
            evidence_omitted: 0,
        };
        let fp = fingerprint(&key);
        assert!(is_fingerprint(&fp), "{fp}");
        assert_eq!(fp, fingerprint(&key));
        // Where the `expect` is moves with edits elsewhere and with the policy's path: it
        // does not count.
        for expect in ["std.uk_sscop:140", "/abs/policy/release.vouch:3"] {
            assert_eq!(fingerprint(&FindingKey { expect, ..key }), fp);
        }
        let other_file = [evidence("release.toml", "bb", Some("line 15"))];
        let moved = [evidence("release.toml", "aa", Some("line 18"))];
        for changed in [
            FindingKey {
                control: "X",
                ..key
            },
            FindingKey {
                message: "ftp://mirror/x is served over ftp",
                ..key
            },
            FindingKey {
                subject: None,
                ..key
            },
            FindingKey {
                evidence: &other_file,
                ..key
            },
            FindingKey {
                evidence: &moved,
                ..key
            },
            FindingKey {
                evidence_omitted: 1,
                ..key
            },
        ] {
            assert_ne!(fingerprint(&changed), fp, "{changed:?}");
        }
    }

    #[test]
    fn shape() {
        assert!(is_fingerprint("vf1:0123456789abcdef01234567"));
        for bad in [
            "vf1:0123456789ABCDEF01234567",
            "vf1:0123456789abcdef0123456",
            "vf2:0123456789abcdef01234567",
            "0123456789abcdef01234567",
            "vf1:0123456789abcdef0123456g",
        ] {
            assert!(!is_fingerprint(bad), "{bad}");
        }
    }
}
