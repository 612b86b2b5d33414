//! The Rego reference of the cold-start comparison, `benches/data/acme.rego`, says what vouch
//! says: on every example bundle, evaluated as its `NAME.test.toml` says (without waivers,
//! which the Rego does not apply), each control has the same status in both, and a failing
//! one the same findings, word for word. The Rego reads the evidence values as
//! `EvidenceValues::to_json` writes them (what `cargo run --example rego-input` prints), so
//! this also checks that JSON against the values the policy judged.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::sync::Arc;

use serde::Deserialize;
use vouch_engine::evidence::EvidenceValues;
use vouch_engine::{IngestOptions, KeyStore, NoProgress};

use crate::common::{root, transcript, vouch};

/// The fields of `examples/bundles/NAME.test.toml` this needs.
#[derive(Deserialize)]
struct Example {
    policy: String,
    bundle: String,
    as_of: String,
    trust: Vec<String>,
}

/// Per control: its status, and its findings' messages.
type Outcome = BTreeMap<String, (String, BTreeSet<String>)>;

fn vouch_outcome(example: &Example, dir: &std::path::Path) -> Outcome {
    let path = |p: &str| dir.join(p).display().to_string();
    let (policy, bundle) = (path(&example.policy), path(&example.bundle));
    let mut args = vec![
        "evaluate",
        "--policy",
        &policy,
        "--bundle",
        &bundle,
        "--as-of",
        &example.as_of,
        "--format",
        "json",
    ];
    let keys: Vec<String> = example.trust.iter().map(|k| path(k)).collect();
    for key in &keys {
        args.extend(["--trust", key]);
    }
    let out = vouch(&args);
    assert!(
        out.status.code().is_some_and(|c| c < 2),
        "{}",
        transcript(&out)
    );
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    report["controls"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            assert_eq!(c["findings_omitted"].as_u64().unwrap_or(0), 0);
            let messages = c["findings"]
                .as_array()
                .map(|fs| {
                    fs.iter()
                        .map(|f| f["message"].as_str().unwrap().to_owned())
                        .collect()
                })
                .unwrap_or_default();
            let status = c["status"].as_str().unwrap().to_owned();
            (c["id"].as_str().unwrap().to_owned(), (status, messages))
        })
        .collect()
}

fn rego_outcome(example: &Example, dir: &std::path::Path) -> Outcome {
    let as_of: jiff::Timestamp = format!("{}T00:00:00Z", example.as_of).parse().unwrap();
    let keys: Vec<PathBuf> = example.trust.iter().map(|k| dir.join(k)).collect();
    let options = IngestOptions {
        threads: None,
        trust: Arc::new(KeyStore::load(&keys).unwrap()),
        as_of: Some(as_of),
    };
    let graph = vouch_engine::ingest(&dir.join(&example.bundle), &options, &NoProgress).unwrap();
    let input = EvidenceValues::build_at(&graph, Some(as_of)).to_json(as_of);
    let mut engine = regorus::Engine::new();
    engine
        .add_policy_from_file(root().join("benches/data/acme.rego"))
        .unwrap();
    engine.set_input(regorus::Value::from_json_str(&input.to_string()).unwrap());
    let status = engine.eval_rule("data.vouch.acme.status".into()).unwrap();
    let deny = engine.eval_rule("data.vouch.acme.deny".into()).unwrap();
    let text = |v: &regorus::Value| v.as_string().unwrap().to_string();
    let mut outcome: Outcome = status
        .as_object()
        .unwrap()
        .iter()
        .map(|(id, s)| (text(id), (text(s), BTreeSet::new())))
        .collect();
    for finding in deny.as_set().unwrap() {
        let field = |k: &str| {
            text(
                finding
                    .as_object()
                    .unwrap()
                    .get(&regorus::Value::from(k))
                    .unwrap(),
            )
        };
        let (_, messages) = outcome
            .get_mut(&field("control"))
            .unwrap_or_else(|| panic!("a finding of an unknown control: {finding:?}"));
        messages.insert(field("message"));
    }
    outcome
}

#[test]
fn the_rego_reference_agrees_with_vouch_on_every_example_bundle() {
    let dir = root().join("examples/bundles");
    let mut compared = 0;
    let mut failing_controls = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if !path.to_string_lossy().ends_with(".test.toml") {
            continue;
        }
        let example: Example = toml::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        if !example.policy.ends_with("acme.vouch") {
            continue;
        }
        let ours = vouch_outcome(&example, &dir);
        let theirs = rego_outcome(&example, &dir);
        assert_eq!(
            ours,
            theirs,
            "vouch (left) and benches/data/acme.rego (right) disagree on {}",
            path.display()
        );
        assert_eq!(ours.len(), 21, "every control of the example policy");
        failing_controls += ours.values().filter(|(s, _)| s == "fail").count();
        compared += 1;
    }
    assert!(compared >= 4, "the four example bundles, found {compared}");
    // The failing example fails 18 controls: the agreement is not only on passes.
    assert!(
        failing_controls >= 18,
        "{failing_controls} failing controls"
    );
}
