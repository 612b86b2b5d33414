//! npm registry signatures and integrity, on the real package sigstore@2.3.1 fetched at test
//! time (`npm view sigstore@2.3.1 --json`, `npm pack sigstore@2.3.1`; skipped with a printed
//! reason when the registry cannot be reached; nothing fetched is committed).
//!
//! When the registry serves `dist.signatures` and its keys document
//! (`/-/npm/v1/keys`), the real signature is verified with the real keys. The registry this
//! machine reaches may be a mirror that serves neither: the signing tests then sign the real
//! document's `{name}@{version}:{integrity}` with a P-256 key made by `openssl` at test time,
//! published in a keys document of the registry's format, exactly as the registry does.
//! Tampering: the integrity, name or version changed, the signature changed, an untrusted
//! key, an expired key, the tarball changed.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use crate::common;

use std::path::{Path, PathBuf};
use std::process::Command;

use base64::Engine as _;
use common::{temp_dir, transcript, vouch};
use serde_json::{Value, json};
use sha2::Digest as _;

const KEYS_URL: &str = "https://registry.npmjs.org/-/npm/v1/keys";

const POLICY: &str = r#"policy "t" {
  title = "t"
  version = "1"
  framework = "uk-sscop"
  owner = "t@example.com"
}

control "COVERAGE" {
  title = "Every way the artifact is covered, listed"
  provision = ["3.1"]
  severity = low
  rationale = "a test lists the coverage records"
  remediation = "none"
  for a in release.artifacts {
    for c in a.coverage {
      expect false
        else "{a.path} {c.kind} {c.format ?? "-"} {c.outcome} verified={c.verified} trusted={c.trusted} reason={c.reason ?? "-"}"
    } when empty: pass
  }
}
"#;

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// Runs a command; `None` (with the reason printed) when it cannot run or fails.
fn try_run(dir: &Path, program: &str, args: &[&str]) -> Option<Vec<u8>> {
    let out = Command::new(program)
        .args(args)
        .current_dir(dir)
        .output()
        .ok()?;
    if !out.status.success() {
        eprintln!("{program} {args:?} failed: {}", transcript(&out));
        return None;
    }
    Some(out.stdout)
}

fn run(dir: &Path, program: &str, args: &[&str]) -> Vec<u8> {
    try_run(dir, program, args).unwrap_or_else(|| panic!("{program} {args:?} failed"))
}

/// The fetched version document and tarball: (document, tarball path). `None` when the
/// registry cannot be reached.
fn fetch(dir: &Path) -> Option<(Value, PathBuf)> {
    let Some(view) = try_run(dir, "npm", &["view", "sigstore@2.3.1", "--json"]) else {
        eprintln!("skipped: `npm view sigstore@2.3.1 --json` failed (no npm or no registry)");
        return None;
    };
    try_run(dir, "npm", &["pack", "sigstore@2.3.1", "--silent"])?;
    let tarball = dir.join("sigstore-2.3.1.tgz");
    if !tarball.is_file() {
        eprintln!("skipped: `npm pack sigstore@2.3.1` wrote no tarball");
        return None;
    }
    Some((serde_json::from_slice(&view).unwrap(), tarball))
}

/// A P-256 key made by openssl: (private key PEM path, keys document entry).
fn registry_key(dir: &Path, name: &str, expires: Option<&str>) -> (PathBuf, Value) {
    let key = dir.join(format!("{name}.pem"));
    run(
        dir,
        "openssl",
        &[
            "genpkey",
            "-algorithm",
            "EC",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-out",
            key.to_str().unwrap(),
        ],
    );
    let spki = run(
        dir,
        "openssl",
        &[
            "pkey",
            "-in",
            key.to_str().unwrap(),
            "-pubout",
            "-outform",
            "DER",
        ],
    );
    let keyid = format!(
        "SHA256:{}",
        base64::engine::general_purpose::STANDARD_NO_PAD.encode(sha2::Sha256::digest(&spki))
    );
    let entry = json!({
        "expires": expires,
        "keyid": keyid,
        "keytype": "ecdsa-sha2-nistp256",
        "scheme": "ecdsa-sha2-nistp256",
        "key": b64(&spki),
    });
    (key, entry)
}

/// The registry's signature over `message` with `key`, as `dist.signatures` writes it.
fn sign(dir: &Path, key: &Path, keyid: &str, message: &str) -> Value {
    let file = dir.join("message.txt");
    std::fs::write(&file, message).unwrap();
    let der = run(
        dir,
        "openssl",
        &[
            "dgst",
            "-sha256",
            "-sign",
            key.to_str().unwrap(),
            file.to_str().unwrap(),
        ],
    );
    json!([{"keyid": keyid, "sig": b64(&der)}])
}

