//! Without `--bundle`: the `--trust`, `--waivers` and `--authority` files given, compared by
//! sha256 against the digests the signed attestation records (each difference named), and
//! a plain statement of which recorded inputs were compared and which were not.

use std::path::Path;

use serde_json::{Value, json};
use vouch_engine::digest::Sha256Digest;
use vouch_engine::input_file::{MAX_INPUT_FILE, read_input_file};
use vouch_engine::report::attest::at;
use vouch_engine::report::input_name;

use super::{Output, VerifyReportArgs, diff};
use crate::evaluation::load_trust;
use crate::policy_files::display_path;
use crate::render::plain_error;

/// Compares the input files given with those `predicate` records. `None` on an input that
/// cannot be read or loaded (already reported: a usage error).
pub(super) fn compare(args: &VerifyReportArgs, predicate: &Value, out: &mut Output) -> Option<()> {
    let format = args.error_format;
    let digest = |path: &Path| -> Option<Value> {
        match read_input_file(path, MAX_INPUT_FILE) {
            Ok(bytes) => Some(json!({
                "path": input_name(&display_path(path)),
                "sha256": Sha256Digest::of(&bytes).to_hex(),
            })),
            Err(e) => {
                plain_error(
                    &format!("cannot read `{}`: {}", display_path(path), e.reason()),
                    format,
                );
                None
            }
        }
    };
    let mut compared = Vec::new();
    let mut not_compared = Vec::new();
    let before = out.differences.len();
    if args.trust.is_empty() {
        not_compared.push("trust files (no --trust)");
    } else {
        let store = load_trust(&args.trust, format)?;
        let mut now: Vec<Value> = Vec::new();
        for k in store.describe() {
            let entry = json!({ "path": input_name(&k.path), "sha256": k.sha256 });
            if !now.contains(&entry) {
                now.push(entry);
            }
        }
        diff::files(
            "trust file",
            at(predicate, "trust"),
            &Value::Array(now),
            "path",
            &mut out.differences,
        );
        compared.push("trust files");
    }
    if args.waivers.is_empty() {
        not_compared.push("waivers files (no --waivers)");
    } else {
        let now = args
            .waivers
            .iter()
            .map(|w| digest(w))
            .collect::<Option<Vec<_>>>()?;
        diff::files(
            "waivers file",
            at(predicate, "waivers"),
            &Value::Array(now),
            "path",
            &mut out.differences,
        );
        compared.push("waivers files");
    }
    match &args.authority.authority {
        None => not_compared.push("the authority policy (no --authority)"),
        Some(policy) => {
            let mut now = json!({ "policy": digest(policy)? });
            if let (Some(entities), Some(obj)) =
                (&args.authority.authority_entities, now.as_object_mut())
            {
                obj.insert("entities".into(), digest(entities)?);
            }
            authority(at(predicate, "authority"), &now, &mut out.differences);
            compared.push("the authority policy and entities");
        }
    }
    if !compared.is_empty() && out.differences.len() == before {
        out.ok(format!(
            "the {} given have the sha256 digests the attestation records",
            compared.join(", ")
        ));
    }
    let mut not = vec![
        "the policy",
        "the bundle's files",
        "the controls' statuses and findings",
    ];
    not.extend(not_compared);
    out.note(format!(
        "not compared (no --bundle, the evaluation was not re-run): {}; the signature and the report's digest are verified, the verdict itself is not",
        not.join(", ")
    ));
    Some(())
}

/// The authority files recorded (`{policy: {path, sha256}, entities?}`) against those given.
fn authority(old: &Value, new: &Value, out: &mut Vec<String>) {
    if old.is_null() {
        out.push(
            "an authority policy is given, but the signed report records none (it was evaluated without --authority)"
                .to_owned(),
        );
        return;
    }
    for (what, key) in [
        ("authority policy", "policy"),
        ("authority entities", "entities"),
    ] {
        let (a, b) = (at(old, key), at(new, key));
        let sha = |v: &Value| at(v, "sha256").as_str().unwrap_or_default().to_owned();
        match (a.is_null(), b.is_null()) {
            (true, true) => {}
            (false, true) => out.push(format!(
                "the {what} `{}` (sha256 {}) is recorded but not given now",
                at(a, "path").as_str().unwrap_or_default(),
                sha(a)
            )),
            (true, false) => out.push(format!(
                "the {what} `{}` (sha256 {}) was not in the signed report",
                at(b, "path").as_str().unwrap_or_default(),
                sha(b)
            )),
            (false, false) if sha(a) != sha(b) => out.push(format!(
                "the {what} `{}` changed: sha256 {} -> {}",
                at(b, "path").as_str().unwrap_or_default(),
                sha(a),
                sha(b)
            )),
            (false, false) => {}
        }
    }
}
