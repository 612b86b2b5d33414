//! Report fixtures for the renderer tests and benchmark, built by hand so the renderers can
//! be tested apart from the evaluator: a realistic report with a control of every status,
//! findings with evidence, locations and values, waivers in several states, attestations,
//! unassessed principles, a bundle problem and one control whose text is hostile.
#![allow(
    dead_code,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "test helpers; not every test uses every helper"
)]

mod parts;

use parts::{attestations, bundle_findings, evidence_files, waivers};
use vouch_engine::report::{
    AttestationUse, BundleFinding, BundleRef, ControlResult, EvidenceFile, EvidenceRef, Finding,
    PolicyRef, PolicySource, ProvisionResult, REPORT_SCHEMA, ReleaseRef, Report, SignatureResult,
    Status, Summary, Tool, TrustedKeyRef, WaiverFileResult, WaiverResult, WaiverSignatureResult,
};

/// The fourteen principles of the UK Software Security Code of Practice: (id, theme, title).
pub const PRINCIPLES: &[(&str, &str, &str)] = &[
    (
        "1.1",
        "1",
        "Follow an established secure development framework",
    ),
    (
        "1.2",
        "1",
        "Understand the composition of the software and assess third-party risk",
    ),
    (
        "1.3",
        "1",
        "Have a clear process for testing software and updates before distribution",
    ),
    (
        "1.4",
        "1",
        "Follow secure by design and secure by default principles",
    ),
    (
        "2.1",
        "2",
        "Protect the build environment against unauthorised access",
    ),
    (
        "2.2",
        "2",
        "Control and log changes to the build environment",
    ),
    ("3.1", "3", "Distribute software securely to customers"),
    (
        "3.2",
        "3",
        "Implement and publish an effective vulnerability disclosure process",
    ),
    (
        "3.3",
        "3",
        "Have processes to proactively detect, prioritise and manage vulnerabilities",
    ),
    (
        "3.4",
        "3",
        "Report vulnerabilities to relevant parties where appropriate",
    ),
    (
        "3.5",
        "3",
        "Provide timely security updates, patches and notifications",
    ),
    (
        "4.1",
        "4",
        "Provide information on the level of support and maintenance",
    ),
    (
        "4.2",
        "4",
        "Give at least one year's notice before ending support",
    ),
    (
        "4.3",
        "4",
        "Make information available to customers about notable incidents",
    ),
];

/// A sha256-looking hex digest derived from `seed`.
pub fn digest(seed: &str) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in seed.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    let mut out = String::with_capacity(64);
    for i in 0..4u64 {
        let v = h.rotate_left((i * 17) as u32) ^ (i.wrapping_mul(0x9e37_79b9_7f4a_7c15));
        out.push_str(&format!("{v:016x}"));
    }
    out
}

fn ev(path: &str, location: Option<&str>) -> EvidenceRef {
    EvidenceRef {
        path: path.into(),
        sha256: digest(path),
        location: location.map(Into::into),
    }
}

fn finding(
    message: &str,
    evidence: Vec<EvidenceRef>,
    values: &[(&str, &str)],
    line: u32,
) -> Finding {
    Finding {
        message: message.into(),
        evidence,
        values: values
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect(),
        expect: format!("acme.vouch:{line}"),
        evidence_omitted: 0,
        fingerprint: format!("vf1:{}", &digest(message)[..24]),
        subject: None,
        missing_evidence: false,
        waived_by: None,
    }
}

#[allow(clippy::too_many_arguments, reason = "a fixture constructor")]
fn control(
    id: &str,
    title: &str,
    provisions: &[&str],
    severity: &str,
    status: Status,
    reason: Option<&str>,
    line: u32,
    findings: Vec<Finding>,
) -> ControlResult {
    ControlResult {
        id: id.into(),
        title: title.into(),
        provisions: provisions.iter().map(|p| (*p).to_owned()).collect(),
        severity: severity.into(),
        status,
        reason: reason.map(Into::into),
        description: None,
        rationale: None,
        remediation: None,
        tags: Vec::new(),
        source: format!("acme.vouch:{line}"),
        findings,
        findings_omitted: 0,
        pass_evidence: None,
    }
}

