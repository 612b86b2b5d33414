//! TLS scans of distribution hosts: testssl.sh JSON (`--jsonfile` and `--json-pretty`) and
//! SSLyze JSON (`--json_out`). One [`TlsScan`] per scanned host: the protocols it offers,
//! its HSTS header, and the weak cipher suites it accepts (see [`weakness`]).

mod sslyze;
mod testssl;

use std::collections::BTreeSet;

use jiff::Timestamp;
use serde::Serialize;

use super::{Confidence, DetectInput, EvidenceFormat, EvidenceKind, ParseInput, Parsed, json_util};

/// The parse cap: SSLyze output carries every certificate in PEM; multi-host scans are large.
pub const MAX_SIZE: u64 = 16 * 1024 * 1024;

/// The tool that wrote a scan.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum TlsTool {
    /// testssl.sh.
    Testssl,
    /// SSLyze.
    Sslyze,
}

impl TlsTool {
    /// The name policies see: `testssl` or `sslyze`.
    pub fn as_str(self) -> &'static str {
        match self {
            TlsTool::Testssl => "testssl",
            TlsTool::Sslyze => "sslyze",
        }
    }
}

/// What a scan found for one host.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TlsScan {
    /// The tool.
    pub tool: TlsTool,
    /// The host scanned (name as given to the tool, else its address).
    pub host: String,
    /// The port, when the scan says.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub port: Option<u16>,
    /// Protocols offered: `ssl2`, `ssl3`, `tls1.0`, `tls1.1`, `tls1.2`, `tls1.3`.
    pub protocols: BTreeSet<String>,
    /// Whether the HTTP response carries an HSTS header with a non-zero max-age; `None` when
    /// the scan did not look.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hsts: Option<bool>,
    /// The HSTS max-age in seconds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hsts_max_age: Option<i64>,
    /// Weak cipher suites accepted (see [`weakness`]), sorted.
    pub weak_ciphers: Vec<String>,
    /// When the scan ran.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scanned_at: Option<Timestamp>,
}

impl TlsScan {
    fn new(tool: TlsTool, host: String, port: Option<u16>) -> Self {
        TlsScan {
            tool,
            host,
            port,
            protocols: BTreeSet::new(),
            hsts: None,
            hsts_max_age: None,
            weak_ciphers: Vec::new(),
            scanned_at: None,
        }
    }

    /// Sorts and dedups the weak ciphers.
    fn finish(mut self) -> Self {
        self.weak_ciphers.sort();
        self.weak_ciphers.dedup();
        self
    }
}

/// Why a cipher suite accepted under `protocol` is weak, or `None` when it is not. The one
/// definition of "weak" vouch uses:
///
/// - any suite accepted under SSL 2.0 or SSL 3.0 (all of SSL 3.0's are CBC or RC4: POODLE),
/// - NULL encryption or authentication (`NULL`),
/// - export-grade (`EXPORT`, OpenSSL's `EXP-`),
/// - RC4 and RC2,
/// - DES and triple DES (`DES`, `3DES`, `DES-CBC3`), and IDEA (64-bit blocks: Sweet32),
/// - anonymous key exchange (`anon`, OpenSSL's `ADH-`, `AECDH-`),
/// - MD5 MACs.
///
/// Names may be IANA (`TLS_RSA_WITH_RC4_128_SHA`) or OpenSSL (`RC4-SHA`) names.
pub fn weakness(name: &str, protocol: &str) -> Option<&'static str> {
    let upper = name.to_ascii_uppercase().replace('-', "_");
    let has = |part: &str| upper.split('_').any(|p| p == part);
    if matches!(protocol, "ssl2" | "ssl3") {
        Some("accepted under SSL 2.0/3.0")
    } else if has("NULL") {
        Some("no encryption or no authentication")
    } else if has("EXPORT") || has("EXPORT1024") || has("EXP") || upper.starts_with("EXP1024") {
        Some("export-grade")
    } else if upper.contains("RC4") || upper.contains("RC2") {
        Some("RC4 or RC2")
    } else if upper.contains("DES") || has("IDEA") || upper.contains("IDEA_") {
        Some("DES, 3DES or IDEA (64-bit block)")
    } else if has("ANON") || upper.starts_with("ADH") || upper.starts_with("AECDH") {
        Some("anonymous key exchange")
    } else if has("MD5") {
        Some("MD5 MAC")
    } else {
        None
    }
}

