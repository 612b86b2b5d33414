//! The CI examples, `examples/ci/github-actions.yml` and `examples/ci/gitlab-ci.yml`, cannot go
//! stale: both are parsed as YAML, and every `vouch` command line in their scripts
//!
//! - names a subcommand `vouch --help` lists, and only flags `vouch SUBCOMMAND --help` lists;
//! - runs, against a test bundle laid out where the command looks for it (the policy loads the
//!   uk-sscop pack; the bundle fails some of its controls), and `vouch evaluate` exits 1, not 2,
//!   writing every report the pipeline then uploads.
//!
//! The pipelines must also upload their reports when the gate fails: on GitHub every step after
//! the evaluation that uploads or shows a report runs `if: always()`, on GitLab the job's
//! `artifacts` are kept `when: always`, and neither lets the evaluation fail quietly.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use crate::common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use common::bundle::{Variant, write_bundle};
use common::{root, temp_dir, transcript, vouch, vouch_in};
use yaml_rust2::{Yaml, YamlLoader};

/// The subcommands of `vouch`.
const SUBCOMMANDS: &[&str] = &[
    "authority",
    "check",
    "evaluate",
    "explain",
    "fmt",
    "gate",
    "graph",
];

/// Jo Bloggs's TEST-ONLY key, a release manager in `examples/authority/people.json`.
const RELEASER: &str = "12E3870E608AAEAD7BB1F007FE9305CD6E6C0D0D";

/// The values the pipelines' variables take in the test.
const VARIABLES: &[(&str, &str)] = &[
    ("AS_OF", "2026-10-02T00:00:00Z"),
    ("CI_COMMIT_TIMESTAMP", "2026-10-02T00:00:00Z"),
    ("RELEASER_KEY", RELEASER),
    ("GITHUB_REF_NAME", "v2.5.0"),
    ("CI_COMMIT_TAG", "v2.5.0"),
    ("RUNNER_TEMP", "runner-temp"),
    ("VOUCH_SIGNING_KEY", "ci-secrets/vouch-signing-key.pem"),
];

fn load(name: &str) -> Yaml {
    let path = root().join("examples/ci").join(name);
    let text = std::fs::read_to_string(&path).unwrap();
    let mut docs = YamlLoader::load_from_str(&text)
        .unwrap_or_else(|e| panic!("{}: not valid YAML: {e}", path.display()));
    assert_eq!(docs.len(), 1, "{name}: one YAML document");
    docs.remove(0)
}

fn text(yaml: &Yaml) -> Option<&str> {
    yaml.as_str()
}

/// The flags (long and short) a subcommand's `--help` lists.
fn accepted_flags(sub: Option<&str>) -> BTreeSet<String> {
    let mut args: Vec<&str> = sub.into_iter().collect();
    args.push("--help");
    let out = vouch(&args);
    assert_eq!(out.status.code(), Some(0), "{}", transcript(&out));
    let help = String::from_utf8(out.stdout).unwrap();
    let mut flags = BTreeSet::new();
    for line in help.lines().map(str::trim_start) {
        if !line.starts_with('-') {
            continue;
        }
        for word in line.split([',', ' ']) {
            let flag = word.trim_start_matches('-');
            if word.starts_with('-') && flag.starts_with(|c: char| c.is_ascii_alphabetic()) {
                flags.insert(word.split(['=', '<']).next().unwrap().to_string());
            }
        }
    }
    flags
}

/// A shell line split into words, as `sh` would for a simple command: quotes removed,
/// backslash escapes undone, `$NAME` and `${NAME}` expanded from [`VARIABLES`].
fn words(line: &str) -> Vec<String> {
    let vars: BTreeMap<&str, &str> = VARIABLES.iter().copied().collect();
    let mut out = Vec::new();
    let mut word = String::new();
    let mut in_word = false;
    let mut quote: Option<char> = None;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match (quote, c) {
            (None, c) if c.is_whitespace() => {
                if in_word {
                    out.push(std::mem::take(&mut word));
                    in_word = false;
                }
            }
            (None, '#') if !in_word => break,
            (None, '\'' | '"') => {
                quote = Some(c);
                in_word = true;
            }
            (Some(q), c) if c == q => quote = None,
            (q, '$') if q != Some('\'') => {
                let braced = chars.peek() == Some(&'{');
                if braced {
                    chars.next();
                }
                let mut name = String::new();
                while let Some(&n) = chars.peek() {
                    if n.is_ascii_alphanumeric() || n == '_' {
                        name.push(n);
                        chars.next();
                    } else {
                        break;
                    }
                }
                if braced {
                    assert_eq!(
                        chars.next(),
                        Some('}'),
                        "`${{{name}` is not closed in `{line}`"
                    );
                }
                assert!(
                    !name.is_empty(),
                    "a vouch command line has `$` without a variable name (command substitution?): `{line}`"
                );
                let value = vars.get(name.as_str()).unwrap_or_else(|| {
                    panic!("`{line}` uses ${name}; give it a value in VARIABLES of tests/ci_examples.rs")
                });
                word.push_str(value);
                in_word = true;
            }
            (q, '\\') if q != Some('\'') => {
                if let Some(n) = chars.next() {
                    word.push(n);
                    in_word = true;
                }
            }
            (_, c) => {
                word.push(c);
                in_word = true;
            }
        }
    }
    assert!(quote.is_none(), "unclosed quote in `{line}`");
    if in_word {
        out.push(word);
    }
    out
}

