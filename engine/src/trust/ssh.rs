//! SSH public keys for the trust set: OpenSSH `allowed_signers` files, as
//! `ssh-keygen -Y verify -f allowed_signers` reads them, and bare public key lines
//! (`id_ed25519.pub`).
//!
//! ```text
//! # principals [options] keytype base64-key [comment]
//! release@example.org ssh-ed25519 AAAAC3Nza...
//! ops@example.org,ci@example.org namespaces="file",valid-before="20300101Z" ecdsa-sha2-nistp256 AAAA...
//! *@example.org cert-authority ssh-ed25519 AAAA...
//! ```
//!
//! Options: `namespaces="a,b"` (the namespaces the key may sign in), `valid-after=` and
//! `valid-before=` (`YYYYMMDD[HHMM[SS]][Z]`; vouch reads them as UTC, with or without the
//! `Z`, where OpenSSH reads them in local time without it) and `cert-authority` (the key
//! signs certificates, never files: vouch keeps it but verifies no certificate). A bare
//! `keytype base64-key [comment]` line (a `.pub` file) trusts the key with no principal,
//! namespace or time restriction.

use jiff::Timestamp;
use ssh_key::{HashAlg, public::KeyData};

use super::{PublicKey, StoredKey};

/// The key types a line may hold (`ssh -Q key-plain`).
const KEY_TYPES: &[&str] = &[
    "ssh-ed25519",
    "ecdsa-sha2-nistp256",
    "ecdsa-sha2-nistp384",
    "ecdsa-sha2-nistp521",
    "ssh-rsa",
    "ssh-dss",
    "sk-ssh-ed25519@openssh.com",
    "sk-ecdsa-sha2-nistp256@openssh.com",
];

/// One trusted SSH key: an `allowed_signers` entry, or a bare public key.
#[derive(Debug, Clone)]
pub struct SshSigner {
    key: KeyData,
    fingerprint: String,
    principals: Option<String>,
    comment: Option<String>,
    namespaces: Option<Vec<String>>,
    valid_after: Option<Timestamp>,
    valid_before: Option<Timestamp>,
    cert_authority: bool,
}

impl SshSigner {
    /// The public key.
    pub fn key_data(&self) -> &KeyData {
        &self.key
    }

    /// The key's fingerprint as `ssh-keygen -l` prints it (`SHA256:...`).
    pub fn fingerprint(&self) -> &str {
        &self.fingerprint
    }

    /// The principals (`a@x,b@x`); `None` for a bare public key.
    pub fn principals(&self) -> Option<&str> {
        self.principals.as_deref()
    }

    /// Who signs with it: the principals, else the key's comment.
    pub fn signer(&self) -> Option<&str> {
        self.principals.as_deref().or(self.comment.as_deref())
    }

    /// The `namespaces=` list; `None` allows every namespace.
    pub fn namespaces(&self) -> Option<&[String]> {
        self.namespaces.as_deref()
    }

    /// Whether the key may sign in `namespace` (patterns with `*` and `?`, as OpenSSH).
    pub fn allows_namespace(&self, namespace: &str) -> bool {
        self.namespaces
            .as_ref()
            .is_none_or(|list| list.iter().any(|p| pattern_matches(p, namespace)))
    }

    /// `valid-after=`.
    pub fn valid_after(&self) -> Option<Timestamp> {
        self.valid_after
    }

    /// `valid-before=`.
    pub fn valid_before(&self) -> Option<Timestamp> {
        self.valid_before
    }

    /// Whether the entry is a `cert-authority` (it signs certificates, not files).
    pub fn is_cert_authority(&self) -> bool {
        self.cert_authority
    }

    /// Why the key is not valid at `at`, if it is not (before `valid-after`, or after
    /// `valid-before`).
    pub fn invalid_at(&self, at: Timestamp) -> Option<String> {
        if let Some(after) = self.valid_after.filter(|after| at < *after) {
            return Some(format!("is not valid until {after}"));
        }
        if let Some(before) = self.valid_before.filter(|before| at > *before) {
            return Some(format!("expired at {before}"));
        }
        None
    }
}

/// The fingerprint of `key` as `ssh-keygen -l` prints it.
pub fn fingerprint(key: &KeyData) -> String {
    key.fingerprint(HashAlg::Sha256).to_string()
}

