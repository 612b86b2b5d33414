//! A quadratic control and the bundle it runs on, shared by `tests/quadratic.rs` (the report
//! stays bounded) and `benches/quadratic.rs` (and fast): every file of the bundle has the
//! same content, so the control fails once per file and each of its findings reads every
//! file.
#![allow(
    dead_code,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test and benchmark support"
)]

use std::path::Path;

/// The control: no two files have the same content. Each `a` compares itself with every
/// `b` (`count` reads them all), so one evaluation reads `files²` records.
pub const QUADRATIC: &str = "  for a in files {\n    expect count(b in files: b.path != a.path and b.sha256 == a.sha256) == 0\n      else \"{a.path} has the same content as another file\"\n  }";

/// The same-run baseline: a linear control that fails once per file with the same message,
/// each finding citing its one file.
pub const LINEAR: &str = "  for a in files {\n    expect a.path.starts_with(\"elsewhere/\") and a.sha256 != \"\"\n      else \"{a.path} has the same content as another file\"\n  }";

/// Writes `n` files of the same content under `dir/data/`.
pub fn write_bundle(dir: &Path, n: usize) {
    for i in 0..n {
        let path = dir.join(format!("data/part-{:02}/file-{i:05}.txt", i / 100));
        if i % 100 == 0 {
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        }
        std::fs::write(path, "the same content\n").unwrap();
    }
}

/// A runaway control: three nested loops over a 1,000-element list (10^9 iterations).
pub fn cubic() -> vouch_lang::CheckedPolicy {
    let items: Vec<String> = (0..1000).map(|i| i.to_string()).collect();
    let params = format!("param xs: list<int> = [{}]\n", items.join(", "));
    policy_with(
        &params,
        "  for a in xs {\n    for b in xs {\n      for c in xs {\n        expect a + b + c >= 0\n      }\n    }\n  }",
    )
}

/// A runaway control: a string doubled forty times (8 TiB).
pub fn doubling() -> vouch_lang::CheckedPolicy {
    let mut body = String::from("  let s0 = \"xxxxxxxx\"\n");
    for i in 1..=40 {
        body.push_str(&format!("  let s{i} = s{} + s{}\n", i - 1, i - 1));
    }
    body.push_str("  expect len(s40) > 0");
    policy_with("", &body)
}

/// A checked one-control policy (`DUP-1`) whose body is `body`.
pub fn policy(body: &str) -> vouch_lang::CheckedPolicy {
    policy_with("", body)
}

/// [`policy`] with `params` above the control.
fn policy_with(params: &str, body: &str) -> vouch_lang::CheckedPolicy {
    let text = format!(
        "policy \"dup\" {{\n  title = \"Duplicates\"\n  framework = \"uk-sscop\"\n}}\n{params}\n\
         control \"DUP-1\" {{\n  title = \"No two files have the same content\"\n  provision = [\"3.1\"]\n  severity = high\n{body}\n}}\n"
    );
    let mut frameworks = vouch_lang::Frameworks::new();
    let uk_sscop = include_str!("../../../stdlib-policies/frameworks/uk-sscop.toml");
    frameworks.insert(
        vouch_lang::Framework::from_toml(&vouch_lang::Source::new("uk-sscop.toml", uk_sscop))
            .unwrap(),
    );
    let out = vouch_lang::check(
        vouch_lang::Source::new("dup.vouch", text),
        &vouch_lang::NoImports,
        &frameworks,
    );
    out.policy
        .unwrap_or_else(|| panic!("the policy checks: {:#?}", out.diagnostics))
}