/// The `vouch` commands of a script, in order, as words.
fn vouch_commands(script: &str) -> Vec<Vec<String>> {
    let joined = script.replace("\\\n", " ");
    let mut out = Vec::new();
    for line in joined.lines().map(str::trim) {
        if line.starts_with('#') {
            continue;
        }
        if line.starts_with("vouch ") {
            out.push(words(line));
            continue;
        }
        // A vouch command hidden inside another line (`x && vouch evaluate ...`) would go
        // unchecked: keep each on a line of its own.
        assert!(
            !SUBCOMMANDS
                .iter()
                .any(|s| line.contains(&format!("vouch {s}"))),
            "put the vouch command on a line of its own: `{line}`"
        );
    }
    out
}

/// The value after `flag` in each place it occurs.
fn values<'a>(command: &'a [String], flag: &str) -> Vec<&'a str> {
    command
        .windows(2)
        .filter(|w| w[0] == flag)
        .map(|w| w[1].as_str())
        .collect()
}

/// Checks a command's subcommand and flags against the CLI's `--help`.
fn check_flags(file: &str, command: &[String]) {
    let sub = command.get(1).map(String::as_str);
    assert!(
        sub.is_some_and(|s| SUBCOMMANDS.contains(&s)),
        "{file}: `{}` names no subcommand vouch has ({SUBCOMMANDS:?})",
        command.join(" ")
    );
    let accepted = accepted_flags(sub);
    for word in command.iter().skip(2).filter(|w| w.starts_with('-')) {
        let flag = word.split('=').next().unwrap();
        assert!(
            accepted.contains(flag),
            "{file}: `vouch {}` does not accept `{flag}` (it accepts {accepted:?})",
            sub.unwrap()
        );
    }
}

/// Lays out, under `dir`, what the commands look for: the policy, the bundle, the keys and the
/// waivers they name.
fn workspace(dir: &Path, commands: &[Vec<String>]) {
    let write = |rel: &str, content: &[u8]| {
        let path = dir.join(rel.trim_end_matches('/'));
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, content).unwrap();
    };
    for command in commands {
        for policy in values(command, "--policy") {
            write(
                policy,
                b"policy \"acme-release\" {\n  title = \"ACME release policy\"\n  framework = \"uk-sscop\"\n}\n\n\
                  use std.uk_sscop with { patch_sla = { critical: 24h, high: 5d, medium: 30d, low: 90d } }\n",
            );
        }
        for bundle in values(command, "--bundle") {
            let path = dir.join(bundle.trim_end_matches('/'));
            if !path.exists() {
                std::fs::create_dir_all(&path).unwrap();
                write_bundle(&path, Variant::Good, false);
            }
        }
        // The CI secret: a signing key made by openssl, as the examples' comments say.
        for key in values(command, "--sign-key") {
            let path = dir.join(key);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            let out = std::process::Command::new("openssl")
                .args(["genpkey", "-algorithm", "ed25519", "-out"])
                .arg(&path)
                .output()
                .expect("openssl is installed (.ci/run installs it)");
            assert!(out.status.success());
        }
        for key in values(command, "--trust") {
            let pem =
                std::fs::read(root().join("engine/tests/fixtures/signatures/cosign/p256.pub"))
                    .unwrap();
            write(key, &pem);
        }
        if command[1] == "gate" {
            for (flag, example) in [
                ("--authority", "examples/authority/gate.cedar"),
                ("--authority-entities", "examples/authority/people.json"),
            ] {
                for path in values(command, flag) {
                    write(path, &std::fs::read(root().join(example)).unwrap());
                }
            }
        }
        for waivers in values(command, "--waivers") {
            write(
                waivers,
                b"[[waiver]]\ncontrol = \"PROVENANCE\"\nsubject = \"dist/widget-2.5.0.tar.gz\"\n\
                  justification = \"the build platform signs provenance from 2.6\"\n\
                  effective = 2026-09-01\nexpires = 2026-12-31\n",
            );
        }
    }
}

