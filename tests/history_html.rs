//! `vouch history`'s open waiver debt and its HTML page: the debt of the latest evaluation
//! of each product with days to expiry, and the page checked for self-containment, escaping,
//! and in headless Chromium (skipped, saying so, only when Chromium is not installed; `.ci/run`
//! installs it).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use crate::{chromium, common};

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Output;

use common::{EXAMPLE_TRUST, temp_dir, transcript, vouch};
use vouch_ledger::history::{Evaluation, Failed, History, Point, Trend};

fn code(out: &Output) -> i32 {
    out.status.code().unwrap_or(-1)
}

fn p(path: &Path) -> &str {
    path.to_str().unwrap()
}

fn record(ledger: &Path, bundle: &str, extra: &[&str]) {
    let report = ledger.with_extension(format!("{bundle}.json"));
    let bundle = format!("examples/bundles/{bundle}");
    let mut args = vec![
        "evaluate",
        "--policy",
        "examples/policies/acme.vouch",
        "--bundle",
        &bundle,
        "--as-of",
        "2026-10-02",
        "--output",
        p(&report),
        "--record",
        p(ledger),
    ];
    args.extend(EXAMPLE_TRUST);
    args.extend(extra);
    let out = vouch(&args);
    assert!(code(&out) == 0 || code(&out) == 1, "{}", transcript(&out));
}

/// compliant and failing (widget 2.4.1), then waived (widget 2.3.5) with its waivers.
fn ledger(dir: &Path) -> std::path::PathBuf {
    let ledger = dir.join("ledger.db");
    record(&ledger, "compliant", &[]);
    record(&ledger, "failing", &[]);
    record(
        &ledger,
        "waived",
        &["--waivers", "examples/waivers/waived.toml"],
    );
    ledger
}

#[test]
fn waiver_debt_of_the_latest_evaluation() {
    let dir = temp_dir("history-debt");
    let ledger = ledger(&dir);
    let out = vouch(&["history", p(&ledger), "--format", "json"]);
    assert_eq!(code(&out), 0, "{}", transcript(&out));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let debt = json["waiver_debt"].as_array().unwrap();
    let rows: Vec<(String, i64, bool)> = debt
        .iter()
        .map(|d| {
            (
                d["id"].as_str().unwrap().to_owned(),
                d["days_to_expiry"].as_i64().unwrap(),
                d["expired"].as_bool().unwrap(),
            )
        })
        .collect();
    // As of 2026-10-02: W-2026-019 ran out on 2026-09-15; the others end 2026-12-31 and
    // 2027-04-01.
    assert_eq!(
        rows,
        [
            ("W-2026-019".to_owned(), -17, true),
            ("W-2026-031".to_owned(), 90, false),
            ("W-2026-032".to_owned(), 181, false),
        ]
    );
    assert!(
        debt.iter()
            .all(|d| d["seq"] == 3 && d["version"] == "2.3.5")
    );

    let out = vouch(&["history", p(&ledger)]);
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("widget 2.3.5 (#3): waiver W-2026-019 of SBOM (expired), expires 2026-09-15: EXPIRED 17 days ago"),
        "{text}"
    );
    // Only the latest evaluation counts: after it, a release without waivers has no debt.
    record(&ledger, "compliant", &[]);
    let out = vouch(&["history", p(&ledger), "--format", "json"]);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["waiver_debt"], serde_json::json!([]));
}

fn hostile_history() -> History {
    let evil = "<script>alert(1)</script>";
    History {
        evaluations: vec![Evaluation {
            seq: 1,
            recorded_at: "2026-10-02T00:00:00Z".into(),
            product: Some(evil.into()),
            version: Some("1\"><img src=x>".into()),
            as_of: "2026-10-02T00:00:00Z".into(),
            policy_sha256: "a".repeat(64),
            bundle_digest: "b".repeat(64),
            gate: "fail".into(),
            summary: BTreeMap::from([("total".into(), 1), ("fail".into(), 1)]),
            report_sha256: "c".repeat(64),
        }],
        controls: vec![Trend {
            id: evil.into(),
            points: vec![Point {
                seq: 1,
                as_of: "2026-10-02T00:00:00Z".into(),
                status: "fail".into(),
            }],
        }],
        principles: Vec::new(),
        failed: vec![Failed {
            seq: 1,
            product: Some(evil.into()),
            version: None,
            as_of: "2026-10-02T00:00:00Z".into(),
            controls: vec![format!("{evil} (fail)")],
        }],
    }
}

#[test]
fn html_page_escapes_and_is_self_contained() {
    let html = vouch_ledger::html_page(&hostile_history(), &[]);
    assert!(!html.contains("<script"), "{html}");
    assert!(!html.contains("<img"), "{html}");
    assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    let allowed = [
        "!DOCTYPE", "html", "head", "meta", "title", "style", "body", "h1", "h2", "p", "span",
        "section", "table", "thead", "tbody", "tr", "th", "td", "svg", "rect", "line", "text",
        "polyline", "circle",
    ];
    for tag in html
        .split('<')
        .skip(1)
        .map(|rest| rest.split('>').next().unwrap())
    {
        let name = tag
            .trim_start_matches('/')
            .split([' ', '>'])
            .next()
            .unwrap();
        assert!(allowed.contains(&name), "unexpected element <{tag}>");
        assert!(
            !tag.contains(" src=") && !tag.contains(" href="),
            "<{tag}> loads something"
        );
    }
    assert!(!html.contains("@import") && !html.contains("url("));
}

#[test]
fn html_history_renders_in_chromium_without_network() {
    let Some(browser) = chromium::chromium("html_history_renders_in_chromium_without_network")
    else {
        return;
    };
    let dir = temp_dir("history-html");
    let ledger = ledger(&dir);
    let out = vouch(&["history", p(&ledger), "--format", "html"]);
    assert_eq!(code(&out), 0, "{}", transcript(&out));
    let page = dir.join("history.html");
    std::fs::write(&page, &out.stdout).unwrap();
    let netlog = dir.join("netlog.json");
    let shot = dir.join("history.png");
    let run = |extra: &[String]| chromium::run(browser, &dir, "history", extra, &page);
    let out = run(&[
        "--dump-dom".into(),
        format!("--log-net-log={}", netlog.display()),
    ]);
    let dom = String::from_utf8(out.stdout).unwrap();
    for id in [
        "trend",
        "principles",
        "controls",
        "evaluations",
        "failed",
        "waiver-debt",
        "trend-chart",
    ] {
        assert!(
            dom.contains(&format!("id=\"{id}\"")),
            "section {id} missing"
        );
    }
    // The browser parsed the SVG charts: one status cell per control per evaluation.
    assert!(dom.matches("<rect x=").count() >= 3 * 21);
    assert_eq!(dom.matches("<tr class=\"failed-release\">").count(), 2);
    assert_eq!(dom.matches("<tr class=\"expired\">").count(), 1);
    assert!(
        dom.contains("3 evaluations, 2 failed the gate, 3 open waivers (1 expired)."),
        "{dom}"
    );
    let requested = chromium::requested_urls(&netlog);
    assert!(
        requested.is_empty(),
        "the history page requested {requested:?}"
    );
    run(&[
        "--window-size=1280,2000".into(),
        format!("--screenshot={}", shot.display()),
    ]);
    let png = std::fs::read(&shot).unwrap();
    assert!(
        png.starts_with(b"\x89PNG\r\n\x1a\n") && png.len() > 10_000,
        "a real screenshot"
    );
}
