//! Framework definitions: the shipped ones parse and are complete; malformed ones are located
//! errors.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use crate::common;

use vouch_lang::{Code, Framework, Source};

#[test]
fn uk_sscop_has_the_fourteen_principles() {
    let set = vouch::policy_files::frameworks(&[]).unwrap();
    let fw = set.get("uk-sscop").expect("uk-sscop ships");
    let ids: Vec<&str> = fw.principles.iter().map(|p| p.id.as_str()).collect();
    assert_eq!(
        ids,
        [
            "1.1", "1.2", "1.3", "1.4", "2.1", "2.2", "3.1", "3.2", "3.3", "3.4", "3.5", "4.1",
            "4.2", "4.3"
        ]
    );
    assert_eq!(fw.themes.len(), 4);
    assert!(
        fw.source
            .as_deref()
            .is_some_and(|s| s.starts_with("https://www.gov.uk/"))
    );
}

#[test]
fn every_shipped_framework_parses() {
    for embedded in vouch_stdlib::FRAMEWORKS {
        let fw = Framework::from_toml(&Source::new(embedded.path, embedded.source)).unwrap();
        assert_eq!(fw.id, embedded.id, "the file name is the framework id");
    }
}

#[test]
fn malformed_framework_is_a_located_error() {
    let cases = [
        ("[framework]\nid = \"x\"\ntitel = \"X\"\n", "titel"),
        (
            "[framework]\nid = \"x\"\ntitle = \"X\"\n[[principle]]\nid = \"1\"\ntheme = \"9\"\ntitle = \"t\"\n",
            "theme `9`",
        ),
        (
            "[framework]\nid = \"x\"\ntitle = \"X\"\n[[theme]]\nid = \"1\"\ntitle = \"t\"\n[[principle]]\nid = \"1.1\"\ntheme = \"1\"\ntitle = \"a\"\n[[principle]]\nid = \"1.1\"\ntheme = \"1\"\ntitle = \"b\"\n",
            "defined twice",
        ),
    ];
    for (text, needle) in cases {
        let err = Framework::from_toml(&Source::new("fw.toml", text)).unwrap_err();
        assert_eq!(err.code, Code::InvalidFramework);
        assert!(err.message.contains(needle), "{}", err.message);
        assert!(err.span().start > 0, "located: {:?}", err.span());
    }
    let err = Framework::from_toml(&Source::new("fw.toml", "[framework\n")).unwrap_err();
    assert_eq!(err.code, Code::InvalidFramework);
}

#[test]
fn cli_reads_an_extra_framework_file() {
    let out = common::vouch(&[
        "check",
        "--framework",
        "tests/data/lang/frameworks/test-alt.toml",
        "tests/data/lang/check/framework-mismatch.vouch",
    ]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("vouch::check::framework-mismatch"),
        "{stderr}"
    );
    assert!(!stderr.contains("unknown-framework"), "{stderr}");
}
