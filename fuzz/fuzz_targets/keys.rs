//! The public key parsers: key files given with `--trusted-keys` (`trust::parse_key_file`:
//! minisign, signify, npm registry keys, PEM, OpenPGP, SSH `allowed_signers` and key lines), and
//! the bundle's own key files (the `public-key` reader), on any bytes. Neither may panic, and
//! both must give the same keys for the same bytes every time.
#![no_main]

use libfuzzer_sys::fuzz_target;
use vouch_engine::formats::EvidenceKind;
use vouch_engine::trust::{StoredKey, parse_key_file};
use vouch_fuzz::{ingest_as, named, read_as};

fn keys(result: Option<Result<Vec<StoredKey>, String>>) -> Option<Result<Vec<String>, String>> {
    result.map(|r| {
        r.map(|keys| {
            keys.iter()
                .map(|k| format!("{} {:?}", k.origin, k.key.describe()))
                .collect()
        })
    })
}

fuzz_target!(|data: &[u8]| {
    let (path, bytes) = named(data, "KEYS");
    let a = keys(parse_key_file(&path, bytes));
    let b = keys(parse_key_file(&path, bytes));
    assert_eq!(a, b, "a key file read differently twice");
    read_as(EvidenceKind::PublicKey, &path, bytes);
    ingest_as(&path, bytes);
});