/// The hand-built report most renderer tests use.
pub fn fixture() -> Report {
    let mut sign = control(
        "ACME-SIGN-1",
        "Every distributed artifact has a valid signature from a trusted key",
        &["3.1", "3.5"],
        "critical",
        Status::Fail,
        None,
        12,
        vec![
            finding(
                "dist/acme-2.4.0-linux-amd64.tar.gz has no valid signature from a trusted key",
                vec![ev("dist/acme-2.4.0-linux-amd64.tar.gz", None)],
                &[
                    ("artifact.path", "dist/acme-2.4.0-linux-amd64.tar.gz"),
                    ("signatures", "0"),
                ],
                19,
            ),
            finding(
                "dist/acme 2.4.0 (windows).zip has no valid signature from a trusted key",
                vec![
                    ev("dist/SHA256SUMS", Some("line 3")),
                    ev("dist/acme 2.4.0 (windows).zip", None),
                ],
                &[
                    ("artifact.path", "dist/acme 2.4.0 (windows).zip"),
                    ("signatures", "1"),
                ],
                19,
            ),
        ],
    );
    // A finding resting on more evidence than it cites.
    sign.findings[1].evidence_omitted = 2;
    sign.description =
        Some("Customers can verify every download against a key they already trust.".into());
    sign.rationale = Some("An unsigned artifact cannot be told apart from a tampered one.".into());
    sign.remediation = Some("Sign each artifact with a release key listed in the trust store, e.g. `minisign -S -m FILE`.".into());
    sign.tags = vec!["signing".into(), "distribution".into()];

    let mut sbom = control(
        "ACME-SBOM-1",
        "Every release ships an SBOM",
        &["1.2", "3.3"],
        "high",
        Status::Pass,
        None,
        30,
        vec![],
    );
    sbom.remediation = Some("Generate a CycloneDX or SPDX SBOM in the release pipeline.".into());
    sbom.pass_evidence = Some(vouch_engine::report::PassEvidence {
        checks: vec![vouch_engine::report::PassCheck {
            expect: "acme.vouch:33".into(),
            condition: "len(artifact.sboms) > 0".into(),
            held: 5,
        }],
        evidence: [
            ("dist/acme 2.4.0 (windows).zip", None, "Artifact", "artifact dist/acme 2.4.0 (windows).zip (5120 bytes, sha256 0123…cdef): 0 signature(s), 1 checksum entry, 1 SBOM(s), 0 provenance statement(s)"),
            ("dist/acme-2.4.0-linux-amd64.tar.gz", None, "Artifact", "artifact dist/acme-2.4.0-linux-amd64.tar.gz (4096 bytes, sha256 4567…89ab): 1 signature(s), 1 checksum entry, 1 SBOM(s), 0 provenance statement(s)"),
            ("release.toml", Some("line 4"), "Release", "release acme 2.4.0 dated 2026-09-01T00:00:00Z"),
            ("sbom/acme.cdx.json", None, "Sbom", "SBOM sbom/acme.cdx.json (cyclonedx 1.6) describes component acme 2.4.0 (pkg:generic/acme@2.4.0), linked by digest, lists 12 component(s), created at a time not recorded"),
        ]
        .into_iter()
        .map(|(path, line, kind, checked)| vouch_engine::report::PassRecord {
            at: ev(path, line),
            kind: kind.into(),
            checked: checked.into(),
            expect: "acme.vouch:33".into(),
        })
        .collect(),
        evidence_omitted: 2,
        vacuous: None,
    });

    let mut patch_finding = finding(
        "CVE-2026-1234 (high) took 21d, SLA is 7d",
        vec![ev(
            "scans/osv.json",
            Some("/results/0/packages/2/vulnerabilities/0"),
        )],
        &[
            ("deadline", "7d"),
            ("v.id", "CVE-2026-1234"),
            ("v.time_to_fix", "21d"),
        ],
        44,
    );
    patch_finding.waived_by = Some("W-1".into());
    let mut patch = control(
        "ACME-PATCH-SLA",
        "Vulnerabilities are fixed within the patch SLA",
        &["3.3", "3.5"],
        "high",
        Status::Waived,
        None,
        40,
        vec![patch_finding],
    );
    patch.remediation = Some("Ship the fix, or record an accepted risk with a waiver.".into());

    let mut vdp = control(
        "ACME-VDP-1",
        "A security.txt with a monitored contact is published",
        &["3.2"],
        "medium",
        Status::Fail,
        Some("no evidence of security_txt in the bundle"),
        55,
        vec![],
    );
    vdp.remediation = Some("Add .well-known/security.txt (RFC 9116) to the bundle.".into());

    let eol = control(
        "ACME-EOL-NOTICE",
        "End of life is announced at least 12 months ahead",
        &["4.2"],
        "medium",
        Status::NotApplicable,
        Some("no support cycle has an end-of-life date"),
        63,
        vec![],
    );
    let training = control(
        "ACME-TRAINING",
        "Release engineers are trained in patch triage",
        &["3.3", "4.3"],
        "low",
        Status::Manual,
        Some("attest that release engineers completed patch-triage training this year"),
        70,
        vec![],
    );
    let incident = control(
        "ACME-IR-1",
        "An incident response plan covers customer notification",
        &["4.3"],
        "low",
        Status::Pass,
        None,
        78,
        vec![],
    );
    let prov = control(
        "ACME-PROV-1",
        "Build provenance names the release commit",
        &["2.2", "3.1"],
        "high",
        Status::Error,
        Some("provenance/acme.intoto.jsonl: statement subject has no sha256 digest"),
        85,
        vec![],
    );
    let mut hostile = control(
        "ACME-HOSTILE",
        "Title with <b>markup</b> & \"quotes\" | pipes",
        &["1.4"],
        "info",
        Status::Fail,
        None,
        95,
        vec![finding(
            "<script>alert(1)</script> | **bold** [x](javascript:alert(1)) <img src=http://127.0.0.1:9/x> ]]> \u{1}\u{7f} end",
            vec![ev("notes/<evil> & \"x\".txt", Some("line 2"))],
            &[("v", "<iframe src=//127.0.0.1:9>")],
            99,
        )],
    );
    hostile.remediation = Some("Line one\nline two with `code` and # heading".into());

    let controls = vec![
        eol, hostile, incident, patch, prov, sbom, sign, training, vdp,
    ];
    assert!(
        controls.windows(2).all(|w| w[0].id < w[1].id),
        "controls sorted by id"
    );
    finish(
        controls,
        waivers(),
        attestations(),
        evidence_files(),
        bundle_findings(),
    )
}