/// A bundle: the tarball, the version document beside it, a release.toml.
fn bundle(dir: &Path, tarball: &Path, doc: &Value) -> PathBuf {
    let bundle = dir.join("bundle");
    let _ = std::fs::remove_dir_all(&bundle);
    std::fs::create_dir_all(bundle.join("dist")).unwrap();
    std::fs::copy(tarball, bundle.join("dist/sigstore-2.3.1.tgz")).unwrap();
    std::fs::write(
        bundle.join("dist/sigstore-2.3.1.json"),
        serde_json::to_vec_pretty(doc).unwrap(),
    )
    .unwrap();
    std::fs::write(
        bundle.join("release.toml"),
        "[release]\nproduct = \"sigstore\"\nversion = \"2.3.1\"\ndate = 2024-06-25T22:11:13Z\n\
         artifacts = [\"dist/sigstore-2.3.1.tgz\"]\n",
    )
    .unwrap();
    bundle
}

/// The coverage lines of the artifact, and the report's signature records.
fn evaluate(bundle: &Path, trust: &[&Path], as_of: &str) -> (Vec<String>, Vec<Value>) {
    let policy = bundle.with_extension("vouch");
    std::fs::write(&policy, POLICY).unwrap();
    let mut args: Vec<String> = [
        "evaluate",
        "--policy",
        policy.to_str().unwrap(),
        "--bundle",
        bundle.to_str().unwrap(),
        "--as-of",
        as_of,
        "--format",
        "json",
    ]
    .iter()
    .map(|s| (*s).to_owned())
    .collect();
    for t in trust {
        args.push("--trust".to_owned());
        args.push(t.to_string_lossy().into_owned());
    }
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = vouch(&args);
    let report: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|_| panic!("no report: {}", transcript(&out)));
    let control = report["controls"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "COVERAGE")
        .unwrap_or_else(|| panic!("{report}"));
    let lines = control["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["message"].as_str().unwrap().to_owned())
        .collect();
    (
        lines,
        report["signatures"].as_array().cloned().unwrap_or_default(),
    )
}

fn write_keys(dir: &Path, name: &str, keys: &[&Value]) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, serde_json::to_vec(&json!({ "keys": keys })).unwrap()).unwrap();
    path
}

#[test]
fn the_real_registry_signature_verifies_with_the_real_keys() {
    let dir = temp_dir("npm-registry-real");
    let Some((doc, tarball)) = fetch(&dir) else {
        return;
    };
    if doc["dist"]["signatures"].is_null() {
        eprintln!(
            "skipped: the registry reached here serves no `dist.signatures` for sigstore@2.3.1 \
             (a mirror); the signing tests below use a key made at test time"
        );
        return;
    }
    let Some(keys) = try_run(&dir, "curl", &["-sSf", "--max-time", "30", KEYS_URL]) else {
        eprintln!("skipped: {KEYS_URL} cannot be fetched");
        return;
    };
    let keys_path = dir.join("npm-keys.json");
    std::fs::write(&keys_path, keys).unwrap();
    let bundle = bundle(&dir, &tarball, &doc);
    let (lines, _) = evaluate(&bundle, &[&keys_path], "2026-10-01T00:00:00Z");
    assert!(
        lines
            .iter()
            .any(|l| l.contains("registry npm-registry verified verified=true trusted=true")),
        "{lines:?}"
    );
}

