//! The security.txt reader (RFC 9116, signed or not) on any bytes. It must not panic, must read
//! the same bytes the same way twice, and ingestion (detection, then the embedded OpenPGP
//! signature reader) must not panic either.
#![no_main]

use libfuzzer_sys::fuzz_target;
use vouch_engine::formats::EvidenceKind;
use vouch_fuzz::{ingest_as, named, read_as};

fuzz_target!(|data: &[u8]| {
    let (path, bytes) = named(data, ".well-known/security.txt");
    read_as(EvidenceKind::SecurityTxt, &path, bytes);
    ingest_as(&path, bytes);
});
