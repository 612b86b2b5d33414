//! The HTML report in a real browser: headless Chromium loads it from a file, and the test
//! checks the DOM has every section, that hostile report text stayed text, that the page
//! made no network request (Chromium's net log lists every URL request; a probe page with
//! an `<img>` shows the check would see one), and that a screenshot and a PDF print work.
//!
//! Skips, saying so, only when Chromium is not installed (`.ci/run` installs it). Set
//! `VOUCH_RENDER_ARTIFACTS=DIR` to keep the HTML, screenshot and PDF for a look.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "tests"
)]

use crate::chromium::{chromium, requested_urls, run};
use crate::render_common;

use std::path::PathBuf;

use vouch_engine::report::render::{Format, render};

fn workdir() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("report.html");
    std::fs::write(&page, render(&render_common::fixture(), Format::Html)).unwrap();
    (dir, page)
}

#[test]
fn html_report_renders_in_chromium_without_network() {
    let Some(browser) = chromium("html_report_renders_in_chromium_without_network") else {
        return;
    };
    let (dir, page) = workdir();
    let netlog = dir.path().join("netlog.json");
    let out = run(
        browser,
        dir.path(),
        "dom",
        &[
            "--dump-dom".into(),
            format!("--log-net-log={}", netlog.display()),
        ],
        &page,
    );
    let dom = String::from_utf8(out.stdout).unwrap();

    assert!(
        dom.contains("<h1>Compliance report: ACME release policy</h1>"),
        "{dom}"
    );
    for id in [
        "report-header",
        "summary",
        "principles",
        "controls",
        "waivers",
        "attestations",
        "bundle-problems",
        "evidence",
    ] {
        assert!(
            dom.contains(&format!("id=\"{id}\"")),
            "section {id} missing"
        );
    }
    assert_eq!(dom.matches("<article class=\"control").count(), 9);
    assert!(dom.contains("id=\"control-ACME-SIGN-1\""));
    // Hostile text is text, not markup.
    assert!(dom.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    for tag in ["<script", "<img", "<iframe"] {
        assert!(!dom.contains(tag), "{tag} in the DOM");
    }
    let requested = requested_urls(&netlog);
    assert!(
        requested.is_empty(),
        "the report page requested {requested:?}"
    );

    // The check above would have seen a request: a probe page with an image does make one.
    let probe = dir.path().join("probe.html");
    std::fs::write(
        &probe,
        "<!DOCTYPE html><img src=\"http://127.0.0.1:9/probe.png\">",
    )
    .unwrap();
    let probe_log = dir.path().join("probe-netlog.json");
    run(
        browser,
        dir.path(),
        "probe",
        &[
            "--dump-dom".into(),
            format!("--log-net-log={}", probe_log.display()),
        ],
        &probe,
    );
    let probed = requested_urls(&probe_log);
    assert!(
        probed.iter().any(|u| u.contains("127.0.0.1:9/probe.png")),
        "the net log check sees requests: {probed:?}"
    );
}

#[test]
fn html_report_screenshots_and_prints() {
    let Some(browser) = chromium("html_report_screenshots_and_prints") else {
        return;
    };
    let (dir, page) = workdir();
    let shot = dir.path().join("report.png");
    let pdf = dir.path().join("report.pdf");
    run(
        browser,
        dir.path(),
        "shot",
        &[
            "--window-size=1280,2400".into(),
            format!("--screenshot={}", shot.display()),
        ],
        &page,
    );
    run(
        browser,
        dir.path(),
        "pdf",
        &[
            "--no-pdf-header-footer".into(),
            format!("--print-to-pdf={}", pdf.display()),
        ],
        &page,
    );
    let png = std::fs::read(&shot).unwrap();
    assert!(
        png.starts_with(b"\x89PNG\r\n\x1a\n") && png.len() > 10_000,
        "a real screenshot"
    );
    let printed = std::fs::read(&pdf).unwrap();
    assert!(
        printed.starts_with(b"%PDF-") && printed.len() > 10_000,
        "a real PDF"
    );
    if let Some(keep) = std::env::var_os("VOUCH_RENDER_ARTIFACTS") {
        let keep = PathBuf::from(keep);
        std::fs::create_dir_all(&keep).unwrap();
        for f in [&page, &shot, &pdf] {
            std::fs::copy(f, keep.join(f.file_name().unwrap())).unwrap();
        }
    }
}

/// Without a browser: the page loads nothing. Report text escapes `<`, so every `<` in the
/// output opens a tag: only known inert elements occur, no tag has a `src` attribute, the
/// style sheet imports nothing, and every link is in-page except the framework's source.
#[test]
fn html_report_is_self_contained() {
    let report = render_common::fixture();
    let html = render(&report, Format::Html);
    let allowed = [
        "!DOCTYPE", "html", "head", "meta", "title", "style", "body", "header", "h1", "h2", "h3",
        "h4", "p", "span", "dl", "dt", "dd", "ul", "ol", "li", "a", "code", "nav", "main",
        "section", "article", "table", "thead", "tbody", "tr", "th", "td", "small", "strong", "br",
        "details", "summary", "footer",
    ];
    let source = report.policy.framework_source.clone().unwrap();
    let mut links = 0;
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
        assert!(
            allowed.contains(&name),
            "element <{name}> in the HTML report"
        );
        assert!(!tag.contains(" src="), "<{tag}>");
        if let Some(href) = tag.split("href=\"").nth(1) {
            let href = href.split('"').next().unwrap();
            assert!(
                href.starts_with('#') || href == source,
                "external link {href}"
            );
            links += 1;
        }
    }
    assert!(links > 10);
    let css = html
        .split("<style>")
        .nth(1)
        .unwrap()
        .split("</style>")
        .next()
        .unwrap();
    assert!(!css.contains("url(") && !css.contains("@import"));
    assert!(html.contains("Content-Security-Policy\" content=\"default-src 'none'"));
}