/// Reads an `allowed_signers` file or a public key (`.pub`) file; `None` when its first
/// line that is not blank or a comment is not an SSH key line.
pub fn parse_public_keys(origin: &str, bytes: &[u8]) -> Option<Result<Vec<StoredKey>, String>> {
    // Cheap rejection first: this runs on every small file of a bundle.
    let start = bytes.trim_ascii_start();
    if start.starts_with(b"-----") || start.first().is_some_and(|b| !b.is_ascii()) {
        return None;
    }
    let text = std::str::from_utf8(bytes).ok()?;
    let mut lines = text
        .lines()
        .enumerate()
        .map(|(i, l)| (i + 1, l.trim()))
        .filter(|(_, l)| !l.is_empty() && !l.starts_with('#'));
    let (first_no, first) = lines.next()?;
    key_type_at(&tokens(first, 4))?;
    let mut keys = Vec::new();
    for (no, line) in std::iter::once((first_no, first)).chain(lines) {
        let signer = parse_line(line).map_err(|e| format!("line {no}: {e}"));
        match signer {
            Ok(signer) => keys.push(StoredKey {
                origin: format!("{origin}:{no}"),
                key: PublicKey::Ssh(signer),
            }),
            Err(e) => return Some(Err(e)),
        }
    }
    Some(Ok(keys))
}

/// The index of the key type token, when the line is a key line: 0 (a bare key), 1
/// (principals, key) or 2 (principals, options, key), followed by a base64 key.
fn key_type_at(tokens: &[&str]) -> Option<usize> {
    (0..3).find(|&i| {
        tokens.get(i).is_some_and(|t| KEY_TYPES.contains(t))
            && tokens.get(i + 1).is_some_and(|k| k.starts_with("AAAA"))
    })
}

fn parse_line(line: &str) -> Result<SshSigner, String> {
    let tokens = tokens(line, usize::MAX);
    let at = key_type_at(&tokens).ok_or_else(|| {
        "not `principals [options] keytype base64-key`: no known key type followed by a \
         base64 key"
            .to_owned()
    })?;
    let (key_type, blob) = match (tokens.get(at), tokens.get(at + 1)) {
        (Some(t), Some(b)) => (*t, *b),
        _ => return Err("the key is missing".to_owned()),
    };
    let key = ssh_key::PublicKey::from_openssh(&format!("{key_type} {blob}"))
        .map_err(|e| format!("invalid {key_type} key: {e}"))?;
    let comment = tokens.get(at + 2..).filter(|c| !c.is_empty());
    let mut signer = SshSigner {
        fingerprint: fingerprint(key.key_data()),
        key: key.key_data().clone(),
        principals: None,
        comment: comment.map(|c| c.join(" ")),
        namespaces: None,
        valid_after: None,
        valid_before: None,
        cert_authority: false,
    };
    if at >= 1 {
        let principals = tokens.first().map(|p| dequote(p)).unwrap_or_default();
        if principals.is_empty() {
            return Err("empty principals".to_owned());
        }
        signer.principals = Some(principals.to_owned());
    }
    if at == 2 {
        let options = tokens.get(1).copied().unwrap_or_default();
        for option in split_outside_quotes(options, ',') {
            apply_option(&mut signer, option)?;
        }
    }
    Ok(signer)
}

fn apply_option(signer: &mut SshSigner, option: &str) -> Result<(), String> {
    let (name, value) = match option.split_once('=') {
        Some((name, value)) => (name, Some(dequote(value))),
        None => (option, None),
    };
    match (name.to_ascii_lowercase().as_str(), value) {
        ("cert-authority", None) => signer.cert_authority = true,
        ("namespaces", Some(list)) => {
            signer.namespaces = Some(
                list.split(',')
                    .map(str::trim)
                    .filter(|n| !n.is_empty())
                    .map(str::to_owned)
                    .collect(),
            );
        }
        ("valid-after", Some(time)) => signer.valid_after = Some(parse_time(time)?),
        ("valid-before", Some(time)) => signer.valid_before = Some(parse_time(time)?),
        _ => return Err(format!("unknown or malformed option `{option}`")),
    }
    Ok(())
}

/// `YYYYMMDD[HHMM[SS]][Z]`, read as UTC.
fn parse_time(text: &str) -> Result<Timestamp, String> {
    let digits = text.strip_suffix(['Z', 'z']).unwrap_or(text);
    let bad = || format!("time `{text}` is not YYYYMMDD[HHMM[SS]][Z]");
    if !digits.bytes().all(|b| b.is_ascii_digit()) || ![8, 12, 14].contains(&digits.len()) {
        return Err(bad());
    }
    let num = |range: std::ops::Range<usize>| -> Result<i16, String> {
        match digits.get(range) {
            Some(s) if !s.is_empty() => s.parse().map_err(|_| bad()),
            _ => Ok(0),
        }
    };
    let (year, month, day) = (num(0..4)?, num(4..6)?, num(6..8)?);
    let (hour, minute, second) = (num(8..10)?, num(10..12)?, num(12..14)?);
    let narrow = |v: i16| i8::try_from(v).map_err(|_| bad());
    let datetime = jiff::civil::DateTime::new(
        year,
        narrow(month)?,
        narrow(day)?,
        narrow(hour)?,
        narrow(minute)?,
        narrow(second)?,
        0,
    )
    .map_err(|e| format!("time `{text}`: {e}"))?;
    jiff::tz::TimeZone::UTC
        .to_timestamp(datetime)
        .map_err(|e| format!("time `{text}`: {e}"))
}