/// Completes a report around `controls`: summary, principles (worst status of their
/// controls, or unassessed), digests.
pub fn finish(
    controls: Vec<ControlResult>,
    waivers: Vec<WaiverResult>,
    attestations: Vec<AttestationUse>,
    evidence: Vec<EvidenceFile>,
    bundle_findings: Vec<BundleFinding>,
) -> Report {
    let provisions = PRINCIPLES
        .iter()
        .map(|(id, theme, title)| {
            let mine: Vec<&ControlResult> = controls
                .iter()
                .filter(|c| c.provisions.iter().any(|p| p == id))
                .collect();
            let status = mine
                .iter()
                .map(|c| c.status)
                .max_by_key(|s| s.badness())
                .unwrap_or(Status::Unassessed);
            ProvisionResult {
                id: (*id).into(),
                title: (*title).into(),
                theme: (*theme).into(),
                status,
                controls: mine.iter().map(|c| c.id.clone()).collect(),
            }
        })
        .collect();
    Report {
        schema: REPORT_SCHEMA.into(),
        tool: Tool {
            name: "vouch".into(),
            version: "0.1.0".into(),
        },
        policy: PolicyRef {
            name: "acme-release".into(),
            title: "ACME release policy".into(),
            version: Some("2026.1".into()),
            framework: "uk-sscop".into(),
            framework_title: "UK Software Security Code of Practice".into(),
            framework_source: Some(
                "https://www.gov.uk/government/publications/software-security-code-of-practice"
                    .into(),
            ),
            framework_version: Some("2025-05".into()),
            framework_sha256: Some(digest("framework")),
            sha256: digest("policy"),
            sources: vec![
                PolicySource {
                    name: "acme.vouch".into(),
                    sha256: digest("acme.vouch"),
                },
                PolicySource {
                    name: "std.uk-sscop".into(),
                    sha256: digest("std.uk-sscop"),
                },
            ],
            params: [
                ("std.uk_sscop::eol_notice", "12 months"),
                (
                    "std.uk_sscop::patch_sla",
                    "{ critical: 1d, high: 7d, low: 90d, medium: 30d }",
                ),
                (
                    "std.uk_sscop::secure_schemes",
                    "[\"https\", \"sftp\", \"ssh\"]",
                ),
            ]
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect(),
        },
        bundle: BundleRef {
            digest: digest("bundle"),
            files: evidence.len(),
            findings: bundle_findings,
        },
        release: Some(ReleaseRef {
            product: "widget".into(),
            version: "2.4.1".into(),
            date: "2026-09-28".into(),
            cycle: Some("2.4".into()),
            previous: Some("2.4.0".into()),
            path: "release.toml".into(),
            sha256: digest("release.toml"),
        }),
        as_of: "2026-10-01T00:00:00Z".into(),
        summary: Summary::of(&controls),
        controls,
        provisions,
        waivers,
        waiver_files: vec![WaiverFileResult {
            path: "waivers.toml".into(),
            sha256: digest("waivers.toml"),
            approved: true,
            key_id: Some("C025C99C77B7650CC792B404F7AA08F7CED3225A".into()),
            signer: Some("Head of Security <head-of-security@acme.example>".into()),
            reason: None,
            undated: false,
            signatures: vec![WaiverSignatureResult {
                path: "waivers.toml.asc".into(),
                format: "openpgp".into(),
                outcome: "verified".into(),
                key_id: Some("C025C99C77B7650CC792B404F7AA08F7CED3225A".into()),
                signer: Some("Head of Security <head-of-security@acme.example>".into()),
                signed_at: Some("2026-09-14T09:00:00Z".into()),
                reason: None,
            }],
        }],
        attestations,
        evidence,
        signatures: vec![SignatureResult {
            path: "dist/widget-2.4.1.tar.gz.minisig".into(),
            format: "minisign".into(),
            signed: Some("dist/widget-2.4.1.tar.gz".into()),
            outcome: "untrusted-key".into(),
            verified: false,
            trusted: false,
            key_id: Some("E7620F1842B4E81F".into()),
            signer: None,
            identity: None,
            issuer: None,
            reason: Some("no minisign key E7620F1842B4E81F in the trust set".into()),
            decision: None,
        }],
        trust: vec![TrustedKeyRef {
            path: "release.pub".into(),
            sha256: digest("release.pub"),
            format: "minisign".into(),
            key_id: "0807060504030201".into(),
        }],
        authority: None,
    }
}

