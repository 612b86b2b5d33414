//! Headless Chromium for the tests that load a page vouch wrote (the HTML report, the
//! history page): find it, run it with a fresh profile and no background networking, and
//! read back from its net log every URL the page asked for. Shared by the `engine` and `e2e`
//! test binaries (the latter includes this file by path).
#![allow(
    dead_code,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "tests"
)]

use std::path::Path;
use std::process::{Command, Output};

use serde_json::Value;

/// The Chromium binary, if one is installed.
pub fn chromium(test: &str) -> Option<&'static str> {
    let found = ["chromium", "chromium-browser", "google-chrome"]
        .into_iter()
        .find(|b| {
            Command::new(b)
                .arg("--version")
                .output()
                .is_ok_and(|o| o.status.success())
        });
    if found.is_none() {
        eprintln!("skipping {test}: `chromium` is not installed");
    }
    found
}

/// Runs headless Chromium on `page` with a fresh profile under `dir`, bounded by `timeout`.
pub fn run(browser: &str, dir: &Path, name: &str, extra: &[String], page: &Path) -> Output {
    let profile = dir.join(format!("profile-{name}"));
    let out = Command::new("timeout")
        .arg("120")
        .arg(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-dev-shm-usage",
            "--hide-scrollbars",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(extra)
        .arg(format!("file://{}", page.display()))
        .output()
        .expect("chromium runs");
    assert!(
        out.status.success(),
        "chromium {name} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// Every URL Chromium's network stack was asked for, less its own background services.
pub fn requested_urls(netlog: &Path) -> Vec<String> {
    let log: Value = serde_json::from_str(&std::fs::read_to_string(netlog).unwrap()).unwrap();
    let mut urls = Vec::new();
    collect_urls(&log["events"], &mut urls);
    urls.retain(|u| {
        let host = u
            .split("://")
            .nth(1)
            .and_then(|rest| rest.split(['/', ':', '?']).next())
            .unwrap_or("");
        !["google.com", "googleapis.com", "gstatic.com", "gvt1.com"]
            .iter()
            .any(|d| host == *d || host.ends_with(&format!(".{d}")))
    });
    urls.sort();
    urls.dedup();
    urls
}

fn collect_urls(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::Object(m) => {
            for (k, x) in m {
                if k == "url"
                    && let Some(s) = x.as_str()
                {
                    out.push(s.to_owned());
                }
                collect_urls(x, out);
            }
        }
        Value::Array(a) => a.iter().for_each(|x| collect_urls(x, out)),
        _ => {}
    }
}
