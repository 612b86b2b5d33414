//! Subresource Integrity strings (W3C SRI, as npm writes `dist.integrity`): `ALG-BASE64`,
//! several separated by whitespace, in a file `NAME.integrity` that names `NAME`. `sha256`
//! and `sha512` are verified; `sha384` and `sha1` are reported as not verified.

use base64::Engine as _;

use super::{Algorithm, ChecksumEntry, ChecksumList, ChecksumSyntax, bare_target};
use crate::finding::{Finding, FindingCode, saturate_u32};
use crate::formats::{Evidence, Parsed};

/// Whether a file name is `NAME.integrity`.
pub(super) fn is_integrity_file(file_name: &str) -> bool {
    file_name.to_ascii_lowercase().ends_with(".integrity") && file_name.len() > ".integrity".len()
}

/// Reads the SRI strings of `NAME.integrity`.
pub(super) fn parse(path: &str, text: &str) -> Parsed {
    let name = bare_target(crate::formats::file_name(path))
        .unwrap_or_default()
        .to_owned();
    let mut entries = Vec::new();
    let mut findings = Vec::new();
    for (index, line) in text.lines().enumerate() {
        let line_no = saturate_u32(index.saturating_add(1));
        for token in line.split_whitespace() {
            if findings.len() >= super::MAX_LINE_FINDINGS || entries.len() >= 64 {
                break;
            }
            // Options after `?` are reserved by the specification and ignored.
            let token = token.split('?').next().unwrap_or(token);
            let Some((alg, b64)) = token.split_once('-') else {
                findings.push(malformed(path, line_no, token));
                continue;
            };
            let (algorithm, len) = match alg.to_ascii_lowercase().as_str() {
                "sha256" => (Algorithm::Sha256, 32),
                "sha512" => (Algorithm::Sha512, 64),
                "sha384" | "sha1" => {
                    findings.push(
                        Finding::new(
                            FindingCode::ChecksumUnsupportedAlgorithm,
                            Some(path),
                            format!("integrity with unsupported algorithm `{alg}` is not verified"),
                        )
                        .at_line(line_no)
                        .with_help("vouch verifies sha256 and sha512 integrity strings"),
                    );
                    continue;
                }
                _ => {
                    findings.push(malformed(path, line_no, token));
                    continue;
                }
            };
            match base64::engine::general_purpose::STANDARD.decode(b64) {
                Ok(digest) if digest.len() == len => entries.push(ChecksumEntry {
                    line: line_no,
                    algorithm,
                    digest,
                    name: name.clone(),
                    syntax: ChecksumSyntax::Sri,
                    size: None,
                }),
                _ => findings.push(malformed(path, line_no, token)),
            }
        }
    }
    if entries.is_empty() && findings.is_empty() {
        findings.push(
            Finding::new(
                FindingCode::ChecksumNoEntries,
                Some(path),
                "integrity file holds no integrity string",
            )
            .with_help("write `sha512-BASE64` (as `npm view PKG dist.integrity` prints it)"),
        );
    }
    Parsed {
        evidence: Some(Evidence::Checksums(ChecksumList {
            entries,
            ..ChecksumList::default()
        })),
        findings,
    }
}

fn malformed(path: &str, line: u32, token: &str) -> Finding {
    let short: String = token.chars().take(80).collect();
    Finding::new(
        FindingCode::ChecksumMalformedLine,
        Some(path),
        format!("`{short}` is not an integrity string"),
    )
    .at_line(line)
    .with_help("an integrity string is `sha512-` followed by the base64 of the digest")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sri_strings() {
        // sha512 of the empty string.
        let empty = "sha512-z4PhNX7vuL3xVChQ1m2AB9Yg5AULVxXcg/SpIdNs6c5H0NE8XYXysP+DGNKHfuwvY7kxvUdBeoGlODJ6+SfaPg==";
        let parsed = parse("dist/a.tgz.integrity", &format!("{empty} sha384-x bogus\n"));
        let Some(Evidence::Checksums(list)) = parsed.evidence else {
            panic!()
        };
        assert_eq!(list.entries.len(), 1);
        assert_eq!(list.entries[0].name, "a.tgz");
        assert_eq!(list.entries[0].algorithm, Algorithm::Sha512);
        assert_eq!(parsed.findings.len(), 2);
    }
}