/// A report with `n` findings spread over 100 controls, each finding citing two files, for
/// scaling tests and the benchmark.
pub fn large(n: usize) -> Report {
    let per = n.div_ceil(100).max(1);
    let mut controls = Vec::new();
    let mut left = n;
    for i in 0..100 {
        let k = left.min(per);
        left -= k;
        let findings: Vec<Finding> = (0..k)
            .map(|j| {
                finding(
                    &format!("dist/pkg-{i}-{j}.tar.gz has no valid signature from a trusted key"),
                    vec![
                        ev(&format!("dist/pkg-{i}-{j}.tar.gz"), None),
                        ev("dist/SHA256SUMS", Some(&format!("line {}", j + 1))),
                    ],
                    &[("artifact.path", "dist/pkg.tar.gz"), ("signatures", "0")],
                    (10 + i) as u32,
                )
            })
            .collect();
        let status = if findings.is_empty() {
            Status::Pass
        } else {
            Status::Fail
        };
        let p = PRINCIPLES[i % PRINCIPLES.len()].0;
        controls.push(control(
            &format!("GEN-{i:03}"),
            "Generated control",
            &[p],
            "high",
            status,
            None,
            (10 + i) as u32,
            findings,
        ));
    }
    let evidence = vec![EvidenceFile {
        path: "dist/SHA256SUMS".into(),
        sha256: digest("dist/SHA256SUMS"),
        kind: "checksums".into(),
    }];
    finish(controls, Vec::new(), Vec::new(), evidence, Vec::new())
}

/// The smallest report: no controls, no waivers, no evidence.
pub fn empty() -> Report {
    finish(Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new())
}
