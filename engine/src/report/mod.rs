//! The auditable report: its model ([`model`]) and its renderers ([`render`]).

pub mod attest;
pub mod finding_model;
pub mod inputs;
pub mod model;
pub mod pass_model;
pub mod render;
pub mod waiver_model;

pub use inputs::{ReleaseRef, input_name, relative_source_name};
pub use model::{
    AttestationUse, AuthorityDecision, AuthorityRef, BundleFinding, BundleRef, ControlResult,
    EvidenceFile, EvidenceRef, FileDigestRef, Finding, FindingValues, MAX_CONTROL_FINDINGS,
    MAX_FINDING_EVIDENCE, PolicyRef, PolicySource, ProvisionResult, REPORT_SCHEMA, Report,
    SignatureResult, Status, Summary, Tool, TrustedKeyRef, WaiverFileResult, WaiverResult,
    WaiverSignatureResult,
};
pub use pass_model::{MAX_PASS_EVIDENCE, PassCheck, PassEvidence, PassRecord};
