//! testssl.sh JSON: `--jsonfile` (an array of findings) and `--json-pretty` (an object with
//! `scanResult[]`, one entry per scanned service, whose sections are arrays of findings).
//! Each finding is `{id, ip, port, severity, finding}`; the ones read here:
//!
//! - `SSLv2`, `SSLv3`, `TLS1`, `TLS1_1`, `TLS1_2`, `TLS1_3`: `offered...` or `not offered`,
//! - `HSTS` (`not offered` when the header is absent) and `HSTS_time`
//!   (`... (=31536000 seconds) ...`, or `max-age set to 0`),
//! - per-cipher results (`cipher-tls1_2_xc030`, `cipher_xc030`, from `-E`/`-e`): the suite's
//!   name is the finding's last token when it is an IANA name, else its third (OpenSSL name),
//! - the weak cipher categories `cipherlist_NULL`, `_aNULL`, `_EXPORT`, `_LOW`,
//!   `_3DES_IDEA` (older: `std_...`): when `offered`, the category id itself is listed as a
//!   weak cipher, since the scan did not name the suites.

use std::collections::BTreeMap;

use jiff::Timestamp;
use serde_json::Value;

use super::{TlsScan, TlsTool, weakness};
use crate::finding::FindingCode;
use crate::formats::json_util::{Notes, array_of, str_of};
use crate::formats::{Evidence, Parsed};

/// testssl's weak cipher categories (current and older ids).
const WEAK_CATEGORIES: &[&str] = &[
    "cipherlist_NULL",
    "cipherlist_aNULL",
    "cipherlist_EXPORT",
    "cipherlist_LOW",
    "cipherlist_3DES_IDEA",
    "std_NULL",
    "std_aNULL",
    "std_EXPORT",
    "std_LOW",
    "std_3DES",
    "std_3DES_IDEA",
];

pub(super) fn read(path: &str, value: &Value) -> Parsed {
    let mut notes = Notes::new(path);
    let mut scans = Vec::new();
    if let Some(findings) = value.as_array() {
        // --jsonfile: one flat list; `ip` is `host/address`, grouped by host and port.
        let mut hosts: BTreeMap<(String, String), Vec<&Value>> = BTreeMap::new();
        for f in findings {
            let ip = str_of(f, "ip").unwrap_or("");
            let host = ip.split('/').next().unwrap_or(ip).to_owned();
            let port = port_text(f);
            hosts.entry((host, port)).or_default().push(f);
        }
        for ((host, port), findings) in hosts {
            if host.is_empty() {
                continue;
            }
            let (found, untested) = scan(host, port.parse().ok(), None, &findings);
            not_tested(&mut notes, "/", &found.host, &untested);
            scans.push(found);
        }
    } else {
        let started = str_of(value, "startTime")
            .and_then(|s| s.parse::<i64>().ok())
            .and_then(|s| Timestamp::from_second(s).ok());
        for (i, service) in array_of(value, "scanResult").iter().enumerate() {
            let host = str_of(service, "targetHost")
                .or_else(|| str_of(service, "ip"))
                .map(str::to_owned);
            let Some(host) = host else {
                notes.add(
                    FindingCode::TlsScanNoResults,
                    &format!("/scanResult/{i}"),
                    "a scanned service without `targetHost` or `ip`".to_owned(),
                    "testssl.sh could not scan this target; see its `finding`",
                );
                continue;
            };
            let findings: Vec<&Value> = service
                .as_object()
                .into_iter()
                .flat_map(|o| o.values())
                .filter_map(Value::as_array)
                .flatten()
                .filter(|f| f.get("id").is_some())
                .collect();
            let (found, untested) = scan(host, port_text(service).parse().ok(), started, &findings);
            not_tested(
                &mut notes,
                &format!("/scanResult/{i}"),
                &found.host,
                &untested,
            );
            scans.push(found);
        }
    }
    if scans.is_empty() {
        notes.add(
            FindingCode::TlsScanNoResults,
            "/",
            "the testssl.sh output holds no scanned host".to_owned(),
            "check that the scan reached the host",
        );
    }
    Parsed {
        evidence: Some(Evidence::TlsScans(scans)),
        findings: notes.findings,
    }
}