#[test]
fn registry_signatures_cover_the_tarball_through_its_integrity() {
    if !have_openssl() {
        return;
    }
    let dir = temp_dir("npm-registry");
    let Some((mut doc, tarball)) = fetch(&dir) else {
        return;
    };
    // The real document's integrity is the real tarball's sha512.
    let integrity = doc["dist"]["integrity"].as_str().unwrap().to_owned();
    let tgz = std::fs::read(&tarball).unwrap();
    assert_eq!(
        integrity,
        format!("sha512-{}", b64(&sha2::Sha512::digest(&tgz)))
    );
    let published = doc["time"]["2.3.1"].as_str().unwrap().to_owned();
    let (key, entry) = registry_key(&dir, "registry", None);
    let keyid = entry["keyid"].as_str().unwrap().to_owned();
    let (other_key, other_entry) = registry_key(&dir, "other", None);
    let trusted = write_keys(&dir, "keys.json", &[&entry]);
    let other_trusted = write_keys(&dir, "other-keys.json", &[&other_entry]);
    let message = format!("sigstore@2.3.1:{integrity}");
    doc["dist"]["signatures"] = sign(&dir, &key, &keyid, &message);
    let as_of = "2026-10-01T00:00:00Z";

    let good = bundle(&dir, &tarball, &doc);
    let (lines, sigs) = evaluate(&good, &[&trusted], as_of);
    assert_eq!(
        lines,
        [
            "dist/sigstore-2.3.1.tgz registry npm-registry verified verified=true trusted=true reason=-"
        ],
        "{sigs:?}"
    );
    let sig = &sigs[0];
    assert_eq!(sig["format"], "npm-registry");
    assert_eq!(sig["key_id"], keyid.as_str());

    // Untrusted: another key in the trust set.
    let (lines, _) = evaluate(&good, &[&other_trusted], as_of);
    assert!(
        lines[0].contains("untrusted-key verified=false trusted=false"),
        "{lines:?}"
    );
    // The same key, but no trust at all.
    let (lines, _) = evaluate(&good, &[], as_of);
    assert!(lines[0].contains("untrusted-key"), "{lines:?}");

    // Another key signed it, claiming the trusted key's id.
    let mut forged = doc.clone();
    forged["dist"]["signatures"] = sign(&dir, &other_key, &keyid, &message);
    let (lines, _) = evaluate(&bundle(&dir, &tarball, &forged), &[&trusted], as_of);
    assert!(
        lines[0].contains("bad-signature verified=false"),
        "{lines:?}"
    );

    // The signature itself changed.
    let mut changed = doc.clone();
    let mut der = base64::engine::general_purpose::STANDARD
        .decode(changed["dist"]["signatures"][0]["sig"].as_str().unwrap())
        .unwrap();
    let last = der.len() - 1;
    der[last] ^= 1;
    changed["dist"]["signatures"][0]["sig"] = json!(b64(&der));
    let (lines, _) = evaluate(&bundle(&dir, &tarball, &changed), &[&trusted], as_of);
    assert!(
        lines[0].contains("bad-signature") || lines[0].contains("malformed"),
        "{lines:?}"
    );
    assert!(lines[0].contains("trusted=false"), "{lines:?}");

    // Name or version changed: the signed text is another.
    for (field, value) in [("name", "sigstore-evil"), ("version", "2.3.2")] {
        let mut changed = doc.clone();
        changed[field] = json!(value);
        let (lines, _) = evaluate(&bundle(&dir, &tarball, &changed), &[&trusted], as_of);
        // The document now names another tarball (or none matches): no chain reaches the
        // artifact at all, or one that fails.
        assert!(
            lines.iter().all(|l| !l.contains("trusted=true")),
            "{field}: {lines:?}"
        );
    }
    // The version changed but the tarball name kept: the signature fails over it.
    let mut changed = doc.clone();
    changed["version"] = json!("2.3.2");
    changed["time"]["2.3.2"] = json!(published);
    let b = bundle(&dir, &tarball, &changed);
    std::fs::rename(
        b.join("dist/sigstore-2.3.1.tgz"),
        b.join("dist/sigstore-2.3.2.tgz"),
    )
    .unwrap();
    std::fs::write(
        b.join("release.toml"),
        "[release]\nproduct = \"sigstore\"\nversion = \"2.3.2\"\ndate = 2024-06-25T22:11:13Z\n\
         artifacts = [\"dist/sigstore-2.3.2.tgz\"]\n",
    )
    .unwrap();
    let (lines, _) = evaluate(&b, &[&trusted], as_of);
    assert!(
        lines[0].contains("bad-signature verified=false"),
        "{lines:?}"
    );

    // The integrity changed (re-signed, so only the digest is wrong): digest mismatch.
    let mut changed = doc.clone();
    let other = format!("sha512-{}", b64(&sha2::Sha512::digest(b"another tarball")));
    changed["dist"]["integrity"] = json!(other);
    changed["dist"]["signatures"] = sign(&dir, &key, &keyid, &format!("sigstore@2.3.1:{other}"));
    let (lines, _) = evaluate(&bundle(&dir, &tarball, &changed), &[&trusted], as_of);
    assert!(
        lines[0].contains("digest-mismatch verified=false trusted=true"),
        "{lines:?}"
    );
    // The integrity changed, signature kept: the signature fails too.
    changed["dist"]["signatures"] = doc["dist"]["signatures"].clone();
    let (lines, _) = evaluate(&bundle(&dir, &tarball, &changed), &[&trusted], as_of);
    assert!(
        lines[0].contains("verified=false trusted=false"),
        "{lines:?}"
    );

    // The tarball changed after publishing.
    let b = bundle(&dir, &tarball, &doc);
    std::fs::write(b.join("dist/sigstore-2.3.1.tgz"), b"not the package").unwrap();
    let (lines, _) = evaluate(&b, &[&trusted], as_of);
    assert!(
        lines[0].contains("digest-mismatch verified=false"),
        "{lines:?}"
    );

    // sha1 `shasum` alone never counts.
    let mut sha1_only = doc.clone();
    sha1_only["dist"]
        .as_object_mut()
        .unwrap()
        .remove("integrity");
    let (lines, _) = evaluate(&bundle(&dir, &tarball, &sha1_only), &[&trusted], as_of);
    assert!(
        lines.iter().all(|l| !l.contains("trusted=true")),
        "{lines:?}"
    );
}

