//! vouch-engine: evidence ingestion, the evidence graph, evaluation and reports.
//!
//! [`ingest()`] reads a bundle directory into an [`EvidenceGraph`]: every file is walked,
//! hashed (sha256, streamed, in parallel), classified by the [`formats`] registry and
//! parsed; checksum entries are verified against the files they name. Problems with single
//! files are [`Finding`]s in the graph, never a panic or an abort.
//!
//! [`evaluate()`] judges a checked policy against that graph at a given instant and returns
//! the [`report::Report`]; [`report::render`] turns it into JSON (and other formats).
//!
//! [`cvss`] parses CVSS v3.0, v3.1 and v4.0 vectors and computes their base score and
//! severity band, for evidence formats that state a vector and a score.

pub mod authority;
mod bundle_path;
pub mod cvss;
pub mod digest;
pub mod eval;
pub mod evidence;
pub mod finding;
pub mod formats;
pub mod graph;
pub mod ingest;
pub mod input_file;
pub mod report;
pub mod signatures;
pub mod terminal;
pub mod trust;
pub mod vulns;
pub mod waivers;

pub use digest::Sha256Digest;
pub use eval::{EvaluationOptions, Step, evaluate, evaluate_owned, explain, explain_with};
pub use finding::{Finding, FindingCode, Severity};
pub use graph::{EvidenceGraph, NodeId};
pub use ingest::{IngestError, IngestOptions, NoProgress, Progress, TerminalProgress, ingest};
pub use trust::KeyStore;
