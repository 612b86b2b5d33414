//! The JSON evidence readers (OSV, OpenVEX, CSAF, Sigstore, DSSE, in-toto, Trivy, Grype,
//! Dependabot, GitHub advisories, endoflife.date, TLS scans, CycloneDX, SPDX, npm/pip/cargo
//! audit, ROLIE feeds) on any bytes.
//! Every reader must not panic and must read the same bytes the same way twice; ingestion's
//! detection and embedded-signature reading run on the same input. The first line of an input
//! is its file name when short (see `vouch_fuzz::named`).
#![no_main]

use libfuzzer_sys::fuzz_target;
use vouch_fuzz::{JSON_KINDS, read_family};

fuzz_target!(|data: &[u8]| read_family(data, "evidence.json", JSON_KINDS));