/// Runs the commands in `dir`, in order: each must do its job, and `vouch evaluate` must fail
/// the gate (the test bundle fails controls of the pack) and write its reports.
fn run(file: &str, dir: &Path, commands: &[Vec<String>]) {
    let mut evaluated = 0;
    for command in commands {
        let args: Vec<&str> = command.iter().skip(1).map(String::as_str).collect();
        let out = vouch_in(dir, &args);
        // The test bundle fails controls: the evaluation exits 1, and the gate, asked about
        // that report, denies (1).
        let want = if matches!(args[0], "evaluate" | "gate") {
            1
        } else {
            0
        };
        assert_eq!(
            out.status.code(),
            Some(want),
            "{file}: `{}` should exit {want}:\n{}",
            command.join(" "),
            transcript(&out)
        );
        if args[0] == "gate" {
            let stdout = String::from_utf8_lossy(&out.stdout);
            assert!(
                stdout.contains("deny"),
                "{file}: the gate should deny a release that failed controls:\n{}",
                transcript(&out)
            );
        }
        if args[0] == "evaluate" {
            evaluated += 1;
            let outdir = values(command, "--output-dir");
            assert_eq!(
                outdir.len(),
                1,
                "{file}: the evaluation writes one report per --format into --output-dir"
            );
            for format in values(command, "--format") {
                let name = match format {
                    "json" => "report.json",
                    "markdown" => "report.md",
                    "html" => "report.html",
                    "sarif" => "report.sarif",
                    "junit" => "report.xml",
                    "oscal" => "report.oscal.json",
                    other => panic!("{file}: unknown format `{other}`"),
                };
                assert!(
                    dir.join(outdir[0]).join(name).is_file(),
                    "{file}: `--format {format}` wrote no {name}"
                );
            }
            // The signed attestation, about every report written.
            for attestation in values(command, "--attestation") {
                let envelope: serde_json::Value =
                    serde_json::from_slice(&std::fs::read(dir.join(attestation)).unwrap())
                        .unwrap_or_else(|e| panic!("{file}: {attestation}: {e}"));
                assert_eq!(envelope["payloadType"], "application/vnd.in-toto+json");
                assert_eq!(envelope["signatures"].as_array().unwrap().len(), 1);
            }
        }
    }
    assert!(evaluated > 0, "{file} runs no `vouch evaluate`");
    assert_eq!(
        commands.last().map(|c| c[1].as_str()),
        Some("gate"),
        "{file}: `vouch gate` must be the pipeline's last vouch command"
    );
}

/// Every command of a file: flags checked, then run in a workspace laid out for them.
fn exercise(file: &str, commands: &[Vec<String>]) -> std::path::PathBuf {
    assert!(!commands.is_empty(), "{file} has no vouch command");
    for command in commands {
        check_flags(file, command);
    }
    let dir = temp_dir(&format!("ci-examples-{file}"));
    workspace(&dir, commands);
    run(file, &dir, commands);
    dir
}

