//! SSLyze JSON (`sslyze --json_out`, SSLyze 5 and 6): `server_scan_results[]`, each with
//! `server_location.{hostname, port}`, `scan_status`, and `scan_result.<command>.{status,
//! result}`. Read here: the six `*_cipher_suites` commands (`is_tls_version_supported`,
//! `accepted_cipher_suites[].cipher_suite.name`) and `http_headers`
//! (`strict_transport_security_header`: `null` when absent, else `{max_age, ...}`). The scan
//! time is `date_scans_started`.

use serde_json::Value;

use super::{TlsScan, TlsTool, weakness};
use crate::finding::FindingCode;
use crate::formats::json_util::{Notes, array_of, str_of};
use crate::formats::{Evidence, Parsed};

/// The cipher-suite scan commands and the protocol each tests.
const COMMANDS: &[(&str, &str)] = &[
    ("ssl_2_0_cipher_suites", "ssl2"),
    ("ssl_3_0_cipher_suites", "ssl3"),
    ("tls_1_0_cipher_suites", "tls1.0"),
    ("tls_1_1_cipher_suites", "tls1.1"),
    ("tls_1_2_cipher_suites", "tls1.2"),
    ("tls_1_3_cipher_suites", "tls1.3"),
];

pub(super) fn read(path: &str, value: &Value) -> Parsed {
    let mut notes = Notes::new(path);
    let started = notes
        .instant(value, "date_scans_started", "")
        .or_else(|| notes.instant(value, "date_scans_completed", ""));
    let mut scans = Vec::new();
    for (i, server) in array_of(value, "server_scan_results").iter().enumerate() {
        let at = format!("/server_scan_results/{i}");
        let location = server.get("server_location").unwrap_or(&Value::Null);
        let host = str_of(location, "hostname")
            .or_else(|| str_of(location, "ip_address"))
            .unwrap_or("?")
            .to_owned();
        let port = location
            .get("port")
            .and_then(Value::as_u64)
            .and_then(|p| u16::try_from(p).ok());
        let status = str_of(server, "scan_status").unwrap_or("COMPLETED");
        let Some(result) = server.get("scan_result").filter(|r| r.is_object()) else {
            notes.add(
                FindingCode::TlsScanNoResults,
                &at,
                format!("no results for {host} (scan status `{status}`)"),
                "SSLyze could not scan this server; see its `connectivity_error_trace`",
            );
            continue;
        };
        let mut scan = TlsScan::new(TlsTool::Sslyze, host, port);
        scan.scanned_at = started;
        let mut untested = Vec::new();
        for (command, protocol) in COMMANDS {
            let Some(r) = completed(result, command) else {
                let status = result
                    .get(*command)
                    .and_then(|c| str_of(c, "status"))
                    .unwrap_or("absent");
                untested.push(format!("{protocol} (`{command}`: {status})"));
                continue;
            };
            let accepted = array_of(r, "accepted_cipher_suites");
            let supported = r
                .get("is_tls_version_supported")
                .and_then(Value::as_bool)
                .unwrap_or(!accepted.is_empty());
            if supported {
                scan.protocols.insert((*protocol).to_owned());
            }
            for suite in accepted {
                let name = suite
                    .get("cipher_suite")
                    .and_then(|c| str_of(c, "name"))
                    .or_else(|| str_of(suite, "name"));
                if let Some(name) = name
                    && weakness(name, protocol).is_some()
                {
                    scan.weak_ciphers.push(name.to_owned());
                }
            }
        }
        if !untested.is_empty() {
            // Not tested is not "not offered": the controls reading TLS scans fail on it.
            notes.add(
                FindingCode::InvalidValue,
                &at,
                format!(
                    "SSLyze did not test {} on {}, so whether they are offered is not known",
                    untested.join(", "),
                    scan.host
                ),
                "run SSLyze with --sslv2 --sslv3 --tlsv1 --tlsv1_1 --tlsv1_2 --tlsv1_3 \
                 --http_headers",
            );
        }
        if let Some(headers) = completed(result, "http_headers") {
            match headers.get("strict_transport_security_header") {
                Some(Value::Object(h)) => {
                    let max_age = h.get("max_age").and_then(Value::as_i64);
                    scan.hsts_max_age = max_age;
                    scan.hsts = Some(max_age != Some(0));
                }
                Some(Value::Null) | None => scan.hsts = Some(false),
                Some(_) => {}
            }
        }
        scans.push(scan.finish());
    }
    if scans.is_empty() && notes.findings.is_empty() {
        notes.add(
            FindingCode::TlsScanNoResults,
            "/server_scan_results",
            "the SSLyze output holds no scanned server".to_owned(),
            "check that the scan reached the host",
        );
    }
    Parsed {
        evidence: Some(Evidence::TlsScans(scans)),
        findings: notes.findings,
    }
}

