//! The hostile-bundle suite: damaged, tampered and adversarial copies of the example bundles,
//! each with the verdict vouch must give.
//!
//! Every `tests/data/hostile/CASE/case.toml` describes one case: start from a copy of an
//! example bundle (`base`) or an empty directory, overlay the files of `CASE/bundle/` if it
//! exists, apply the `[[mutate]]` steps in order, run `vouch evaluate --format json` and check
//! the exit code and the status (and optionally a finding's text) of each listed control. The
//! rule the suite guards: damage never turns into a pass. See `tests/data/hostile/README.md`;
//! `HOSTILE_CASE=part cargo test --test e2e hostile::` runs only the cases whose name contains `part`.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use crate::common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::common::copy_dir;
use common::{root, temp_dir, transcript, vouch};
use serde::Deserialize;
use serde_json::Value;

/// One `case.toml`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Case {
    /// The damage, and why it must not pass.
    description: String,
    /// An example bundle to start from (`examples/bundles/NAME`); none starts empty.
    base: Option<String>,
    /// Repository-relative policy; defaults to the base example's.
    policy: Option<String>,
    /// Defaults to the base example's.
    as_of: Option<String>,
    /// Repository-relative trusted keys; default to the base example's.
    trust: Option<Vec<String>>,
    /// Extra arguments for `vouch evaluate`.
    #[serde(default)]
    args: Vec<String>,
    exit_code: i32,
    #[serde(default)]
    mutate: Vec<Mutation>,
    /// Expected outcomes of the controls named (others are not checked).
    #[serde(default)]
    controls: BTreeMap<String, Expected>,
}

/// The parts of a base example's `NAME.test.toml` a case inherits (its paths are relative to
/// `examples/bundles/`; [`prepare`] makes them relative to the workspace root).
#[derive(Debug, Deserialize)]
struct BaseExample {
    policy: String,
    as_of: String,
    trust: Vec<String>,
}

/// One change to the bundle copy.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Mutation {
    append: Option<String>,
    write: Option<String>,
    remove: Option<String>,
    replace: Option<String>,
    rename: Option<String>,
    symlink: Option<String>,
    hardlink: Option<String>,
    fifo: Option<String>,
    /// Content for `append`/`write`, as text.
    text: Option<String>,
    /// Content for `append`/`write`, as hex.
    hex: Option<String>,
    /// `replace`: the text to find (at least once) and what replaces it.
    from: Option<String>,
    /// `replace`: the new text; `rename`: the new name.
    to: Option<String>,
    /// `symlink`/`hardlink`: what the link points at (bundle-relative, or absolute).
    target: Option<String>,
}

/// A control's expected outcome: a status alone, or a status with text its findings carry.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum Expected {
    Status(String),
    Detail {
        status: String,
        /// Text that at least one finding (or the manual reason) of the control carries.
        finding: Option<String>,
    },
}

fn cases_dir() -> PathBuf {
    root().join("tests/data/hostile")
}

fn cases() -> Vec<(String, PathBuf)> {
    let mut out: Vec<(String, PathBuf)> = std::fs::read_dir(cases_dir())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.join("case.toml").is_file())
        .map(|p| (p.file_name().unwrap().to_str().unwrap().to_string(), p))
        .collect();
    out.sort();
    out
}

fn content(m: &Mutation, case: &str) -> Vec<u8> {
    match (&m.text, &m.hex) {
        (Some(t), None) => t.as_bytes().to_vec(),
        (None, Some(h)) => hex(h),
        _ => panic!("{case}: append/write takes exactly one of `text` and `hex`"),
    }
}

fn hex(h: &str) -> Vec<u8> {
    let digits: Vec<u8> = h.bytes().filter(|b| !b.is_ascii_whitespace()).collect();
    digits
        .chunks(2)
        .map(|pair| u8::from_str_radix(std::str::from_utf8(pair).unwrap(), 16).unwrap())
        .collect()
}

