//! Signed attestations (#14): an attestation satisfies a manual control only when it names
//! the control, quotes its statement (or gives its sha256), and a detached signature beside it
//! (`.asc` by GnuPG, `.sig` by `ssh-keygen -Y sign -n file`, `.minisig` by minisign), made at
//! test time in a tempdir, verifies with a trusted key, was made by as_of, and the authority
//! permits that key to attest the control. Every rule, and the reason the control gives.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "tests"
)]

use crate::common;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Arc, Mutex};

use vouch_engine::authority::{Action, Authority, Decision, Request};
use vouch_engine::report::{Report, Status};
use vouch_engine::{EvaluationOptions, EvidenceGraph, IngestOptions, KeyStore, NoProgress};

const AS_OF: &str = "2026-10-02T00:00:00Z";
const TRAINED: &str = "Staff were trained in patch triage";
const ROLLED_BACK: &str = "Rolling back a failed update was tested";
/// Priya Shah's TEST-ONLY key (examples/keys), as the report gives its key id.
const PRIYA: &str = "C025C99C77B7650CC792B404F7AA08F7CED3225A";

fn keys_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/keys")
}

/// Two manual controls, TRAINING and ROLLBACK.
fn policy() -> vouch_lang::CheckedPolicy {
    let text = format!(
        "policy \"t\" {{ title = \"T\" framework = \"uk-sscop\" }}\n\
         control \"TRAINING\" {{\n  title = \"t\"\n  provision = [\"3.3\"]\n  severity = medium\n  \
         tags = [\"manual\", \"training\"]\n  manual \"{TRAINED}\" within 12 months\n}}\n\
         control \"ROLLBACK\" {{\n  title = \"r\"\n  provision = [\"3.1\"]\n  severity = high\n  \
         manual \"{ROLLED_BACK}\" within 12 months\n}}\n"
    );
    let out = vouch_lang::check_with(
        vouch_lang::Source::new("t.vouch", text),
        &vouch_lang::NoImports,
        &common::frameworks(),
        &vouch_lang::LintLevels::default(),
    );
    out.policy
        .unwrap_or_else(|| panic!("policy does not check: {:#?}", out.diagnostics))
}

/// An attestation's text.
fn attestation(control: &str, statement: &str) -> String {
    format!(
        "[attestation]\ncontrol = \"{control}\"\nstatement = \"{statement}\"\n\
         attested_by = \"Priya Shah <priya.shah@acme.example>\"\ndate = 2026-09-20\n"
    )
}

fn ingest(dir: &Path, trust: &[PathBuf]) -> EvidenceGraph {
    let options = IngestOptions {
        threads: Some(1),
        trust: Arc::new(KeyStore::load(trust).unwrap()),
        as_of: Some(AS_OF.parse().unwrap()),
    };
    vouch_engine::ingest(dir, &options, &NoProgress).unwrap()
}

fn evaluate(graph: &EvidenceGraph, authority: Arc<dyn Authority>) -> Report {
    let mut options = EvaluationOptions::at(AS_OF.parse().unwrap());
    options.authority = authority;
    vouch_engine::evaluate(&policy(), graph, &options)
}

fn default_authority() -> Arc<dyn Authority> {
    Arc::new(vouch_engine::authority::EveryTrustedKey)
}

/// (status, reason) of control `id`.
fn control(report: &Report, id: &str) -> (Status, String) {
    let c = report.controls.iter().find(|c| c.id == id).unwrap();
    (c.status, c.reason.clone().unwrap_or_default())
}

/// A GnuPG home with the named TEST-ONLY secret keys, signing at fixed times.
struct Gpg {
    home: tempfile::TempDir,
}

