//! Unreadable evidence as the schema shows it (`bundle.unreadable`, `release.unreadable`,
//! `support.unreadable`), and what each kind of evidence feeds: the roots and fields a
//! control reads that an unreadable file of that kind would have filled. The evaluator fails
//! every control that reads one of them (see `eval::unreadable`), whether or not the policy
//! mentions `unreadable`.

use std::sync::Arc;

use super::record;
use crate::eval::value::{Citation, Value};
use crate::formats::EvidenceKind;
use crate::graph::EvidenceGraph;
use crate::graph::unreadable::UnreadableFile;

/// A root a kind of evidence feeds, and (when only part of it) the field that carries it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Feed {
    /// The root, e.g. `release`.
    pub root: &'static str,
    /// The field of a record under the root that holds it (`signatures` of each artifact);
    /// `None` when the whole root is built from it.
    pub field: Option<&'static str>,
    /// How the book and `Unreadable.feeds` write it: `release.artifacts.signatures`.
    pub text: &'static str,
}

const fn whole(root: &'static str) -> Feed {
    Feed {
        root,
        field: None,
        text: root,
    }
}

const fn part(root: &'static str, field: &'static str, text: &'static str) -> Feed {
    Feed {
        root,
        field: Some(field),
        text,
    }
}

const VULNERABILITY_EVIDENCE: Feed = part(
    "release",
    "vulnerability_evidence",
    "release.vulnerability_evidence",
);
const VULNERABILITY: &[Feed] = &[
    whole("advisories"),
    VULNERABILITY_EVIDENCE,
    whole("scans"),
    whole("vulnerabilities"),
];
const SIGNATURES: Feed = part("release", "signatures", "release.artifacts.signatures");
const PROVENANCE: Feed = part("release", "provenance", "release.artifacts.provenance");
const SBOMS: Feed = part("release", "sboms", "release.sboms");
// A checksum file also signs what it lists (`Artifact.coverage`, signed checksum files and
// chains): one that cannot be read, or only in part, leaves coverage unjudged too.
const CHECKSUMS: &[Feed] = &[
    part("release", "checksums", "release.artifacts.checksums"),
    part("release", "coverage", "release.artifacts.coverage"),
];
const RELEASE: &[Feed] = &[whole("release")];
const SUPPORT: &[Feed] = &[part("release", "cycle", "release.cycle"), whole("support")];
const ATTESTATIONS: &[Feed] = &[whole("attestations")];
const SIGNATURE: &[Feed] = &[SIGNATURES];
// An OpenPGP signature may sign the security.txt too.
const OPENPGP: &[Feed] = &[
    SIGNATURES,
    part("security_txt", "verified", "security_txt.verified"),
];
const ENVELOPE: &[Feed] = &[PROVENANCE, SIGNATURES];
const STATEMENT: &[Feed] = &[PROVENANCE];
// A CycloneDX document may be a VEX: it feeds the vulnerabilities too.
const CYCLONEDX: &[Feed] = &[SBOMS, VULNERABILITY_EVIDENCE, whole("vulnerabilities")];
const SPDX: &[Feed] = &[SBOMS];
const SECURITY_TXT: &[Feed] = &[whole("security_txt")];
const CHANGELOG: &[Feed] = &[whole("changelog")];
const FEEDS: &[Feed] = &[whole("feeds")];
const TLS_SCANS: &[Feed] = &[whole("tls_scans")];

