//! The fixture report's waivers, attestations, bundle files and bundle problems.

use super::digest;
use vouch_engine::report::{AttestationUse, BundleFinding, EvidenceFile, WaiverResult};

/// Sorted by control id, then waiver id.
pub(super) fn waivers() -> Vec<WaiverResult> {
    vec![
        WaiverResult {
            id: "W-1".into(),
            control: "ACME-PATCH-SLA".into(),
            file: "waivers.toml".into(),
            findings: vec!["vf1:0f3b6c2a9d1e4f5a6b7c8d9e".into()],
            subject: None,
            justification:
                "Fix needs an upstream release; mitigated by disabling the affected parser".into(),
            approver: "Head of Security <head-of-security@acme.example>".into(),
            approver_key_id: Some("C025C99C77B7650CC792B404F7AA08F7CED3225A".into()),
            claimed_approver: Some("head-of-security@acme.example".into()),
            effective: "2026-09-15".into(),
            expires: "2026-12-31".into(),
            risk: Some("Exploitable only with local access".into()),
            state: "applied".into(),
            reason: None,
            decision: Some(vouch_engine::report::AuthorityDecision {
                action: "waive".into(),
                kind: None,
                allowed: true,
                policies: vec![],
                reason: "no authority policy: every trusted key may attest, waive and sign".into(),
            }),
            missing_evidence_decision: None,
            matched: 1,
            denied: 0,
        },
        WaiverResult {
            id: "W-2".into(),
            control: "ACME-SIGN-1".into(),
            file: "waivers.toml".into(),
            findings: vec![],
            subject: Some("dist/acme-1.4.2.zip".into()),
            justification: "Windows signing key rotation in progress".into(),
            approver: "Head of Security <head-of-security@acme.example>".into(),
            approver_key_id: Some("C025C99C77B7650CC792B404F7AA08F7CED3225A".into()),
            claimed_approver: None,
            effective: "2026-06-01".into(),
            expires: "2026-09-01".into(),
            risk: None,
            state: "expired".into(),
            reason: None,
            decision: None,
            missing_evidence_decision: None,
            matched: 0,
            denied: 0,
        },
    ]
}

pub(super) fn attestations() -> Vec<AttestationUse> {
    vec![
        AttestationUse {
            control: "ACME-IR-1".into(),
            path: "attestations/incident-plan.toml".into(),
            sha256: digest("attestations/incident-plan.toml"),
            statement: "The incident response plan names customer notification triggers".into(),
            attested_by: "j.smith@acme.example".into(),
            date: "2026-08-20T10:00:00Z".into(),
            accepted: true,
            reason: None,
            signature: Some("attestations/incident-plan.toml.asc".into()),
            key_id: Some("C025C99C77B7650CC792B404F7AA08F7CED3225A".into()),
            decision: Some(vouch_engine::report::AuthorityDecision {
                action: "attest".into(),
                kind: None,
                allowed: true,
                policies: Vec::new(),
                reason: "no authority policy: every trusted key may attest, waive and sign".into(),
            }),
            undated: false,
        },
        AttestationUse {
            control: "ACME-TRAINING".into(),
            path: "attestations/training-2025.toml".into(),
            sha256: digest("attestations/training-2025.toml"),
            statement: "Release engineers completed patch-triage training".into(),
            attested_by: "a.jones@acme.example".into(),
            date: "2025-03-01T09:00:00Z".into(),
            accepted: false,
            reason: Some("older than 12 months at 2026-10-01".into()),
            signature: None,
            key_id: None,
            decision: None,
            undated: false,
        },
    ]
}

pub(super) fn evidence_files() -> Vec<EvidenceFile> {
    let files = [
        ("attestations/incident-plan.toml", "attestation"),
        ("attestations/training-2025.toml", "attestation"),
        ("dist/SHA256SUMS", "checksums"),
        ("dist/acme 2.4.0 (windows).zip", "artifact"),
        ("dist/acme-2.4.0-linux-amd64.tar.gz", "artifact"),
        ("notes/<evil> & \"x\".txt", "unclassified"),
        ("provenance/acme.intoto.jsonl", "in_toto"),
        ("release.toml", "release_manifest"),
        ("sbom/acme.cdx.json", "cyclonedx"),
        ("scans/osv.json", "osv_scan"),
    ];
    files
        .iter()
        .map(|(path, kind)| EvidenceFile {
            path: (*path).into(),
            sha256: digest(path),
            kind: (*kind).into(),
        })
        .collect()
}

pub(super) fn bundle_findings() -> Vec<BundleFinding> {
    vec![BundleFinding {
        code: "vouch::ingest::checksum-line".into(),
        severity: "warning".into(),
        path: Some("dist/SHA256SUMS".into()),
        line: Some(5),
        message: "line is not `DIGEST  NAME`".into(),
    }]
}