impl Gpg {
    fn new(names: &[&str]) -> Option<Gpg> {
        if !common::have("gpg", "signed attestation test") {
            return None;
        }
        let home = tempfile::tempdir().unwrap();
        for name in names {
            let out = Command::new("gpg")
                .arg("--homedir")
                .arg(home.path())
                .args(["--batch", "--quiet", "--import"])
                .arg(keys_dir().join(format!("{name}.sec.asc")))
                .output()
                .unwrap();
            assert!(out.status.success(), "{out:?}");
        }
        Some(Gpg { home })
    }

    /// Signs `file` with `key` (a user id part) at `when` (YYYYmmddTHHMMSS): `file.asc`.
    fn sign(&self, key: &str, when: &str, file: &Path, out: &Path) {
        let status = Command::new("gpg")
            .arg("--homedir")
            .arg(self.home.path())
            .args(["--batch", "--yes", "--quiet", "--faked-system-time"])
            .arg(format!("{when}!"))
            .args(["--local-user", key, "--armor", "--detach-sign", "--output"])
            .arg(out)
            .arg(file)
            .output()
            .unwrap();
        assert!(status.status.success(), "{status:?}");
    }
}

impl Drop for Gpg {
    fn drop(&mut self) {
        let _ = Command::new("gpgconf")
            .arg("--homedir")
            .arg(self.home.path())
            .args(["--kill", "gpg-agent"])
            .output();
    }
}

fn priya_pub() -> PathBuf {
    keys_dir().join("TEST-ONLY-priya-shah.pub.asc")
}

/// A bundle with `attestations/NAME.toml` = `text`, signed by Priya at `when` unless `None`.
fn bundle(gpg: &Gpg, text: &str, when: Option<&str>) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let file = common::write(dir.path(), "attestations/training.toml", text.as_bytes());
    if let Some(when) = when {
        gpg.sign(
            "priya.shah",
            when,
            &file,
            &dir.path().join("attestations/training.toml.asc"),
        );
    }
    dir
}

#[test]
fn a_signed_attestation_by_a_trusted_key_counts_and_records_key_and_decision() {
    let Some(gpg) = Gpg::new(&["TEST-ONLY-priya-shah"]) else {
        return;
    };
    let dir = bundle(
        &gpg,
        &attestation("TRAINING", TRAINED),
        Some("20260920T120000"),
    );
    let report = evaluate(&ingest(dir.path(), &[priya_pub()]), default_authority());
    let (status, reason) = control(&report, "TRAINING");
    assert_eq!(status, Status::Pass, "{reason}");
    assert!(reason.contains(PRIYA), "{reason}");
    let used = &report.attestations[0];
    assert!(used.accepted);
    assert_eq!(used.key_id.as_deref(), Some(PRIYA));
    assert_eq!(
        used.signature.as_deref(),
        Some("attestations/training.toml.asc")
    );
    let decision = used.decision.as_ref().unwrap();
    assert!(decision.allowed && decision.policies.is_empty());
    // It does not count for the other control.
    assert_eq!(control(&report, "ROLLBACK").0, Status::Manual);
}

#[test]
fn an_unsigned_attestation_does_not_count() {
    let Some(gpg) = Gpg::new(&[]) else { return };
    let dir = bundle(&gpg, &attestation("TRAINING", TRAINED), None);
    let report = evaluate(&ingest(dir.path(), &[priya_pub()]), default_authority());
    let (status, reason) = control(&report, "TRAINING");
    assert_eq!(status, Status::Manual);
    assert!(
        reason.contains("attestations/training.toml: unsigned"),
        "{reason}"
    );
    assert!(!report.attestations[0].accepted);
    assert_eq!(report.attestations[0].key_id, None);
}

