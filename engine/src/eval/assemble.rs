//! Assembling the report: waivers applied to findings, statuses concluded, principles
//! summarised, digests of the policy and the bundle, every list sorted.

use rayon::prelude::*;
use vouch_lang::{CheckedControl, CheckedPolicy};

use super::control::ControlRun;
use super::waive::Waivers;
use crate::authority::SourceDigest;
use crate::authority::signing::SigningDecisions;
use crate::digest::Sha256Digest;
use crate::graph::{EvidenceGraph, FileNode};
use crate::report::{
    AuthorityDecision, AuthorityRef, BundleFinding, BundleRef, ControlResult, EvidenceFile,
    FileDigestRef, PolicyRef, PolicySource, ProvisionResult, REPORT_SCHEMA, ReleaseRef, Report,
    SignatureResult, Status, Summary, Tool, TrustedKeyRef, input_name,
};

/// The report of a whole evaluation.
pub(super) fn report(
    policy: &CheckedPolicy,
    graph: &EvidenceGraph,
    options: &super::EvaluationOptions,
    signing: &SigningDecisions,
    waivers: &Waivers<'_>,
    runs: Vec<ControlRun>,
) -> Report {
    let mut controls = Vec::with_capacity(runs.len());
    let mut attestations = Vec::new();
    for (control, mut run) in policy.controls.iter().zip(runs) {
        attestations.append(&mut run.attestations);
        controls.push(control_result(policy, control, run));
    }
    // Unstable: a checked policy's control ids are unique, so the order is the same, and no
    // scratch buffer is allocated (the stable sort's, 17 KiB, was the first block of its size
    // in a small run: a fresh 2 MiB huge page for the allocator, zeroed by the kernel).
    controls.sort_unstable_by(|a, b| a.id.cmp(&b.id));
    attestations.sort_by(|a, b| (&a.control, &a.path).cmp(&(&b.control, &b.path)));
    let authority = authority_ref(options.authority.sources());
    Report {
        schema: REPORT_SCHEMA.to_owned(),
        tool: Tool {
            name: "vouch".to_owned(),
            version: env!("CARGO_PKG_VERSION").to_owned(),
        },
        policy: policy_ref(policy, options.framework_sha256.clone()),
        bundle: bundle_ref(graph),
        release: release_ref(graph),
        as_of: options.as_of.to_string(),
        summary: Summary::of(&controls),
        provisions: provisions(policy, &controls),
        controls,
        waivers: waivers.results(),
        waiver_files: super::waive::file_results(&options.waivers),
        attestations,
        evidence: evidence_files(graph),
        signatures: graph
            .signatures()
            .map(|(id, s)| {
                let v = signing.judged(id, s);
                SignatureResult {
                    path: s.source.path.clone(),
                    format: s.format.as_str().to_owned(),
                    signed: s.signed.clone(),
                    outcome: v.outcome.as_str().to_owned(),
                    verified: v.verified,
                    trusted: v.trusted,
                    key_id: v.key_id.clone(),
                    signer: v.signer.clone(),
                    identity: v.identity().map(str::to_owned),
                    issuer: v.issuer().map(str::to_owned),
                    reason: v.reason.clone(),
                    // Recorded under an authority policy only: without one every trusted
                    // key may sign (the reports of runs without --authority are unchanged).
                    decision: signing.get(id).filter(|_| authority.is_some()).map(|d| {
                        AuthorityDecision {
                            action: "sign".to_owned(),
                            kind: Some(d.kind.name().to_owned()),
                            allowed: d.decision.allowed,
                            policies: d.decision.policies.clone(),
                            reason: d.decision.reason.clone(),
                        }
                    }),
                }
            })
            .collect(),
        trust: options
            .trust
            .iter()
            .map(|k| TrustedKeyRef {
                path: input_name(&k.path),
                ..k.clone()
            })
            .collect(),
        authority,
    }
}

/// The authority's files (policy, then entities) as the report records them.
fn authority_ref(sources: Vec<SourceDigest>) -> Option<AuthorityRef> {
    let mut files = sources.into_iter().map(|s| FileDigestRef {
        path: input_name(&s.name),
        sha256: s.sha256,
    });
    let policy = files.next()?;
    Some(AuthorityRef {
        policy,
        entities: files.next(),
    })
}

/// Every regular file, in path order, as the report lists it: one per file of the bundle
/// (100,000 for a large one), so made across the rayon pool.
fn evidence_files(graph: &EvidenceGraph) -> Vec<EvidenceFile> {
    let files: Vec<&FileNode> = graph.files().map(|(_, f)| f).collect();
    let one = |f: &&FileNode| EvidenceFile {
        path: f.path.clone(),
        sha256: f.sha256.to_hex(),
        kind: f.kind.map_or("unclassified", |k| k.as_str()).to_owned(),
    };
    // A small bundle's list is made here: no pool is started for it.
    if files.len() < 2048 {
        return files.iter().map(one).collect();
    }
    files.par_iter().with_min_len(1024).map(one).collect()
}

