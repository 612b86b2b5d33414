//! `vouch std`: the embedded standard modules and frameworks, listed with the sha256 a report
//! records for them, and printed byte for byte.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use crate::common;

use common::{transcript, vouch};

#[test]
fn lists_every_module_and_framework_with_its_digest() {
    let out = vouch(&["std"]);
    assert_eq!(out.status.code(), Some(0), "{}", transcript(&out));
    let text = String::from_utf8(out.stdout).unwrap();
    let module = vouch_stdlib::module("uk_sscop").unwrap();
    let digest = vouch_engine::Sha256Digest::of(module.source.as_bytes()).to_hex();
    assert!(
        text.lines()
            .any(|l| l.starts_with("std.uk_sscop ") && l.contains(&digest)),
        "{text}"
    );
    assert!(text.lines().any(|l| l.starts_with("uk-sscop ")), "{text}");
}

#[test]
fn prints_a_module_as_embedded_and_refuses_an_unknown_name() {
    for name in ["std.uk_sscop", "uk_sscop"] {
        let out = vouch(&["std", name]);
        assert_eq!(out.status.code(), Some(0), "{}", transcript(&out));
        let on_disk =
            std::fs::read(common::root().join("stdlib-policies/uk-sscop/uk_sscop.vouch")).unwrap();
        assert_eq!(out.stdout, on_disk, "the embedded text is the file's");
    }
    let out = vouch(&["std", "uk-sscop"]);
    assert!(String::from_utf8_lossy(&out.stdout).contains("[framework]"));
    let out = vouch(&["std", "std.nope"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no standard module or framework"));
}