#[test]
fn a_signature_by_an_untrusted_key_does_not_count_and_names_the_key() {
    let Some(gpg) = Gpg::new(&["TEST-ONLY-personal-laptop"]) else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let file = common::write(
        dir.path(),
        "attestations/training.toml",
        attestation("TRAINING", TRAINED).as_bytes(),
    );
    gpg.sign(
        "sam@users",
        "20260920T120000",
        &file,
        &dir.path().join("attestations/training.toml.asc"),
    );
    // The laptop key is in the bundle, which makes no difference.
    std::fs::copy(
        keys_dir().join("TEST-ONLY-personal-laptop.pub.asc"),
        dir.path().join("KEYS"),
    )
    .unwrap();
    let report = evaluate(&ingest(dir.path(), &[priya_pub()]), default_authority());
    let (status, reason) = control(&report, "TRAINING");
    assert_eq!(status, Status::Manual);
    assert!(
        reason.contains("untrusted key 3DBC879DB843FAF51276ED0CDAE3C130FEF76F92"),
        "{reason}"
    );
}

#[test]
fn a_signature_over_other_content_is_a_bad_signature() {
    let Some(gpg) = Gpg::new(&["TEST-ONLY-priya-shah"]) else {
        return;
    };
    let dir = bundle(
        &gpg,
        &attestation("TRAINING", TRAINED),
        Some("20260920T120000"),
    );
    // Changed after signing: who attested it.
    let text = attestation("TRAINING", TRAINED).replace("Priya Shah", "Mallory");
    common::write(dir.path(), "attestations/training.toml", text.as_bytes());
    let report = evaluate(&ingest(dir.path(), &[priya_pub()]), default_authority());
    let (status, reason) = control(&report, "TRAINING");
    assert_eq!(status, Status::Manual);
    assert!(
        reason.contains("bad signature (attestations/training.toml.asc"),
        "{reason}"
    );
}

#[test]
fn a_signature_made_after_as_of_does_not_count() {
    let Some(gpg) = Gpg::new(&["TEST-ONLY-priya-shah"]) else {
        return;
    };
    let dir = bundle(
        &gpg,
        &attestation("TRAINING", TRAINED),
        Some("20261101T000000"),
    );
    let report = evaluate(&ingest(dir.path(), &[priya_pub()]), default_authority());
    let (status, reason) = control(&report, "TRAINING");
    assert_eq!(status, Status::Manual);
    assert!(reason.contains("signed after as_of"), "{reason}");
}

/// Denies every request, and remembers what it was asked.
#[derive(Debug, Default)]
struct Deny {
    asked: Mutex<Vec<String>>,
}

impl Authority for Deny {
    fn decide(&self, request: &Request<'_>) -> Decision {
        let c = request.control.unwrap();
        self.asked.lock().unwrap().push(format!(
            "{} {} {} {} {:?} {:?} {}",
            request.key_id,
            request.action.name(),
            c.id,
            c.severity,
            c.provisions,
            c.tags,
            request.missing_evidence
        ));
        assert_eq!(request.action, Action::Attest);
        Decision {
            allowed: false,
            policies: vec!["policy1".to_owned()],
            reason: "only release managers may attest training".to_owned(),
        }
    }
}

#[test]
fn a_key_the_authority_does_not_permit_does_not_count() {
    let Some(gpg) = Gpg::new(&["TEST-ONLY-priya-shah"]) else {
        return;
    };
    let dir = bundle(
        &gpg,
        &attestation("TRAINING", TRAINED),
        Some("20260920T120000"),
    );
    let deny = Arc::new(Deny::default());
    let report = evaluate(&ingest(dir.path(), &[priya_pub()]), deny.clone());
    let (status, reason) = control(&report, "TRAINING");
    assert_eq!(status, Status::Manual);
    assert!(
        reason.contains(&format!(
            "not permitted: key {PRIYA} may not attest TRAINING"
        )),
        "{reason}"
    );
    assert!(
        reason.contains("only release managers may attest training"),
        "{reason}"
    );
    assert!(reason.contains("policies: policy1"), "{reason}");
    assert_eq!(
        *deny.asked.lock().unwrap(),
        [format!(
            "{PRIYA} attest TRAINING medium [\"3.3\"] [\"manual\", \"training\"] false"
        )]
    );
    let used = &report.attestations[0];
    assert!(!used.accepted);
    assert_eq!(used.key_id.as_deref(), Some(PRIYA));
    let decision = used.decision.as_ref().unwrap();
    assert!(!decision.allowed);
    assert_eq!(decision.policies, ["policy1"]);
}

