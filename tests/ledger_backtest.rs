//! `vouch backtest`: re-evaluating a ledger's evidence snapshots with another policy, and
//! every way it refuses to compare (trust or waivers not the recorded ones, an `as_of` in the
//! future, a tampered snapshot, a broken chain).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use crate::common;

use std::path::{Path, PathBuf};
use std::process::Output;

use common::{EXAMPLE_TRUST, root, temp_dir, transcript, vouch};
use serde_json::Value;

fn code(out: &Output) -> i32 {
    out.status.code().unwrap_or(-1)
}

fn p(path: &Path) -> &str {
    path.to_str().unwrap()
}

/// Records the evaluation of `bundle` as of `as_of` into `ledger`, with `extra` arguments.
fn record(ledger: &Path, bundle: &str, as_of: &str, extra: &[&str]) {
    let report = match vouch_ledger::postgres_url(ledger) {
        Some(_) => PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!(
            "{}.json",
            crate::support::unique("backtest-report")
        )),
        None => ledger.with_extension(format!("{bundle}-{as_of}.json")),
    };
    let mut args = vec![
        "evaluate",
        "--policy",
        "examples/policies/acme.vouch",
        "--bundle",
        &format!("examples/bundles/{bundle}"),
        "--as-of",
        as_of,
        "--output",
        p(&report),
        "--record",
        p(ledger),
    ]
    .into_iter()
    .map(str::to_owned)
    .collect::<Vec<_>>();
    args.extend(EXAMPLE_TRUST.iter().map(|s| (*s).to_owned()));
    args.extend(extra.iter().map(|s| (*s).to_owned()));
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = vouch(&args);
    assert!(code(&out) == 0 || code(&out) == 1, "{}", transcript(&out));
}

/// acme.vouch with a one-hour scan age: the example bundles' scans are older, so VULN-SCAN
/// fails where it passed.
fn strict_policy(dir: &Path) -> PathBuf {
    let text = std::fs::read_to_string(root().join("examples/policies/acme.vouch")).unwrap();
    let strict = text.replace(
        "use std.uk_sscop with { patch_sla",
        "use std.uk_sscop with { scan_max_age = 1h, patch_sla",
    );
    assert_ne!(strict, text);
    let path = dir.join("strict.vouch");
    std::fs::write(&path, strict).unwrap();
    path
}

fn backtest(policy: &str, ledger: &Path, extra: &[&str]) -> (Output, Value) {
    let mut args = vec![
        "backtest",
        "--policy",
        policy,
        "--ledger",
        p(ledger),
        "--format",
        "json",
    ];
    args.extend(extra);
    let out = vouch(&args);
    let json = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
    (out, json)
}

