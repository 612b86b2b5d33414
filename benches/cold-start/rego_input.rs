//! Writes the Rego input of `benches/data/acme.rego`: the evidence values of a bundle (what a
//! vouch policy reads, `EvidenceValues::to_json`) as JSON on standard output.
//!
//!     cargo run --release --example rego-input -- BUNDLE AS_OF [--trust KEY]... > input.json
//!
//! The roots the example policy never reads (`files`, `bundle`) are left out, so regorus is
//! not timed parsing text no rule looks at. See the book's performance page for the cold-start
//! comparison this input is for.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use vouch_engine::evidence::EvidenceValues;
use vouch_engine::{IngestOptions, KeyStore, NoProgress};

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let (Some(bundle), Some(as_of)) = (args.next(), args.next()) else {
        eprintln!("usage: rego-input BUNDLE AS_OF [--trust KEY]...");
        return ExitCode::from(2);
    };
    let mut keys = Vec::new();
    while let Some(flag) = args.next() {
        match (flag.as_str(), args.next()) {
            ("--trust", Some(key)) => keys.push(PathBuf::from(key)),
            _ => {
                eprintln!("rego-input: expected `--trust KEY`, got `{flag}`");
                return ExitCode::from(2);
            }
        }
    }
    let as_of: jiff::Timestamp = match as_of.parse() {
        Ok(t) => t,
        Err(e) => {
            eprintln!("rego-input: AS_OF `{as_of}` is not an RFC 3339 instant: {e}");
            return ExitCode::from(2);
        }
    };
    let trust = match KeyStore::load(&keys) {
        Ok(k) => Arc::new(k),
        Err(e) => {
            eprintln!("rego-input: {e}");
            return ExitCode::from(2);
        }
    };
    let options = IngestOptions {
        threads: None,
        trust,
        as_of: Some(as_of),
    };
    let graph = match vouch_engine::ingest(bundle.as_ref(), &options, &NoProgress) {
        Ok(g) => g,
        Err(e) => {
            eprintln!("rego-input: {e}");
            return ExitCode::from(2);
        }
    };
    let mut input = EvidenceValues::build_at(&graph, Some(as_of)).to_json(as_of);
    if let Some(roots) = input.as_object_mut() {
        roots.remove("files");
        roots.remove("bundle");
    }
    println!("{input}");
    ExitCode::SUCCESS
}