#[test]
fn a_statement_replayed_for_another_control_does_not_count() {
    let Some(gpg) = Gpg::new(&["TEST-ONLY-priya-shah"]) else {
        return;
    };
    // Signed, trusted, names TRAINING, but quotes ROLLBACK's statement.
    let dir = bundle(
        &gpg,
        &attestation("TRAINING", ROLLED_BACK),
        Some("20260920T120000"),
    );
    let report = evaluate(&ingest(dir.path(), &[priya_pub()]), default_authority());
    let (status, reason) = control(&report, "TRAINING");
    assert_eq!(status, Status::Manual);
    assert!(reason.contains("statement does not match"), "{reason}");
    // Nor for ROLLBACK, whose statement it quotes: it names another control.
    let (status, reason) = control(&report, "ROLLBACK");
    assert_eq!(status, Status::Manual);
    assert!(
        reason.contains("names another control (TRAINING)"),
        "{reason}"
    );
}

#[test]
fn a_paraphrased_statement_does_not_count() {
    let Some(gpg) = Gpg::new(&["TEST-ONLY-priya-shah"]) else {
        return;
    };
    let dir = bundle(
        &gpg,
        &attestation("TRAINING", "I had lunch"),
        Some("20260920T120000"),
    );
    let report = evaluate(&ingest(dir.path(), &[priya_pub()]), default_authority());
    let (status, reason) = control(&report, "TRAINING");
    assert_eq!(status, Status::Manual);
    assert!(
        reason.contains("statement does not match: it quotes \"I had lunch\""),
        "{reason}"
    );
}

fn sha256_hex(text: &str) -> String {
    vouch_engine::Sha256Digest::of(text.as_bytes()).to_hex()
}

#[test]
fn the_statement_may_be_given_by_its_sha256() {
    let Some(gpg) = Gpg::new(&["TEST-ONLY-priya-shah"]) else {
        return;
    };
    let text = |hash: &str| {
        format!(
            "[attestation]\ncontrol = \"TRAINING\"\nstatement_sha256 = \"{hash}\"\n\
             attested_by = \"Priya Shah\"\ndate = 2026-09-20\n"
        )
    };
    let dir = bundle(&gpg, &text(&sha256_hex(TRAINED)), Some("20260920T120000"));
    let report = evaluate(&ingest(dir.path(), &[priya_pub()]), default_authority());
    let (status, reason) = control(&report, "TRAINING");
    assert_eq!(status, Status::Pass, "{reason}");
    // The sha256 of another control's statement does not.
    let dir = bundle(
        &gpg,
        &text(&sha256_hex(ROLLED_BACK)),
        Some("20260920T120000"),
    );
    let report = evaluate(&ingest(dir.path(), &[priya_pub()]), default_authority());
    let (status, reason) = control(&report, "TRAINING");
    assert_eq!(status, Status::Manual);
    assert!(reason.contains("statement does not match"), "{reason}");
    assert!(reason.contains("statement_sha256"), "{reason}");
}

fn run_tool(program: &str, args: &[&std::ffi::OsStr]) {
    let out = Command::new(program).args(args).output().unwrap();
    assert!(out.status.success(), "{program}: {out:?}");
}

