//! The detached signature readers (minisign, signify, OpenPGP, SSH, cosign) on any bytes.
//! Every reader must not panic and must read the same bytes the same way twice; ingestion's
//! detection and embedded-signature reading run on the same input. The first line of an input
//! is its file name when short (see `vouch_fuzz::named`).
#![no_main]

use libfuzzer_sys::fuzz_target;
use vouch_fuzz::{SIGNATURE_KINDS, read_family};

fuzz_target!(|data: &[u8]| read_family(data, "artifact.sig", SIGNATURE_KINDS));