/// Splits on whitespace outside double quotes; the first `limit` tokens at most.
fn tokens(line: &str, limit: usize) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = None;
    let mut quoted = false;
    for (i, c) in line.char_indices() {
        if c == '"' {
            quoted = !quoted;
        }
        if c.is_whitespace() && !quoted {
            if let Some(s) = start.take() {
                out.extend(line.get(s..i));
                if out.len() >= limit {
                    return out;
                }
            }
        } else if start.is_none() {
            start = Some(i);
        }
    }
    if let Some(s) = start {
        out.extend(line.get(s..));
    }
    out
}

/// Splits on `sep` outside double quotes.
fn split_outside_quotes(text: &str, sep: char) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut quoted = false;
    for (i, c) in text.char_indices() {
        if c == '"' {
            quoted = !quoted;
        } else if c == sep && !quoted {
            out.extend(text.get(start..i));
            start = i + c.len_utf8();
        }
    }
    out.extend(text.get(start..));
    out
}

fn dequote(text: &str) -> &str {
    text.strip_prefix('"')
        .and_then(|t| t.strip_suffix('"'))
        .unwrap_or(text)
}

/// OpenSSH's `match_pattern`: `*` matches any run, `?` one character.
fn pattern_matches(pattern: &str, text: &str) -> bool {
    let (p, t): (Vec<char>, Vec<char>) = (pattern.chars().collect(), text.chars().collect());
    // Iterative wildcard matching with one backtrack point.
    let (mut pi, mut ti) = (0usize, 0usize);
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        match p.get(pi) {
            Some('*') => {
                star = Some((pi, ti));
                pi += 1;
            }
            Some(c) if *c == '?' || Some(c) == t.get(ti) => {
                pi += 1;
                ti += 1;
            }
            _ => match star {
                Some((sp, st)) => {
                    pi = sp + 1;
                    ti = st + 1;
                    star = Some((sp, st + 1));
                }
                None => return false,
            },
        }
    }
    p.get(pi..)
        .is_some_and(|rest| rest.iter().all(|c| *c == '*'))
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str =
        "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOKxeeQxgNNXijRTGqKoSYP1hKAUTkDYZTcHzML1kO6e";

    fn signer(line: &str) -> Result<SshSigner, String> {
        match parse_public_keys("f", line.as_bytes()) {
            Some(Ok(keys)) => match keys.into_iter().next().map(|k| k.key) {
                Some(PublicKey::Ssh(s)) => Ok(s),
                _ => Err("no ssh key".to_owned()),
            },
            Some(Err(e)) => Err(e),
            None => Err("not recognised".to_owned()),
        }
    }

    #[test]
    fn reads_principals_options_and_bare_keys() {
        let s = signer(&format!(
            "a@x,b@x namespaces=\"file,git\",valid-after=\"20200101\",valid-before=\"203001021304Z\" {KEY} c"
        ))
        .unwrap_or_else(|e| unreachable!("{e}"));
        assert_eq!(s.principals(), Some("a@x,b@x"));
        assert!(s.allows_namespace("file") && !s.allows_namespace("other"));
        assert_eq!(
            s.valid_before().map(|t| t.to_string()).as_deref(),
            Some("2030-01-02T13:04:00Z")
        );
        assert!(s.fingerprint().starts_with("SHA256:"));
        let bare = signer(&format!("{KEY} me@host")).unwrap_or_else(|e| unreachable!("{e}"));
        assert_eq!((bare.principals(), bare.signer()), (None, Some("me@host")));
        let ca =
            signer(&format!("*@x cert-authority {KEY}")).unwrap_or_else(|e| unreachable!("{e}"));
        assert!(ca.is_cert_authority());
    }

    #[test]
    fn rejects_other_files_and_reports_broken_lines() {
        for text in ["hello world", "-----BEGIN PUBLIC KEY-----", "", "# only\n"] {
            assert!(parse_public_keys("f", text.as_bytes()).is_none(), "{text}");
        }
        for text in [
            format!("a@x {KEY}\nthis is no key\n"),
            format!("a@x bogus=1 {KEY}"),
            format!("a@x valid-before=\"2020\" {KEY}"),
            "a@x ssh-ed25519 AAAAnotakey".to_owned(),
        ] {
            assert!(
                matches!(parse_public_keys("f", text.as_bytes()), Some(Err(_))),
                "{text}"
            );
        }
    }

    #[test]
    fn patterns_match_as_openssh() {
        assert!(pattern_matches("file", "file"));
        assert!(pattern_matches("*", "anything"));
        assert!(pattern_matches("f?le*", "file-x"));
        assert!(!pattern_matches("git", "file"));
        assert!(!pattern_matches("a*b", "acbd"));
    }
}