/// What evidence of `kind` feeds, sorted by text.
pub fn feeds(kind: EvidenceKind) -> &'static [Feed] {
    match kind {
        EvidenceKind::Checksums => CHECKSUMS,
        EvidenceKind::ReleaseManifest => RELEASE,
        EvidenceKind::SupportManifest | EvidenceKind::EndOfLifeData => SUPPORT,
        EvidenceKind::Attestation => ATTESTATIONS,
        // Keys in a bundle are never trusted: they feed nothing a control reads.
        EvidenceKind::PublicKey => &[],
        EvidenceKind::MinisignSignature
        | EvidenceKind::SignifySignature
        | EvidenceKind::SshSignature
        | EvidenceKind::CosignSignature => SIGNATURE,
        EvidenceKind::OpenPgpSignature => OPENPGP,
        EvidenceKind::SigstoreBundle | EvidenceKind::DsseEnvelope => ENVELOPE,
        EvidenceKind::InTotoStatement => STATEMENT,
        EvidenceKind::VulnRegister
        | EvidenceKind::OsvAdvisory
        | EvidenceKind::OsvScannerScan
        | EvidenceKind::OpenVex
        | EvidenceKind::CsafAdvisory
        | EvidenceKind::TrivyScan
        | EvidenceKind::GrypeScan
        | EvidenceKind::DependabotAlerts
        | EvidenceKind::GithubAdvisory
        | EvidenceKind::NpmAudit
        | EvidenceKind::PipAudit
        | EvidenceKind::CargoAudit
        | EvidenceKind::RustsecAdvisory => VULNERABILITY,
        EvidenceKind::CycloneDxSbom => CYCLONEDX,
        EvidenceKind::SpdxSbom => SPDX,
        EvidenceKind::SecurityTxt => SECURITY_TXT,
        EvidenceKind::Changelog => CHANGELOG,
        EvidenceKind::Feed => FEEDS,
        EvidenceKind::TlsScan => TLS_SCANS,
    }
}

/// One unreadable file, as the evaluator needs it: what it feeds, its citation and the
/// message a control's finding about it carries.
#[derive(Debug, Clone)]
pub struct UnreadableFact {
    /// What it would have fed.
    pub feeds: &'static [Feed],
    /// Its path and sha256.
    pub citation: Citation,
    /// `scans/x.json is unreadable tls-scan evidence: ... (at 3:7)`.
    pub message: String,
}

impl UnreadableFact {
    fn of(u: &UnreadableFile) -> UnreadableFact {
        let place = match (u.failure.line, u.failure.column) {
            (Some(line), Some(column)) => format!(" at line {line}, column {column}"),
            (Some(line), None) => format!(" at line {line}"),
            _ => String::new(),
        };
        UnreadableFact {
            feeds: feeds(u.kind),
            citation: citation(u),
            message: format!(
                "`{}` is unreadable {} evidence, so nothing it says can count ({}{place})",
                u.path,
                u.kind.as_str(),
                u.failure.error
            ),
        }
    }
}

fn citation(u: &UnreadableFile) -> Citation {
    Citation {
        path: Arc::from(u.path.as_str()),
        sha256: Arc::from(u.sha256.hex_in(&mut [0; 64])),
        line: u.failure.line,
    }
}

/// Every unreadable file, for the evaluator, in path order.
pub(super) fn facts(graph: &EvidenceGraph) -> Vec<UnreadableFact> {
    graph.unreadable().iter().map(UnreadableFact::of).collect()
}

/// The `Unreadable` records of the files whose kind feeds `root` (all of them for `None`).
pub(super) fn records(graph: &EvidenceGraph, root: Option<&str>) -> Value {
    Value::list(
        graph
            .unreadable()
            .iter()
            .filter(|u| root.is_none_or(|root| feeds(u.kind).iter().any(|f| f.root == root)))
            .map(unreadable)
            .collect(),
    )
}

fn unreadable(u: &UnreadableFile) -> Value {
    let citation = citation(u);
    let line = |n: Option<u32>| n.map_or(Value::None, |n| Value::Int(i64::from(n)));
    record(
        "Unreadable",
        Arc::clone(&citation.path),
        Some(citation.clone()),
        [
            ("path", Value::Str(Arc::clone(&citation.path))),
            ("sha256", Value::Str(Arc::clone(&citation.sha256))),
            ("kind", Value::str(u.kind.as_str())),
            ("error", Value::str(&u.failure.error)),
            ("line", line(u.failure.line)),
            ("column", line(u.failure.column)),
            (
                "feeds",
                Value::set(feeds(u.kind).iter().map(|f| Value::str(f.text)).collect()),
            ),
        ],
    )
}

/// The `bundle` root: a `Bundle` record.
pub(super) fn bundle(graph: &EvidenceGraph) -> Value {
    record(
        "Bundle",
        Arc::from("bundle"),
        None,
        [("unreadable", records(graph, None))],
    )
}
