//! `vouch ledger sign` and `vouch ledger verify --trust`: a signed chain head, made with keys
//! from openssl and ssh-keygen at test time, checked as the current head, as extended by later
//! entries, and refused when signed by another key, changed, or made for another ledger.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use crate::common;

use std::path::Path;
use std::process::{Command, Output};

use base64::Engine as _;
use common::{EXAMPLE_TRUST, temp_dir, transcript, vouch};

fn code(out: &Output) -> i32 {
    out.status.code().unwrap_or(-1)
}

fn p(path: &Path) -> &str {
    path.to_str().unwrap()
}

fn record(ledger: &Path, bundle: &str, as_of: &str) {
    let report = ledger.with_extension(format!("{bundle}-{as_of}.json"));
    let mut args = vec![
        "evaluate",
        "--policy",
        "examples/policies/acme.vouch",
        "--bundle",
        "",
        "--as-of",
        as_of,
        "--output",
        p(&report),
        "--record",
        p(ledger),
    ];
    let bundle = format!("examples/bundles/{bundle}");
    args[4] = &bundle;
    args.extend(EXAMPLE_TRUST);
    let out = vouch(&args);
    assert!(code(&out) == 0 || code(&out) == 1, "{}", transcript(&out));
}

fn tool(cmd: &mut Command) -> bool {
    cmd.output().is_ok_and(|o| o.status.success())
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn signed_head_current_extended_and_refused() {
    let dir = temp_dir("ledger-sign");
    let key = dir.join("head.pem");
    let public = dir.join("head.pub.pem");
    let made =
        tool(Command::new("openssl").args(["genpkey", "-algorithm", "ed25519", "-out", p(&key)]))
            && tool(Command::new("openssl").args([
                "pkey",
                "-in",
                p(&key),
                "-pubout",
                "-out",
                p(&public),
            ]));
    if !made {
        eprintln!("skipping signed_head_current_extended_and_refused: openssl is not installed");
        return;
    }
    let ledger = dir.join("ledger.db");
    record(&ledger, "compliant", "2026-10-02");
    record(&ledger, "failing", "2026-10-02");

    // Not signed yet: with --trust that is a failure, not a pass.
    let out = vouch(&["ledger", "verify", p(&ledger), "--trust", p(&public)]);
    assert_eq!(code(&out), 1, "{}", transcript(&out));
    assert!(
        stdout(&out).contains("signed head not verified: cannot read"),
        "{}",
        transcript(&out)
    );

    let out = vouch(&["ledger", "sign", p(&ledger), "--sign-key", p(&key)]);
    assert_eq!(code(&out), 0, "{}", transcript(&out));
    let head_file = dir.join("ledger.db.head.json");
    let envelope: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&head_file).unwrap()).unwrap();
    assert_eq!(
        envelope["payloadType"],
        "application/vnd.vouch.ledger-head+json"
    );
    let payload: serde_json::Value = serde_json::from_slice(
        &base64::engine::general_purpose::STANDARD
            .decode(envelope["payload"].as_str().unwrap())
            .unwrap(),
    )
    .unwrap();
    assert_eq!(payload["entries"], 2);

    let out = vouch(&["ledger", "verify", p(&ledger), "--trust", p(&public)]);
    assert_eq!(code(&out), 0, "{}", transcript(&out));
    assert!(
        stdout(&out).contains("it is the current head (2 entries)"),
        "{}",
        transcript(&out)
    );
    let db = rusqlite::Connection::open(&ledger).unwrap();
    let (id, head): (String, String) = db
        .query_row(
            "SELECT (SELECT entry_hash FROM entries WHERE seq = 1), entry_hash FROM entries WHERE seq = 2",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!(payload["ledger_id"], id.as_str());
    assert_eq!(payload["head"], head.as_str());

    // A later entry: the chain extends the signed head, and says so.
    record(&ledger, "compliant", "2026-10-03");
    let out = vouch(&["ledger", "verify", p(&ledger), "--trust", p(&public)]);
    assert_eq!(code(&out), 0, "{}", transcript(&out));
    assert!(
        stdout(&out)
            .contains("the chain extends it: entries 1-2 are signed, 3-3 were recorded after it"),
        "{}",
        transcript(&out)
    );

    // Another key (an OpenSSH ECDSA one) does not verify it.
    let other = dir.join("other");
    if tool(Command::new("ssh-keygen").args(["-q", "-t", "ecdsa", "-N", "", "-f", p(&other)])) {
        let out = vouch(&[
            "ledger",
            "verify",
            p(&ledger),
            "--trust",
            &format!("{}.pub", p(&other)),
        ]);
        assert_eq!(code(&out), 1, "{}", transcript(&out));
        assert!(
            stdout(&out).contains("no signature of it verifies"),
            "{}",
            transcript(&out)
        );
        // And an OpenSSH key signs as well.
        let signed = dir.join("ssh-head.json");
        let out = vouch(&[
            "ledger",
            "sign",
            p(&ledger),
            "--sign-key",
            p(&other),
            "--output",
            p(&signed),
        ]);
        assert_eq!(code(&out), 0, "{}", transcript(&out));
        let out = vouch(&[
            "ledger",
            "verify",
            p(&ledger),
            "--trust",
            &format!("{}.pub", p(&other)),
            "--signed-head",
            p(&signed),
        ]);
        assert_eq!(code(&out), 0, "{}", transcript(&out));
        assert!(
            stdout(&out).contains("current head (3 entries)"),
            "{}",
            transcript(&out)
        );
    } else {
        eprintln!("ssh-keygen is not installed: the OpenSSH key cases are not run");
    }

    // A changed envelope (the count raised) no longer verifies.
    let forged_payload = serde_json::json!({
        "_type": payload["_type"], "ledger_id": id, "entries": 3, "head": head,
    })
    .to_string();
    let mut forged = envelope.clone();
    forged["payload"] = base64::engine::general_purpose::STANDARD
        .encode(forged_payload)
        .into();
    let forged_file = dir.join("forged.json");
    std::fs::write(&forged_file, forged.to_string()).unwrap();
    let out = vouch(&[
        "ledger",
        "verify",
        p(&ledger),
        "--trust",
        p(&public),
        "--signed-head",
        p(&forged_file),
    ]);
    assert_eq!(code(&out), 1, "{}", transcript(&out));

    // The signed head of another ledger is refused, naming both ids.
    let second = dir.join("second.db");
    record(&second, "failing", "2026-10-02");
    let out = vouch(&[
        "ledger",
        "verify",
        p(&second),
        "--trust",
        p(&public),
        "--signed-head",
        p(&head_file),
    ]);
    assert_eq!(code(&out), 1, "{}", transcript(&out));
    assert!(
        stdout(&out).contains("it was signed for the ledger"),
        "{}",
        transcript(&out)
    );

    // Deleting the signed entries and rebuilding from scratch: a new chain, a new id.
    std::fs::remove_file(&second).unwrap();
    record(&second, "compliant", "2026-10-02");
    record(&second, "failing", "2026-10-02");
    let out = vouch(&[
        "ledger",
        "verify",
        p(&second),
        "--trust",
        p(&public),
        "--signed-head",
        p(&head_file),
    ]);
    // Same bundles, same as_of, but another recording time: another chain.
    assert_eq!(code(&out), 1, "{}", transcript(&out));

    // Usage: a public key is no signing key.
    let out = vouch(&["ledger", "sign", p(&ledger), "--sign-key", p(&public)]);
    assert_eq!(code(&out), 2, "{}", transcript(&out));
}
