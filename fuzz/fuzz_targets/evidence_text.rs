//! The text evidence readers (changelogs, RSS/Atom feeds, endoflife.date product pages, RustSec
//! Markdown advisories) on any bytes.
//! Every reader must not panic and must read the same bytes the same way twice; ingestion's
//! detection and embedded-signature reading run on the same input. The first line of an input
//! is its file name when short (see `vouch_fuzz::named`).
#![no_main]

use libfuzzer_sys::fuzz_target;
use vouch_fuzz::{TEXT_KINDS, read_family};

fuzz_target!(|data: &[u8]| read_family(data, "CHANGELOG.md", TEXT_KINDS));