#[test]
fn an_ssh_signature_in_the_file_namespace_counts_and_another_namespace_does_not() {
    if !common::have("ssh-keygen", "SSH attestation test") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let key = dir.path().join("priya");
    run_tool(
        "ssh-keygen",
        &[
            "-q".as_ref(),
            "-t".as_ref(),
            "ed25519".as_ref(),
            "-N".as_ref(),
            "".as_ref(),
            "-C".as_ref(),
            "priya".as_ref(),
            "-f".as_ref(),
            key.as_os_str(),
        ],
    );
    let public = std::fs::read_to_string(dir.path().join("priya.pub")).unwrap();
    let signers = common::write(
        dir.path(),
        "allowed_signers",
        format!("priya.shah@acme.example {public}").as_bytes(),
    );
    for (namespace, counts) in [("file", true), ("git", false)] {
        let b = dir.path().join(namespace);
        let file = common::write(
            &b,
            "attestations/training.toml",
            attestation("TRAINING", TRAINED).as_bytes(),
        );
        run_tool(
            "ssh-keygen",
            &[
                "-Y".as_ref(),
                "sign".as_ref(),
                "-n".as_ref(),
                namespace.as_ref(),
                "-f".as_ref(),
                key.as_os_str(),
                file.as_os_str(),
            ],
        );
        let report = evaluate(
            &ingest(&b, std::slice::from_ref(&signers)),
            default_authority(),
        );
        let (status, reason) = control(&report, "TRAINING");
        if counts {
            assert_eq!(status, Status::Pass, "{reason}");
            let key_id = report.attestations[0].key_id.clone().unwrap();
            assert_eq!(
                report.signatures[0].key_id.as_deref(),
                Some(key_id.as_str())
            );
            // An SSH signature records no time: the report says so, and an authority
            // policy can refuse undated signatures through `context.dated`.
            assert!(report.attestations[0].undated);
            assert!(reason.contains("undated signature"), "{reason}");
            let graph = ingest(&b, std::slice::from_ref(&signers));
            let strict = vouch_engine::authority::CedarAuthority::new(
                vouch_engine::authority::SourceText {
                    name: "dated.cedar",
                    text: "@id(\"anyone\")\npermit (principal, action, resource);\n\
                           @id(\"dated-only\")\nforbid (principal, action, resource) \
                           unless { context.dated };\n",
                },
                None,
            )
            .unwrap();
            let report = evaluate(&graph, Arc::new(strict));
            let (status, reason) = control(&report, "TRAINING");
            assert_eq!(status, Status::Manual, "{reason}");
            assert!(reason.contains("not permitted"), "{reason}");
            let decision = report.attestations[0].decision.as_ref().unwrap();
            assert!(!decision.allowed);
            assert_eq!(decision.policies, ["dated-only"]);
        } else {
            assert_eq!(status, Status::Manual);
            assert!(reason.contains("bad signature"), "{reason}");
        }
    }
}

#[test]
fn a_minisign_signature_counts_until_its_trusted_comment_is_after_as_of() {
    if !common::have("minisign", "minisign attestation test") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let public = dir.path().join("k.pub");
    let secret = dir.path().join("k.key");
    run_tool(
        "minisign",
        &[
            "-G".as_ref(),
            "-W".as_ref(),
            "-f".as_ref(),
            "-p".as_ref(),
            public.as_os_str(),
            "-s".as_ref(),
            secret.as_os_str(),
        ],
    );
    // 2026-09-20 and 2026-11-01.
    for (when, counts) in [(1_789_900_000_i64, true), (1_793_500_000, false)] {
        let b = dir.path().join(when.to_string());
        let file = common::write(
            &b,
            "attestations/training.toml",
            attestation("TRAINING", TRAINED).as_bytes(),
        );
        let comment = format!("timestamp:{when}\tfile:training.toml\thashed");
        run_tool(
            "minisign",
            &[
                "-S".as_ref(),
                "-s".as_ref(),
                secret.as_os_str(),
                "-t".as_ref(),
                comment.as_ref(),
                "-m".as_ref(),
                file.as_os_str(),
            ],
        );
        let report = evaluate(
            &ingest(&b, std::slice::from_ref(&public)),
            default_authority(),
        );
        let (status, reason) = control(&report, "TRAINING");
        if counts {
            assert_eq!(status, Status::Pass, "{reason}");
        } else {
            assert_eq!(status, Status::Manual);
            assert!(reason.contains("signed after as_of"), "{reason}");
        }
    }
}
