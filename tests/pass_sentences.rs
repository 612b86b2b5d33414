//! A passing control's evidence says what each record it read says, in a sentence built from
//! the record's own fields (#17): on the compliant example bundle, evaluated as its
//! `compliant.test.toml` says, with the real signatures `examples/bundles/build.sh` made.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use crate::common;

use serde_json::Value;

/// The JSON report of the compliant example.
fn report() -> Value {
    let mut args = vec![
        "evaluate",
        "--policy",
        "examples/policies/acme.vouch",
        "--bundle",
        "examples/bundles/compliant",
        "--as-of",
        "2026-10-02",
        "--format",
        "json",
    ];
    args.extend(common::EXAMPLE_TRUST);
    let out = common::vouch(&args);
    assert_eq!(out.status.code(), Some(0), "{}", common::transcript(&out));
    serde_json::from_slice(&out.stdout).unwrap()
}

/// Every (control, kind, checked, expect) of the passes' evidence.
fn records(report: &Value) -> Vec<(String, String, String, String)> {
    let mut all = Vec::new();
    for c in report["controls"].as_array().unwrap() {
        let Some(evidence) = c["pass_evidence"]["evidence"].as_array() else {
            continue;
        };
        for e in evidence {
            let s = |k: &str| e[k].as_str().unwrap_or_default().to_owned();
            all.push((
                c["id"].as_str().unwrap().to_owned(),
                s("kind"),
                s("checked"),
                s("expect"),
            ));
        }
    }
    all
}

fn find<'r>(
    all: &'r [(String, String, String, String)],
    control: &str,
    kind: &str,
) -> Vec<&'r str> {
    all.iter()
        .filter(|(c, k, _, _)| c == control && k == kind)
        .map(|(_, _, checked, _)| checked.as_str())
        .collect()
}

#[test]
fn each_record_a_pass_read_is_described_from_its_fields() {
    let report = report();
    let all = records(&report);
    assert!(!all.is_empty());
    for (control, kind, checked, expect) in &all {
        assert!(!kind.is_empty(), "{control}: {checked}");
        assert!(!checked.is_empty(), "{control}: {kind}");
        // The expect is a place, SOURCE:LINE, named in the control's checks.
        assert!(expect.contains(':'), "{control}: {expect}");
    }

    // A signature: who signed, with which key, and that it was trusted at as_of.
    let signed = find(&all, "SIGNED-ARTIFACTS", "Coverage");
    assert!(
        signed.iter().any(|s| s.starts_with(
            "signed directly: signature dist/widget-2.4.1.tar.gz.asc verified by OpenPGP key "
        ) && s.ends_with("(trusted, valid at as_of)")),
        "{signed:#?}\n{all:#?}"
    );
    // A checksum entry: its algorithm, digest and that it matches.
    let sums = find(&all, "CHECKSUMS", "Checksum");
    assert!(
        sums.iter()
            .any(|s| s.starts_with("dist/SHA256SUMS line 1: sha256 ")
                && s.contains("matches the file it names")),
        "{sums:#?}\n{all:#?}"
    );
    // Every sentence is plain text on one line.
    for (_, _, checked, _) in &all {
        assert!(!checked.contains('\n'), "{checked}");
    }
}

#[test]
fn the_sentences_name_each_evidence_kind() {
    let report = report();
    let all = records(&report);
    let kinds: std::collections::BTreeSet<&str> =
        all.iter().map(|(_, k, _, _)| k.as_str()).collect();
    let text = format!("{all:#?}");
    // The kinds the pack's passing controls read on a complete release.
    for kind in ["Coverage", "Checksum", "Sbom", "TlsScan", "SupportCycle"] {
        assert!(kinds.contains(kind), "no {kind} in {text}");
    }
    let of = |kind: &str| -> Vec<&str> {
        all.iter()
            .filter(|(_, k, _, _)| k == kind)
            .map(|(_, _, c, _)| c.as_str())
            .collect()
    };
    assert!(
        of("Sbom")
            .iter()
            .all(|s| s.starts_with("SBOM sbom/") && s.contains(" describes ")),
        "{text}"
    );
    assert!(
        of("TlsScan")
            .iter()
            .all(|s| s.contains(" of downloads.acme.example: protocols ")),
        "{text}"
    );
    assert!(
        of("SupportCycle")
            .iter()
            .all(|s| s.starts_with("support cycle ") && s.contains("end of life")),
        "{text}"
    );
}