#[test]
fn an_expired_registry_key_does_not_count() {
    if !have_openssl() {
        return;
    }
    let dir = temp_dir("npm-registry-expired");
    let Some((mut doc, tarball)) = fetch(&dir) else {
        return;
    };
    let integrity = doc["dist"]["integrity"].as_str().unwrap().to_owned();
    // Expired before the version was published (2024-06-25).
    let (key, entry) = registry_key(&dir, "old", Some("2024-01-01T00:00:00.000Z"));
    let keyid = entry["keyid"].as_str().unwrap().to_owned();
    let keys = write_keys(&dir, "keys.json", &[&entry]);
    doc["dist"]["signatures"] = sign(&dir, &key, &keyid, &format!("sigstore@2.3.1:{integrity}"));
    let as_of = "2026-10-01T00:00:00Z";
    let (lines, _) = evaluate(&bundle(&dir, &tarball, &doc), &[&keys], as_of);
    assert!(
        lines[0].contains("expired-key verified=true trusted=false")
            && lines[0].contains("before the version was published"),
        "{lines:?}"
    );
    // Expiring after the publish time: it counts.
    let (key, entry) = registry_key(&dir, "rotated", Some("2025-01-29T00:00:00.000Z"));
    let keyid = entry["keyid"].as_str().unwrap().to_owned();
    let keys = write_keys(&dir, "keys2.json", &[&entry]);
    doc["dist"]["signatures"] = sign(&dir, &key, &keyid, &format!("sigstore@2.3.1:{integrity}"));
    let (lines, _) = evaluate(&bundle(&dir, &tarball, &doc), &[&keys], as_of);
    assert!(
        lines[0].contains("verified verified=true trusted=true"),
        "{lines:?}"
    );
    // Without a publish time, the key is judged at as_of, when it has expired.
    let mut no_time = doc.clone();
    no_time.as_object_mut().unwrap().remove("time");
    let (lines, _) = evaluate(&bundle(&dir, &tarball, &no_time), &[&keys], as_of);
    assert!(
        lines[0].contains("expired-key") && lines[0].contains("before as_of"),
        "{lines:?}"
    );
    // An unreadable publish time fails closed.
    let mut bad_time = doc.clone();
    bad_time["time"]["2.3.1"] = json!("last tuesday");
    let (lines, _) = evaluate(&bundle(&dir, &tarball, &bad_time), &[&keys], as_of);
    assert!(lines[0].contains("trusted=false"), "{lines:?}");
    // Published after as_of: evidence from the future.
    let (lines, _) = evaluate(
        &bundle(&dir, &tarball, &doc),
        &[&keys],
        "2024-06-01T00:00:00Z",
    );
    assert!(lines[0].contains("signed-after-as-of"), "{lines:?}");
}

#[test]
fn a_broken_keys_document_is_refused() {
    let dir = temp_dir("npm-registry-keys");
    let path = dir.join("keys.json");
    std::fs::write(
        &path,
        r#"{"keys":[{"expires":null,"keyid":"SHA256:x","keytype":"ecdsa-sha2-nistp256","scheme":"ecdsa-sha2-nistp256","key":"AAAA"}]}"#,
    )
    .unwrap();
    let out = vouch(&[
        "evaluate",
        "--policy",
        "examples/policies/acme.vouch",
        "--bundle",
        "examples/bundles/compliant",
        "--trust",
        path.to_str().unwrap(),
    ]);
    let text = transcript(&out);
    assert_ne!(out.status.code(), Some(0), "{text}");
    assert!(text.contains("not a P-256 public key"), "{text}");
}

fn have_openssl() -> bool {
    let ok = Command::new("openssl").arg("version").output().is_ok();
    if !ok {
        eprintln!("skipped: openssl is not installed (.ci/run installs it)");
    }
    ok
}
