//! `vouch check --waivers FILE`: waivers linted without a bundle, against the example waivers
//! (`examples/waivers/waived.toml`) and the ACME policy.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;

use common::{root, temp_dir, transcript, vouch};

const POLICY: &str = "examples/policies/acme.vouch";
const WAIVERS: &str = "examples/waivers/waived.toml";

#[test]
fn waivers_in_force_check_clean() {
    // On 2026-09-01 W-2026-031 is not yet effective: a warning, not an error.
    let out = vouch(&[
        "check",
        POLICY,
        "--waivers",
        WAIVERS,
        "--as-of",
        "2026-09-01",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", transcript(&out));
    insta::assert_snapshot!(transcript(&out));
}

#[test]
fn an_expired_waiver_is_an_error() {
    let out = vouch(&[
        "check",
        POLICY,
        "--waivers",
        WAIVERS,
        "--as-of",
        "2026-10-02",
    ]);
    assert_eq!(out.status.code(), Some(2), "{}", transcript(&out));
    insta::assert_snapshot!(transcript(&out));
}

#[test]
fn an_unknown_control_gets_a_did_you_mean() {
    let text = std::fs::read_to_string(root().join(WAIVERS)).unwrap();
    assert!(text.contains("control = \"TLS-ONLY\""));
    let file = temp_dir("check-waivers-typo").join("waivers.toml");
    std::fs::write(
        &file,
        text.replace("control = \"TLS-ONLY\"", "control = \"TLS-ONL\""),
    )
    .unwrap();
    let out = vouch(&[
        "check",
        POLICY,
        "--waivers",
        file.to_str().unwrap(),
        "--as-of",
        "2026-09-01",
    ]);
    assert_eq!(out.status.code(), Some(2), "{}", transcript(&out));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("error[vouch::waiver::unknown-control]")
            && stderr.contains("`TLS-ONL`")
            && stderr.contains("did you mean `TLS-ONLY`?"),
        "{stderr}"
    );
}

#[test]
fn without_a_policy_only_dates_and_syntax_are_checked() {
    let out = vouch(&["check", "--waivers", WAIVERS, "--as-of", "2026-09-01"]);
    assert_eq!(out.status.code(), Some(0), "{}", transcript(&out));
    let bad = vouch(&["check", "--waivers", WAIVERS, "--as-of", "2026-13-01"]);
    assert_eq!(bad.status.code(), Some(2), "{}", transcript(&bad));
}
