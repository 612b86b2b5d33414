//! The auditable report: its model ([`model`]) and its renderers ([`render`]).

pub mod model;
pub mod render;
pub mod waiver_model;

pub use model::{
    AttestationUse, BundleFinding, BundleRef, ControlResult, DecisionResult, EvidenceFile,
    EvidenceRef, Finding, FindingValues, MAX_CONTROL_FINDINGS, MAX_FINDING_EVIDENCE, PolicyRef,
    PolicySource, ProvisionResult, REPORT_SCHEMA, Report, SignatureResult, Status, Summary, Tool,
    TrustedKeyRef, WaiverFileResult, WaiverResult, WaiverSignatureResult,
};
