//! Hashing the signed data for OpenPGP signatures: one pass over the data feeds one hasher
//! per signature (salted for v6, line ends canonicalised for text signatures); each hasher
//! then takes the signature's hashed data and trailer.

use digest::DynDigest;
use pgp::packet::{SignatureConfig, SignatureType, SignatureVersionSpecific};

use super::keys::pgp_error_text;
use super::verify::fail;
use crate::signatures::{Outcome, Signed, Verification};

/// What was signed: a file of the bundle (detached signatures), or the canonical text of a
/// cleartext-signed message.
#[derive(Debug, Clone, Copy)]
pub(super) enum Data<'a> {
    /// A detached signature's file.
    File(&'a Signed<'a>),
    /// The canonical text (dash-unescaped, trailing whitespace removed, CRLF line ends).
    Text(&'a [u8]),
}

impl Data<'_> {
    pub(super) fn name(&self) -> String {
        match self {
            Data::File(signed) => format!("`{}`", signed.path),
            Data::Text(_) => "the signed text".to_owned(),
        }
    }
}

/// The data's digest for each signature to check, in plan order: one pass over the data.
pub(super) fn digests(
    configs: &[&SignatureConfig],
    data: Data<'_>,
) -> Vec<Result<Vec<u8>, Verification>> {
    let mut hashers: Vec<Result<Hashing, Verification>> =
        configs.iter().map(|c| start_hasher(c)).collect();
    if hashers.is_empty() {
        return Vec::new();
    }
    let read = match data {
        Data::Text(text) => {
            feed(&mut hashers, text, text);
            Ok(())
        }
        Data::File(signed) => {
            let text_mode = hashers.iter().any(|h| matches!(h, Ok((_, true))));
            let mut crlf = Crlf::default();
            let mut normalized = Vec::new();
            signed.stream(|chunk| {
                if text_mode {
                    crlf.normalize(chunk, &mut normalized);
                }
                feed(&mut hashers, chunk, &normalized);
            })
        }
    };
    if let Err(e) = read {
        let reason = format!("cannot read {}: {e}", data.name());
        return hashers
            .iter()
            .map(|_| Err(fail(Outcome::BadSignature, reason.clone())))
            .collect();
    }
    hashers
        .into_iter()
        .zip(configs)
        .map(|(hasher, config)| {
            let (mut hasher, _) = hasher?;
            let len = config.hash_signature_data(&mut hasher).map_err(|e| {
                fail(
                    Outcome::Unsupported,
                    format!(
                        "the signature's hashed data cannot be read ({})",
                        pgp_error_text(&e)
                    ),
                )
            })?;
            let trailer = config.trailer(len).map_err(|e| {
                fail(
                    Outcome::Unsupported,
                    format!(
                        "the signature's trailer cannot be built ({})",
                        pgp_error_text(&e)
                    ),
                )
            })?;
            hasher.update(&trailer);
            Ok(hasher.finalize().into_vec())
        })
        .collect()
}

fn feed(hashers: &mut [Result<Hashing, Verification>], raw: &[u8], text: &[u8]) {
    for (hasher, text_mode) in hashers.iter_mut().flatten() {
        hasher.update(if *text_mode { text } else { raw });
    }
}

/// A signature's hasher, and whether it hashes text (CR LF line ends).
type Hashing = (Box<dyn DynDigest + Send>, bool);

/// A hasher for a signature, salted (v6), and whether it hashes text (CRLF line ends).
fn start_hasher(config: &SignatureConfig) -> Result<Hashing, Verification> {
    let mut hasher = config.hash_alg.new_hasher().map_err(|_| {
        fail(
            Outcome::Unsupported,
            format!(
                "hash algorithm {} is not supported",
                config.hash_alg.to_string().to_lowercase()
            ),
        )
    })?;
    if let SignatureVersionSpecific::V6 { salt } = &config.version_specific {
        if config.hash_alg.salt_len() != Some(salt.len()) {
            return Err(fail(
                Outcome::Malformed,
                format!(
                    "the v6 signature's salt is {} bytes, not what {} needs",
                    salt.len(),
                    config.hash_alg.to_string().to_lowercase()
                ),
            ));
        }
        hasher.update(salt);
    }
    Ok((hasher, config.typ == SignatureType::Text))
}

/// Line-end canonicalisation for text signatures, across chunk boundaries: CR LF, lone CR
/// and lone LF all become CR LF.
#[derive(Debug, Default)]
struct Crlf {
    after_cr: bool,
}

impl Crlf {
    fn normalize(&mut self, chunk: &[u8], out: &mut Vec<u8>) {
        out.clear();
        out.reserve(chunk.len() + chunk.len() / 32);
        for &b in chunk {
            match b {
                b'\r' => {
                    out.extend_from_slice(b"\r\n");
                    self.after_cr = true;
                }
                b'\n' => {
                    if !self.after_cr {
                        out.extend_from_slice(b"\r\n");
                    }
                    self.after_cr = false;
                }
                _ => {
                    out.push(b);
                    self.after_cr = false;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn normalized(chunks: &[&[u8]]) -> Vec<u8> {
        let mut crlf = Crlf::default();
        let mut out = Vec::new();
        let mut all = Vec::new();
        for chunk in chunks {
            crlf.normalize(chunk, &mut out);
            all.extend_from_slice(&out);
        }
        all
    }

    #[test]
    fn line_ends_become_crlf_across_chunks() {
        assert_eq!(normalized(&[b"a\nb\r\nc\rd"]), b"a\r\nb\r\nc\r\nd");
        assert_eq!(normalized(&[b"a\r", b"\nb"]), b"a\r\nb");
        assert_eq!(normalized(&[b"a\r", b"", b"\n"]), b"a\r\n");
    }
}
