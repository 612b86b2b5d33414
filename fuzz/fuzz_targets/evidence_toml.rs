//! The TOML readers: `release.toml`, `support.toml`, attestations, the vulnerability register,
//! RustSec advisories, and framework definitions (`Framework::from_toml`), on any bytes. Every
//! reader must not panic and must read the same bytes the same way twice.
#![no_main]

use libfuzzer_sys::fuzz_target;
use vouch_fuzz::{TOML_KINDS, named, read_family};
use vouch_lang::{Framework, Source};

fuzz_target!(|data: &[u8]| {
    read_family(data, "release.toml", TOML_KINDS);
    let (path, bytes) = named(data, "framework.toml");
    if let Ok(source) = Source::from_bytes(path, bytes) {
        let a = Framework::from_toml(&source).map(|f| format!("{f:?}"));
        let b = Framework::from_toml(&source).map(|f| format!("{f:?}"));
        assert_eq!(
            a.as_ref().map_err(|d| &d.message),
            b.as_ref().map_err(|d| &d.message),
            "a framework read differently twice"
        );
    }
});