fn with_trust(extra: &[&'static str]) -> Vec<&'static str> {
    let mut v: Vec<&str> = EXAMPLE_TRUST.to_vec();
    v.extend(extra);
    v
}

#[test]
fn same_policy_changes_nothing_and_a_stricter_one_is_shown_control_by_control() {
    let dir = temp_dir("backtest-change");
    let ledger = dir.join("ledger.db");
    record(&ledger, "compliant", "2026-10-02", &[]);
    record(&ledger, "failing", "2026-10-02", &[]);
    // The same bundle again, another day: the snapshot is stored once, evaluated per as_of.
    record(&ledger, "compliant", "2026-10-03", &[]);
    record(&ledger, "compliant", "2026-10-03", &[]);

    let (out, json) = backtest("examples/policies/acme.vouch", &ledger, &with_trust(&[]));
    assert_eq!(code(&out), 0, "{}", transcript(&out));
    assert_eq!(json["entries"], 4);
    assert_eq!(json["changed"], 0);
    assert_eq!(json["not_comparable"], 0);
    // Entries 3 and 4 share snapshot and as_of: one evaluation.
    assert_eq!(json["evaluations"], 3);

    let strict = strict_policy(&dir);
    let (out, json) = backtest(p(&strict), &ledger, &with_trust(&[]));
    assert_eq!(code(&out), 1, "{}", transcript(&out));
    assert_eq!(json["changed"], 3, "{json:#}");
    let releases = json["releases"].as_array().unwrap();
    let first = &releases[0];
    assert_eq!(first["seq"], 1);
    assert_eq!(first["outcome"], "changed");
    assert_eq!(first["old_status"], "pass");
    assert_eq!(first["new_status"], "fail");
    assert_eq!(
        first["controls"],
        serde_json::json!([{ "id": "VULN-SCAN", "old": "pass", "new": "fail" }])
    );
    // The failing release already failed VULN-SCAN: unchanged.
    assert_eq!(releases[1]["outcome"], "unchanged");
    assert_eq!(releases[3]["outcome"], "changed");

    // The table names the release and the control; --since and --product select entries.
    let mut args = vec![
        "backtest",
        "--policy",
        p(&strict),
        "--ledger",
        p(&ledger),
        "--since",
        "2026-10-03",
        "--product",
        "widget",
    ];
    args.extend(EXAMPLE_TRUST);
    let out = vouch(&args);
    assert_eq!(code(&out), 1, "{}", transcript(&out));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains(
            "#3 widget 2.4.1 as of 2026-10-03T00:00:00Z: pass -> fail\n  VULN-SCAN: pass -> fail\n"
        ),
        "{text}"
    );
    assert!(!text.contains("#1 "), "{text}");
    assert!(text.contains("2 entries backtested"), "{text}");
    let (out, json) = backtest(p(&strict), &ledger, &with_trust(&["--product", "gadget"]));
    assert_eq!(code(&out), 0, "{}", transcript(&out));
    assert_eq!(json["entries"], 0);
}

#[test]
fn trust_and_waivers_must_be_the_recorded_ones() {
    let dir = temp_dir("backtest-inputs");
    let ledger = dir.join("ledger.db");
    record(
        &ledger,
        "waived",
        "2026-10-02",
        &["--waivers", "examples/waivers/waived.toml"],
    );
    // Without the waivers: not comparable, never a pass.
    let (out, json) = backtest("examples/policies/acme.vouch", &ledger, &with_trust(&[]));
    assert_eq!(code(&out), 1, "{}", transcript(&out));
    assert_eq!(json["not_comparable"], 1);
    let reason = json["releases"][0]["reason"].as_str().unwrap();
    assert!(
        reason.contains("waivers files are not the ones `--waivers` gives"),
        "{reason}"
    );
    assert!(json["releases"][0].get("new_status").is_none());

    // With them: the waivers are approved again at the entry's as_of, nothing changes.
    let (out, json) = backtest(
        "examples/policies/acme.vouch",
        &ledger,
        &with_trust(&["--waivers", "examples/waivers/waived.toml"]),
    );
    assert_eq!(code(&out), 0, "{}", transcript(&out));
    assert_eq!(json["releases"][0]["outcome"], "unchanged");

    // One trust key short: not comparable, naming the missing file's digest.
    let (out, json) = backtest(
        "examples/policies/acme.vouch",
        &ledger,
        &[
            "--trust",
            "examples/keys/TEST-ONLY-widget-release.pub.asc",
            "--waivers",
            "examples/waivers/waived.toml",
        ],
    );
    assert_eq!(code(&out), 1, "{}", transcript(&out));
    let reason = json["releases"][0]["reason"].as_str().unwrap();
    assert!(
        reason.contains(
            "trust inputs are not the ones `--trust` gives (recorded but not given: sha256 "
        ),
        "{reason}"
    );
}

/// (On both back ends.) An entry recorded with `--authority` is compared when the same authority files are given
/// (and changes like any other under a stricter policy), and is not comparable, saying why,
/// without them or with others; an entry recorded without one is not compared under one.
#[test]
fn entries_recorded_with_an_authority_are_compared_under_the_same_one_sqlite() {
    let dir = temp_dir("backtest-authority");
    authority_entries(&dir, &dir.join("ledger.db"));
}

#[test]
fn entries_recorded_with_an_authority_are_compared_under_the_same_one_postgres() {
    let dir = temp_dir("backtest-authority-pg");
    let tag = "backtest_authority";
    if let Some(db) = crate::support::Db::new(crate::support::Kind::Postgres, &dir, tag) {
        authority_entries(&dir, &db.location);
    }
}

fn authority_entries(dir: &Path, ledger: &Path) {
    let ledger = ledger.to_path_buf();
    let authority = [
        "--authority",
        "examples/authority/acme.cedar",
        "--authority-entities",
        "examples/authority/people.json",
    ];
    record(&ledger, "compliant", "2026-10-02", &authority);
    record(&ledger, "compliant", "2026-10-02", &[]);

    let (out, json) = backtest(
        "examples/policies/acme.vouch",
        &ledger,
        &with_trust(&authority),
    );
    assert_eq!(code(&out), 1, "{}", transcript(&out));
    let releases = json["releases"].as_array().unwrap();
    assert_eq!(releases[0]["outcome"], "unchanged", "{json:#}");
    assert_eq!(releases[1]["outcome"], "not_comparable");
    assert!(
        releases[1]["reason"]
            .as_str()
            .unwrap()
            .contains("evaluated without an authority policy, and `--authority` gives one"),
        "{json:#}"
    );
    let strict = strict_policy(dir);
    let (_, json) = backtest(p(&strict), &ledger, &with_trust(&authority));
    assert_eq!(json["releases"][0]["outcome"], "changed", "{json:#}");
    assert_eq!(
        json["releases"][0]["controls"],
        serde_json::json!([{ "id": "VULN-SCAN", "old": "pass", "new": "fail" }])
    );

    // Without the authority: the first is not comparable, the second is compared.
    let (_, json) = backtest("examples/policies/acme.vouch", &ledger, &with_trust(&[]));
    let reason = json["releases"][0]["reason"].as_str().unwrap();
    assert!(
        reason.contains("evaluated under the authority policy `acme.cedar` (sha256 ")
            && reason.contains("with the entities `people.json`"),
        "{reason}"
    );
    assert_eq!(json["releases"][1]["outcome"], "unchanged");

    // Another policy file, or the entities left out or changed.
    let text = std::fs::read_to_string(root().join("examples/authority/acme.cedar")).unwrap();
    let other = dir.join("acme.cedar");
    std::fs::write(&other, format!("{text}\n// edited\n")).unwrap();
    let entities = std::fs::read_to_string(root().join("examples/authority/people.json")).unwrap();
    let other_entities = dir.join("people.json");
    std::fs::write(&other_entities, format!("{entities}\n")).unwrap();
    for (args, expected) in [
        (
            vec![
                "--authority",
                p(&other),
                "--authority-entities",
                "examples/authority/people.json",
            ],
            "and `--authority` gives one with sha256",
        ),
        (
            vec!["--authority", "examples/authority/acme.cedar"],
            "and no `--authority-entities` is given",
        ),
        (
            vec![
                "--authority",
                "examples/authority/acme.cedar",
                "--authority-entities",
                p(&other_entities),
            ],
            "and `--authority-entities` gives a file with sha256",
        ),
    ] {
        let mut extra: Vec<&str> = EXAMPLE_TRUST.to_vec();
        extra.extend(args);
        let (out, json) = backtest("examples/policies/acme.vouch", &ledger, &extra);
        assert_eq!(code(&out), 1, "{}", transcript(&out));
        assert_eq!(json["releases"][0]["outcome"], "not_comparable", "{json:#}");
        let reason = json["releases"][0]["reason"].as_str().unwrap();
        assert!(reason.contains(expected), "{reason}");
    }
}

#[test]
fn an_as_of_in_the_future_is_not_comparable() {
    let dir = temp_dir("backtest-future");
    let ledger = dir.join("ledger.db");
    record(&ledger, "compliant", "2026-10-02", &[]);
    record(&ledger, "compliant", "2999-01-01", &[]);
    let (out, json) = backtest("examples/policies/acme.vouch", &ledger, &with_trust(&[]));
    assert_eq!(code(&out), 1, "{}", transcript(&out));
    assert_eq!(json["releases"][0]["outcome"], "unchanged");
    assert_eq!(json["releases"][1]["outcome"], "not_comparable");
    let reason = json["releases"][1]["reason"].as_str().unwrap();
    assert!(reason.contains("is in the future"), "{reason}");
}

#[test]
fn a_tampered_snapshot_or_ledger_is_refused() {
    let dir = temp_dir("backtest-tamper");
    let ledger = dir.join("ledger.db");
    record(&ledger, "compliant", "2026-10-02", &[]);
    let db = rusqlite::Connection::open(&ledger).unwrap();
    let sha: String = db
        .query_row(
            "SELECT sha256 FROM entry_evidence WHERE path = 'release.toml'",
            [],
            |r| r.get(0),
        )
        .unwrap();

    // The library check a backtest makes of each snapshot, on an edited blob.
    let open = vouch_ledger::Ledger::open_existing(&ledger).unwrap();
    let entry = vouch_ledger::stored_entries(&open, &vouch_ledger::HistoryQuery::default())
        .unwrap()
        .remove(0);
    let files = vouch_ledger::snapshot(&open, 1, &entry.evidence_sha256)
        .unwrap()
        .unwrap();
    assert!(files.iter().any(|f| f.path == "release.toml"));
    assert!(
        vouch_ledger::snapshot(&open, 1, &"0".repeat(64))
            .unwrap()
            .unwrap_err()
            .contains("not the ones recorded")
    );
    db.execute(
        "UPDATE evidence_blobs SET content = CAST('product = \"widget\"' AS BLOB) WHERE sha256 = ?1",
        [&sha],
    )
    .unwrap();
    let why = vouch_ledger::snapshot(&open, 1, &entry.evidence_sha256)
        .unwrap()
        .unwrap_err();
    assert!(
        why.contains("release.toml") && why.contains("(edited)"),
        "{why}"
    );
    drop(open);

    // The command verifies the chain first: exit 2, naming the entry.
    let (out, _) = backtest("examples/policies/acme.vouch", &ledger, &with_trust(&[]));
    assert_eq!(code(&out), 2, "{}", transcript(&out));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("broken at entry 1") && err.contains("nothing was backtested"),
        "{err}"
    );
}

#[test]
fn usage_errors_exit_2() {
    let dir = temp_dir("backtest-usage");
    let missing = dir.join("none.db");
    let (out, _) = backtest("examples/policies/acme.vouch", &missing, &[]);
    assert_eq!(code(&out), 2, "{}", transcript(&out));
    assert!(!missing.exists(), "backtest never creates a ledger");
    let ledger = dir.join("ledger.db");
    record(&ledger, "compliant", "2026-10-02", &[]);
    let (out, _) = backtest(
        "examples/policies/acme.vouch",
        &ledger,
        &["--since", "yesterday"],
    );
    assert_eq!(code(&out), 2, "{}", transcript(&out));
    let (out, _) = backtest(p(&dir.join("no-policy.vouch")), &ledger, &[]);
    assert_eq!(code(&out), 2, "{}", transcript(&out));
}