#[test]
fn github_actions_example_runs_and_uploads_when_the_gate_fails() {
    let file = "github-actions.yml";
    let doc = load(file);
    let jobs = doc["jobs"].as_hash().expect("jobs");
    let mut commands = Vec::new();
    // (the step's description, its `if`, whether it comes after an evaluation)
    let mut reporting: Vec<(String, Option<String>)> = Vec::new();
    let mut uploads: Vec<String> = Vec::new();
    for (_, job) in jobs {
        let mut after_evaluation = false;
        for step in job["steps"].as_vec().expect("steps") {
            let name = text(&step["name"])
                .or(text(&step["uses"]))
                .unwrap_or("a step")
                .to_string();
            let condition = text(&step["if"]).map(str::to_string);
            if let Some(script) = text(&step["run"]) {
                let found = vouch_commands(script);
                if found.iter().any(|c| c[1] == "evaluate") {
                    assert!(
                        step["continue-on-error"].is_badvalue(),
                        "{file}: `{name}` must fail the job when a control fails"
                    );
                    after_evaluation = true;
                } else if after_evaluation
                    && script.contains("out/")
                    && !found.iter().any(|c| c[1] == "gate")
                {
                    reporting.push((name.clone(), condition.clone()));
                }
                commands.extend(found);
            }
            if let Some(uses) = text(&step["uses"]) {
                if uses.starts_with("github/codeql-action/upload-sarif") {
                    uploads.push(text(&step["with"]["sarif_file"]).unwrap().to_string());
                    reporting.push((name.clone(), condition.clone()));
                }
                if uses.starts_with("actions/upload-artifact") {
                    uploads.push(text(&step["with"]["path"]).unwrap().to_string());
                    reporting.push((name.clone(), condition.clone()));
                }
            }
        }
    }
    assert!(
        uploads.iter().any(|u| u.ends_with(".sarif")),
        "{file} uploads no SARIF"
    );
    for (name, condition) in &reporting {
        assert!(
            condition.as_deref().is_some_and(|c| c.contains("always()")),
            "{file}: `{name}` must run when the gate fails (`if: always()`), has {condition:?}"
        );
    }
    // The gate is the last step of its job, and runs only when the evaluation passed.
    let gate_job = jobs
        .values()
        .find(|job| {
            job["steps"].as_vec().is_some_and(|steps| {
                steps
                    .iter()
                    .any(|s| text(&s["run"]).is_some_and(|r| r.contains("vouch gate")))
            })
        })
        .unwrap_or_else(|| panic!("{file} has no `vouch gate` step"));
    let last = gate_job["steps"].as_vec().unwrap().last().unwrap();
    assert!(
        text(&last["run"]).is_some_and(|r| r.contains("vouch gate")),
        "{file}: `vouch gate` must be the last step of its job"
    );
    assert!(
        last["if"].is_badvalue(),
        "{file}: the gate runs only when the evaluation passed (no `if:`)"
    );
    let dir = exercise(file, &commands);
    for path in &uploads {
        assert!(
            dir.join(path.trim_end_matches('/')).exists(),
            "{file} uploads `{path}`, which the evaluation does not write"
        );
    }
}

#[test]
fn gitlab_ci_example_runs_and_keeps_reports_when_the_gate_fails() {
    let file = "gitlab-ci.yml";
    let doc = load(file);
    let mut commands = Vec::new();
    let mut reports: Vec<String> = Vec::new();
    for (key, job) in doc.as_hash().expect("a mapping") {
        if job["script"].is_badvalue() {
            continue;
        }
        let name = text(key).unwrap_or("a job");
        let mut found = Vec::new();
        for part in ["before_script", "script", "after_script"] {
            let lines: Vec<&str> = match &job[part] {
                Yaml::String(s) => vec![s.as_str()],
                Yaml::Array(items) => items.iter().filter_map(Yaml::as_str).collect(),
                _ => Vec::new(),
            };
            for script in lines {
                found.extend(vouch_commands(script));
            }
        }
        if found.iter().any(|c| c[1] == "evaluate") {
            assert!(
                job["allow_failure"].as_bool() != Some(true),
                "{file}: `{name}` must fail the pipeline when a control fails"
            );
            let artifacts = &job["artifacts"];
            assert_eq!(
                text(&artifacts["when"]),
                Some("always"),
                "{file}: `{name}` must keep its reports when the gate fails (`artifacts: when: always`)"
            );
            let junit = text(&artifacts["reports"]["junit"])
                .unwrap_or_else(|| panic!("{file}: `{name}` declares no JUnit report"));
            reports.push(junit.to_string());
            for path in artifacts["paths"].as_vec().into_iter().flatten() {
                reports.push(text(path).unwrap().to_string());
            }
        }
        commands.extend(found);
    }
    let dir = exercise(file, &commands);
    for path in &reports {
        assert!(
            dir.join(path.trim_end_matches('/')).exists(),
            "{file} keeps `{path}`, which the evaluation does not write"
        );
    }
}

#[test]
fn the_shell_words_of_a_command() {
    assert_eq!(
        words(r#"vouch evaluate --as-of "$AS_OF" --policy 'a b' x\ y # comment"#),
        [
            "vouch",
            "evaluate",
            "--as-of",
            "2026-10-02T00:00:00Z",
            "--policy",
            "a b",
            "x y"
        ]
    );
    assert_eq!(
        vouch_commands("vouch evaluate \\\n  --bundle b/ \\\n  --trust k\necho done\n"),
        [["vouch", "evaluate", "--bundle", "b/", "--trust", "k"]]
    );
}