fn apply(m: &Mutation, bundle: &Path, case: &str) {
    let at = |rel: &str| bundle.join(rel);
    let parent = |p: &Path| std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    if let Some(rel) = &m.append {
        use std::io::Write;
        let mut f = std::fs::OpenOptions::new()
            .append(true)
            .open(at(rel))
            .unwrap_or_else(|e| panic!("{case}: append {rel}: {e}"));
        f.write_all(&content(m, case)).unwrap();
    } else if let Some(rel) = &m.write {
        parent(&at(rel));
        std::fs::write(at(rel), content(m, case)).unwrap();
    } else if let Some(rel) = &m.remove {
        let p = at(rel);
        let meta =
            std::fs::symlink_metadata(&p).unwrap_or_else(|e| panic!("{case}: remove {rel}: {e}"));
        if meta.is_dir() {
            std::fs::remove_dir_all(p).unwrap();
        } else {
            std::fs::remove_file(p).unwrap();
        }
    } else if let Some(rel) = &m.replace {
        let (from, to) = (m.from.as_ref().unwrap(), m.to.as_ref().unwrap());
        let text = std::fs::read_to_string(at(rel))
            .unwrap_or_else(|e| panic!("{case}: replace in {rel}: {e}"));
        assert!(
            text.contains(from.as_str()),
            "{case}: {rel} has no `{from}`"
        );
        std::fs::write(at(rel), text.replace(from.as_str(), to)).unwrap();
    } else if let Some(rel) = &m.rename {
        let to = at(m.to.as_ref().expect("rename needs `to`"));
        parent(&to);
        std::fs::rename(at(rel), to).unwrap();
    } else if let Some(rel) = &m.symlink {
        parent(&at(rel));
        std::os::unix::fs::symlink(m.target.as_ref().expect("symlink needs `target`"), at(rel))
            .unwrap();
    } else if let Some(rel) = &m.hardlink {
        let target = m.target.as_ref().expect("hardlink needs `target`");
        let target = if Path::new(target).is_absolute() {
            PathBuf::from(target)
        } else {
            at(target)
        };
        parent(&at(rel));
        std::fs::hard_link(target, at(rel)).unwrap();
    } else if let Some(rel) = &m.fifo {
        parent(&at(rel));
        let status = std::process::Command::new("mkfifo")
            .arg(at(rel))
            .status()
            .expect("mkfifo runs");
        assert!(status.success(), "{case}: mkfifo {rel}");
    } else {
        panic!(
            "{case}: a [[mutate]] step needs one of append, write, remove, replace, rename, symlink, hardlink, fifo"
        );
    }
}

/// Builds the case's bundle in a scratch directory and returns the `vouch evaluate` arguments.
fn prepare(name: &str, dir: &Path, case: &Case) -> Vec<String> {
    let bundle = temp_dir(&format!("hostile-{name}"));
    let base: Option<BaseExample> = case.base.as_ref().map(|b| {
        let examples = root().join("examples/bundles");
        copy_dir(&examples.join(b), &bundle);
        let text = std::fs::read_to_string(examples.join(format!("{b}.test.toml")))
            .unwrap_or_else(|e| panic!("{name}: base `{b}`: {e}"));
        let mut base: BaseExample = toml::from_str(&text).unwrap();
        let from_root = |p: &str| match p.strip_prefix("../") {
            Some(rest) => format!("examples/{rest}"),
            None => format!("examples/bundles/{p}"),
        };
        base.policy = from_root(&base.policy);
        base.trust = base.trust.iter().map(|t| from_root(t)).collect();
        base
    });
    if dir.join("bundle").is_dir() {
        copy_dir(&dir.join("bundle"), &bundle);
    }
    for m in &case.mutate {
        apply(m, &bundle, name);
    }
    let pick = |own: &Option<String>, inherited: Option<&String>, what: &str| {
        own.clone()
            .or_else(|| inherited.cloned())
            .unwrap_or_else(|| panic!("{name}: no `{what}` and no base to inherit it from"))
    };
    let policy = pick(&case.policy, base.as_ref().map(|b| &b.policy), "policy");
    let as_of = pick(&case.as_of, base.as_ref().map(|b| &b.as_of), "as_of");
    let trust = case
        .trust
        .clone()
        .or_else(|| base.as_ref().map(|b| b.trust.clone()))
        .unwrap_or_default();
    let mut args = vec![
        "evaluate".to_string(),
        "--policy".into(),
        policy,
        "--bundle".into(),
        bundle.to_str().unwrap().to_string(),
        "--as-of".into(),
        as_of,
        "--format".into(),
        "json".into(),
    ];
    for key in trust {
        args.extend(["--trust".to_string(), key]);
    }
    args.extend(case.args.iter().cloned());
    args
}