/// One control's result: `waived` when it fails only on findings waivers cover (each was
/// matched against the waivers as it was made).
pub(super) fn control_result(
    policy: &CheckedPolicy,
    control: &CheckedControl,
    run: ControlRun,
) -> ControlResult {
    let findings = run.findings;
    let mut status = run.status.unwrap_or(Status::Error);
    if status == Status::Fail
        && findings.iter().all(|f| f.waived_by.is_some())
        && run.omitted.unwaived == 0
    {
        status = Status::Waived;
    }
    let source = policy
        .modules
        .get(control.module)
        .map(|m| {
            // The line of `control "ID"`, not of the doc comment above it.
            let at = match m.ast.items.get(control.item) {
                Some(vouch_lang::ast::Item::Control(c)) => c.id.span.start,
                _ => control.span.start,
            };
            format!("{}:{}", m.source.name(), m.source.line_col(at).0)
        })
        .unwrap_or_default();
    ControlResult {
        id: control.id.clone(),
        title: control.title.clone(),
        provisions: control.provisions.clone(),
        severity: control.severity.as_str().to_owned(),
        status,
        reason: run.reason,
        description: control.description.clone(),
        rationale: control.rationale.clone(),
        remediation: control.remediation.clone(),
        tags: control.tags.clone(),
        source,
        findings,
        findings_omitted: run.omitted.count,
        pass_evidence: if status == Status::Pass {
            run.pass
        } else {
            None
        },
    }
}

/// The release assessed, from the bundle's `release.toml` and the support cycle it is in.
fn release_ref(graph: &EvidenceGraph) -> Option<ReleaseRef> {
    let (_, r) = graph.release()?;
    Some(ReleaseRef {
        product: r.product.clone(),
        version: r.version.clone(),
        date: r.date.to_string(),
        cycle: graph.release_cycle().map(|(_, c)| c.cycle.clone()),
        previous: r.previous.clone(),
        path: r.source.path.clone(),
        sha256: r.source.sha256.to_hex(),
    })
}

fn policy_ref(policy: &CheckedPolicy, framework_sha256: Option<String>) -> PolicyRef {
    let mut sources: Vec<PolicySource> = policy
        .modules
        .iter()
        .map(|m| PolicySource {
            name: m.source.name().to_owned(),
            sha256: Sha256Digest::of(m.source.text().as_bytes()).to_hex(),
        })
        .collect();
    sources.sort();
    sources.dedup();
    let mut lines = Vec::new();
    for s in &sources {
        lines.extend_from_slice(s.name.as_bytes());
        lines.push(0);
        lines.extend_from_slice(s.sha256.as_bytes());
        lines.push(b'\n');
    }
    let info = &policy.info;
    PolicyRef {
        name: info.name.clone(),
        title: info.title.clone(),
        version: info.version.clone(),
        framework: policy.framework.id.clone(),
        framework_title: policy.framework.title.clone(),
        framework_source: policy.framework.source.clone(),
        framework_version: policy.framework.version.clone(),
        framework_sha256,
        sha256: Sha256Digest::of(&lines).to_hex(),
        sources,
        params: std::collections::BTreeMap::new(),
    }
}

fn bundle_ref(graph: &EvidenceGraph) -> BundleRef {
    BundleRef {
        digest: graph.bundle_digest().to_hex(),
        files: graph.files().count(),
        findings: graph
            .findings()
            .iter()
            .map(|f| BundleFinding {
                code: f.code.as_str().to_owned(),
                severity: f.severity.as_str().to_owned(),
                path: f.path.clone(),
                line: f.line,
                message: f.message.clone(),
            })
            .collect(),
    }
}

/// Every principle of the framework, in its order, with the worst status of its controls.
fn provisions(policy: &CheckedPolicy, controls: &[ControlResult]) -> Vec<ProvisionResult> {
    policy
        .framework
        .principles
        .iter()
        .map(|p| {
            let assessing: Vec<&ControlResult> = controls
                .iter()
                .filter(|c| c.provisions.contains(&p.id))
                .collect();
            let status = assessing
                .iter()
                .map(|c| c.status)
                .max_by_key(|s| s.badness())
                .unwrap_or(Status::Unassessed);
            ProvisionResult {
                id: p.id.clone(),
                title: p.title.clone(),
                theme: p.theme.clone(),
                status,
                controls: assessing.iter().map(|c| c.id.clone()).collect(),
            }
        })
        .collect()
}