/// The TLS scan format (testssl.sh, SSLyze).
#[derive(Debug, Clone, Copy, Default)]
pub struct TlsScanFormat;

impl EvidenceFormat for TlsScanFormat {
    fn kind(&self) -> EvidenceKind {
        EvidenceKind::TlsScan
    }

    fn detect(&self, input: &DetectInput<'_>) -> Confidence {
        let Some(text) = input.text.as_deref() else {
            return Confidence::No;
        };
        Confidence::of(tool_of(text).is_some(), false)
    }

    fn parse(&self, input: &ParseInput<'_>) -> Parsed {
        parse(input.path, input.bytes)
    }

    fn max_parse_size(&self) -> u64 {
        MAX_SIZE
    }
}

/// Which tool's output `text` (the start of a file) looks like.
fn tool_of(text: &str) -> Option<TlsTool> {
    let head = text.get(..text.len().min(8192)).unwrap_or(text);
    let trimmed = head.trim_start_matches('\u{feff}').trim_start();
    if json_util::looks_like_object(head) {
        if head.contains("\"server_scan_results\"") {
            return Some(TlsTool::Sslyze);
        }
        if head.contains("\"Invocation\"") && head.contains("\"scanResult\"") {
            return Some(TlsTool::Testssl);
        }
    } else if trimmed.starts_with('[')
        && ["\"id\"", "\"severity\"", "\"finding\"", "\"port\""]
            .iter()
            .all(|k| head.contains(k))
    {
        return Some(TlsTool::Testssl);
    }
    None
}

/// Parses a TLS scan at bundle path `path`. Never panics.
pub fn parse(path: &str, bytes: &[u8]) -> Parsed {
    let value = match json_util::parse(path, bytes, "TLS scan") {
        Ok(v) => v,
        Err(parsed) => return *parsed,
    };
    if value.get("server_scan_results").is_some() {
        sslyze::read(path, &value)
    } else {
        testssl::read(path, &value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weak_suites() {
        for weak in [
            "TLS_RSA_WITH_RC4_128_SHA",
            "RC4-MD5",
            "TLS_RSA_WITH_3DES_EDE_CBC_SHA",
            "DES-CBC3-SHA",
            "TLS_RSA_WITH_NULL_SHA256",
            "TLS_DH_anon_WITH_AES_128_CBC_SHA",
            "ADH-AES256-SHA",
            "AECDH-AES128-SHA",
            "EXP-RC2-CBC-MD5",
            "TLS_RSA_EXPORT_WITH_DES40_CBC_SHA",
            "TLS_RSA_WITH_IDEA_CBC_SHA",
            "IDEA-CBC-SHA",
        ] {
            assert!(weakness(weak, "tls1.2").is_some(), "{weak}");
        }
        for fine in [
            "TLS_AES_256_GCM_SHA384",
            "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
            "ECDHE-RSA-AES256-GCM-SHA384",
            "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
            "TLS_RSA_WITH_AES_128_CBC_SHA",
        ] {
            assert_eq!(weakness(fine, "tls1.2"), None, "{fine}");
        }
        assert!(weakness("TLS_RSA_WITH_AES_128_CBC_SHA", "ssl3").is_some());
    }

    #[test]
    fn detection() {
        assert_eq!(
            tool_of("{\"server_scan_results\": []}"),
            Some(TlsTool::Sslyze)
        );
        assert_eq!(
            tool_of("{\"Invocation\": \"testssl.sh x\", \"scanResult\": []}"),
            Some(TlsTool::Testssl)
        );
        assert_eq!(
            tool_of(
                "[\n{\"id\": \"TLS1\", \"ip\": \"h/1.2.3.4\", \"port\": \"443\", \"severity\": \"OK\", \"finding\": \"not offered\"}]"
            ),
            Some(TlsTool::Testssl)
        );
        assert_eq!(tool_of("[1, 2]"), None);
        assert_eq!(tool_of("{\"id\": \"x\"}"), None);
    }
}