/// The `result` of a scan command that completed (status `COMPLETED`, or no status).
fn completed<'v>(scan_result: &'v Value, command: &str) -> Option<&'v Value> {
    let attempt = scan_result.get(command)?;
    let status = str_of(attempt, "status").unwrap_or("COMPLETED");
    if status != "COMPLETED" {
        return None;
    }
    attempt.get("result").filter(|r| r.is_object())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_a_server() {
        let value = serde_json::json!({
            "date_scans_started": "2026-10-01T10:00:00Z",
            "server_scan_results": [
                {"server_location": {"hostname": "localhost", "port": 1234},
                 "scan_status": "ERROR_NO_CONNECTIVITY", "scan_result": null},
                {"server_location": {"hostname": "dl.example.com", "port": 443},
                 "scan_status": "COMPLETED",
                 "scan_result": {
                    "ssl_3_0_cipher_suites": {"status": "COMPLETED", "result": {
                        "is_tls_version_supported": false, "accepted_cipher_suites": []}},
                    "tls_1_2_cipher_suites": {"status": "COMPLETED", "result": {
                        "is_tls_version_supported": true, "accepted_cipher_suites": [
                            {"cipher_suite": {"name": "TLS_RSA_WITH_RC4_128_SHA"}},
                            {"cipher_suite": {"name": "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"}}]}},
                    "tls_1_3_cipher_suites": {"status": "NOT_SCHEDULED", "result": null},
                    "http_headers": {"status": "COMPLETED", "result": {
                        "strict_transport_security_header": {"max_age": 63072000, "preload": false, "include_subdomains": true}}}
                 }}
            ]
        });
        let parsed = read("s.json", &value);
        assert_eq!(parsed.findings.len(), 2, "{:?}", parsed.findings);
        assert_eq!(parsed.findings[0].code, FindingCode::TlsScanNoResults);
        // Commands not run (SSLyze's default scan, or one naming only some protocols) leave
        // those protocols unknown, never "not offered".
        assert_eq!(parsed.findings[1].code, FindingCode::InvalidValue);
        assert_eq!(
            parsed.findings[1].message,
            "/server_scan_results/1: SSLyze did not test ssl2 (`ssl_2_0_cipher_suites`: absent), tls1.0 \
             (`tls_1_0_cipher_suites`: absent), tls1.1 (`tls_1_1_cipher_suites`: absent), tls1.3 \
             (`tls_1_3_cipher_suites`: NOT_SCHEDULED) on dl.example.com, so whether they are \
             offered is not known"
        );
        let Some(Evidence::TlsScans(scans)) = parsed.evidence else {
            panic!()
        };
        assert_eq!(scans.len(), 1);
        let s = &scans[0];
        assert_eq!(s.protocols.iter().collect::<Vec<_>>(), ["tls1.2"]);
        assert_eq!(s.weak_ciphers, ["TLS_RSA_WITH_RC4_128_SHA"]);
        assert_eq!(s.hsts, Some(true));
        assert_eq!(s.hsts_max_age, Some(63_072_000));
        assert!(s.scanned_at.is_some());
    }
}
