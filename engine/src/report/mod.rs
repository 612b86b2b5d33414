//! The auditable report: its model ([`model`]) and its renderers.

pub mod model;

pub use model::{
    AttestationUse, BundleFinding, BundleRef, ControlResult, EvidenceFile, EvidenceRef, Finding,
    PolicyRef, PolicySource, ProvisionResult, REPORT_SCHEMA, Report, Status, Summary, Tool,
    WaiverResult,
};