/// Every problem with one case, empty when it holds.
fn check(name: &str, dir: &Path) -> Vec<String> {
    let text = std::fs::read_to_string(dir.join("case.toml")).unwrap();
    let case: Case = toml::from_str(&text).unwrap_or_else(|e| panic!("{name}/case.toml: {e}"));
    assert!(
        !case.description.trim().is_empty(),
        "{name}: no description"
    );
    let args = prepare(name, dir, &case);
    let argv: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = vouch(&argv);
    let mut problems = Vec::new();
    if out.status.code() != Some(case.exit_code) {
        problems.push(format!(
            "exit {:?}, expected {}\n{}",
            out.status.code(),
            case.exit_code,
            transcript(&out).chars().take(4000).collect::<String>()
        ));
    }
    if case.controls.is_empty() {
        return problems;
    }
    let Ok(report) = serde_json::from_slice::<Value>(&out.stdout) else {
        problems.push(format!("no JSON report\n{}", transcript(&out)));
        return problems;
    };
    let controls: BTreeMap<&str, &Value> = report["controls"]
        .as_array()
        .map(|cs| {
            cs.iter()
                .map(|c| (c["id"].as_str().unwrap_or(""), c))
                .collect()
        })
        .unwrap_or_default();
    for (id, want) in &case.controls {
        let Some(control) = controls.get(id.as_str()) else {
            problems.push(format!("{id}: not in the report"));
            continue;
        };
        let (status, finding) = match want {
            Expected::Status(s) => (s, None),
            Expected::Detail { status, finding } => (status, finding.as_ref()),
        };
        let mut texts: Vec<String> = control["findings"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|f| f["message"].as_str().map(str::to_string))
            .collect();
        if let Some(reason) = control["reason"].as_str() {
            texts.push(reason.to_string());
        }
        if control["status"] != status.as_str() {
            problems.push(format!(
                "{id}: status {}, expected {status}; findings: {texts:#?}",
                control["status"]
            ));
        }
        if let Some(f) = finding
            && !texts.iter().any(|t| t.contains(f.as_str()))
        {
            problems.push(format!(
                "{id}: no finding contains `{f}`; findings: {texts:#?}"
            ));
        }
    }
    problems
}

#[test]
fn every_hostile_case_gives_its_verdict() {
    let only = std::env::var("HOSTILE_CASE").ok();
    let cases: Vec<(String, PathBuf)> = cases()
        .into_iter()
        .filter(|(name, _)| only.as_ref().is_none_or(|o| name.contains(o.as_str())))
        .collect();
    assert!(
        !cases.is_empty(),
        "no cases under tests/data/hostile (HOSTILE_CASE={only:?})"
    );
    let mut failures = Vec::new();
    for (name, dir) in &cases {
        let problems = check(name, dir);
        if !problems.is_empty() {
            failures.push(format!("{name}:\n  {}", problems.join("\n  ")));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} hostile cases failed:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}

#[test]
fn every_case_directory_has_a_case_file() {
    for entry in std::fs::read_dir(cases_dir()).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            assert!(
                path.join("case.toml").is_file(),
                "{} has no case.toml",
                path.display()
            );
        }
    }
}