fn port_text(v: &Value) -> String {
    match v.get("port") {
        Some(Value::String(s)) => s.trim().to_owned(),
        Some(Value::Number(n)) => n.to_string(),
        _ => String::new(),
    }
}

/// A finding (a read failure: the controls reading TLS scans fail on it) for protocols the
/// scan did not test: whether the host offers them is not known, and must not read as
/// "not offered".
fn not_tested(notes: &mut Notes<'_>, at: &str, host: &str, ids: &[&str]) {
    if ids.is_empty() {
        return;
    }
    notes.add(
        FindingCode::InvalidValue,
        at,
        format!(
            "testssl.sh did not test {} on {host} (no {} finding), so whether they are offered \
             is not known",
            ids.join(", "),
            ids.iter()
                .map(|i| format!("`{i}`"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        "run testssl.sh with --protocols (or a full scan)",
    );
}

/// The scan of one service, and the protocol ids it has no finding for.
fn scan(
    host: String,
    port: Option<u16>,
    started: Option<Timestamp>,
    findings: &[&Value],
) -> (TlsScan, Vec<&'static str>) {
    let mut scan = TlsScan::new(TlsTool::Testssl, host, port);
    scan.scanned_at = started;
    let mut untested: Vec<&'static str> = PROTOCOL_IDS.to_vec();
    for f in findings {
        let (Some(id), Some(text)) = (str_of(f, "id"), str_of(f, "finding")) else {
            continue;
        };
        let lower = text.to_ascii_lowercase();
        let offered = lower.starts_with("offered");
        if let Some(protocol) = protocol_of(id) {
            untested.retain(|p| *p != id);
            if offered {
                scan.protocols.insert(protocol.to_owned());
            }
        } else if id.eq_ignore_ascii_case("HSTS") {
            if lower.starts_with("not offered") {
                scan.hsts = Some(false);
            }
        } else if id.eq_ignore_ascii_case("HSTS_time") {
            let seconds = seconds_in(text).or_else(|| lower.contains("set to 0").then_some(0));
            scan.hsts_max_age = seconds;
            scan.hsts = Some(seconds != Some(0));
        } else if WEAK_CATEGORIES.iter().any(|c| c.eq_ignore_ascii_case(id)) {
            if offered {
                scan.weak_ciphers.push(id.to_owned());
            }
        } else if let Some(protocol) = cipher_protocol(id)
            && let Some(name) = cipher_name(text)
            && weakness(name, protocol).is_some()
        {
            scan.weak_ciphers.push(name.to_owned());
        }
    }
    (scan.finish(), untested)
}

/// The protocol findings' ids.
const PROTOCOL_IDS: [&str; 6] = ["SSLv2", "SSLv3", "TLS1", "TLS1_1", "TLS1_2", "TLS1_3"];

/// `SSLv3` -> `ssl3`, `TLS1_2` -> `tls1.2`, ...
fn protocol_of(id: &str) -> Option<&'static str> {
    Some(match id {
        "SSLv2" => "ssl2",
        "SSLv3" => "ssl3",
        "TLS1" => "tls1.0",
        "TLS1_1" => "tls1.1",
        "TLS1_2" => "tls1.2",
        "TLS1_3" => "tls1.3",
        _ => return None,
    })
}

/// The protocol of a per-cipher finding id (`cipher-ssl3_x0a` -> `ssl3`, `cipher_x0a` ->
/// empty: not known), or `None` when the id is not a per-cipher one.
fn cipher_protocol(id: &str) -> Option<&'static str> {
    if let Some(rest) = id.strip_prefix("cipher-") {
        let proto = rest.rsplit_once('_').map_or(rest, |(p, _)| p);
        return Some(match proto {
            "ssl2" => "ssl2",
            "ssl3" => "ssl3",
            "tls1" => "tls1.0",
            "tls1_1" => "tls1.1",
            "tls1_2" => "tls1.2",
            "tls1_3" => "tls1.3",
            _ => "",
        });
    }
    id.strip_prefix("cipher_x").map(|_| "")
}

/// The suite a per-cipher finding names: its last token when that is an IANA name, else its
/// third token (the OpenSSL name), as in `TLSv1.2  xc030  ECDHE-RSA-AES256-GCM-SHA384  ...`.
fn cipher_name(text: &str) -> Option<&str> {
    let tokens: Vec<&str> = text.split_whitespace().collect();
    tokens
        .last()
        .filter(|t| t.starts_with("TLS_") || t.starts_with("SSL_"))
        .or_else(|| tokens.get(2))
        .copied()
}

/// `N` from `... (=N seconds) ...`.
fn seconds_in(text: &str) -> Option<i64> {
    let after = text.split_once("(=")?.1;
    let digits: String = after.chars().take_while(char::is_ascii_digit).collect();
    digits.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn finding(id: &str, text: &str) -> Value {
        serde_json::json!({"id": id, "ip": "dl.example.com/192.0.2.1", "port": "443",
            "severity": "OK", "finding": text})
    }

    #[test]
    fn flat_output() {
        let value = Value::Array(vec![
            finding("SSLv2", "not offered"),
            finding("SSLv3", "not offered"),
            finding("TLS1_1", "not offered"),
            finding("TLS1", "offered (deprecated)"),
            finding("TLS1_2", "offered"),
            finding("TLS1_3", "offered with final"),
            finding("cipherlist_3DES_IDEA", "offered"),
            finding("cipherlist_NULL", "not offered"),
            finding(
                "HSTS_time",
                "365 days (=31536000 seconds) > 15552000 seconds",
            ),
            finding(
                "cipher-tls1_2_x0a",
                "TLSv1.2  x0a  DES-CBC3-SHA  RSA  3DES  168  TLS_RSA_WITH_3DES_EDE_CBC_SHA",
            ),
            finding(
                "cipher-tls1_2_xc030",
                "TLSv1.2  xc030  ECDHE-RSA-AES256-GCM-SHA384  ECDH 253  AESGCM  256  TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
            ),
        ]);
        let parsed = read("t.json", &value);
        assert!(parsed.findings.is_empty(), "{:?}", parsed.findings);
        let Some(Evidence::TlsScans(scans)) = parsed.evidence else {
            panic!()
        };
        let s = &scans[0];
        assert_eq!(s.host, "dl.example.com");
        assert_eq!(s.port, Some(443));
        assert_eq!(
            s.protocols.iter().collect::<Vec<_>>(),
            ["tls1.0", "tls1.2", "tls1.3"]
        );
        assert_eq!(s.hsts, Some(true));
        assert_eq!(s.hsts_max_age, Some(31_536_000));
        assert_eq!(
            s.weak_ciphers,
            ["TLS_RSA_WITH_3DES_EDE_CBC_SHA", "cipherlist_3DES_IDEA"]
        );
    }

    /// A protocol the scan has no finding for is not "not offered": the file is partly
    /// unreadable (an `InvalidValue` finding), saying which.
    #[test]
    fn untested_protocols_are_a_finding() {
        let value = Value::Array(vec![
            finding("TLS1_2", "offered"),
            finding("TLS1_3", "offered with final"),
        ]);
        let parsed = read("t.json", &value);
        assert_eq!(parsed.findings.len(), 1, "{:?}", parsed.findings);
        assert_eq!(parsed.findings[0].code, FindingCode::InvalidValue);
        assert!(
            parsed.findings[0]
                .message
                .contains("did not test SSLv2, SSLv3, TLS1, TLS1_1 on dl.example.com"),
            "{}",
            parsed.findings[0].message
        );
    }

    #[test]
    fn cipher_ids() {
        assert_eq!(cipher_protocol("cipher-tls1_2_xc030"), Some("tls1.2"));
        assert_eq!(cipher_protocol("cipher-tls1_x0a"), Some("tls1.0"));
        assert_eq!(cipher_protocol("cipher-ssl3_x0a"), Some("ssl3"));
        assert_eq!(cipher_protocol("cipher_x0a"), Some(""));
        assert_eq!(cipher_protocol("cipher_order"), None);
        assert_eq!(
            cipher_name("SSLv3 x05 RC4-SHA RSA RC4 128"),
            Some("RC4-SHA")
        );
    }
}
