//! CVSS v4.0: the metrics (specification section 7, "Vector String") and scoring.
//!
//! Scoring is the `cvss` crate's: it implements the specification's section 8 as FIRST's
//! reference calculator does (the MacroVector of equivalence classes EQ1-EQ6, the score of
//! each of the 270 MacroVectors from the lookup table, and the interpolation by severity
//! distance to the next lower MacroVectors, rounded half up to one decimal). It is checked
//! against the reference calculator's data by the crate's own test suite and by
//! `engine/tests/cvss.rs`. This module validates the vector itself (with [`super::CvssError`]'s
//! messages) and hands the crate the canonical string, which it always accepts.

use std::str::FromStr;

use super::{Cvss, CvssError, MetricDef, Version};

/// How many of [`METRICS`] (the first ones) are base metrics.
const BASE_METRICS: usize = 11;

/// The v4.0 metrics in the specification's order: base, threat, environmental (security
/// requirements, then modified base metrics), supplemental.
pub(super) const METRICS: &[MetricDef] = &[
    MetricDef::mandatory("AV", &["N", "A", "L", "P"]),
    MetricDef::mandatory("AC", &["L", "H"]),
    MetricDef::mandatory("AT", &["N", "P"]),
    MetricDef::mandatory("PR", &["N", "L", "H"]),
    MetricDef::mandatory("UI", &["N", "P", "A"]),
    MetricDef::mandatory("VC", &["H", "L", "N"]),
    MetricDef::mandatory("VI", &["H", "L", "N"]),
    MetricDef::mandatory("VA", &["H", "L", "N"]),
    MetricDef::mandatory("SC", &["H", "L", "N"]),
    MetricDef::mandatory("SI", &["H", "L", "N"]),
    MetricDef::mandatory("SA", &["H", "L", "N"]),
    MetricDef::optional("E", &["X", "A", "P", "U"]),
    MetricDef::optional("CR", &["X", "H", "M", "L"]),
    MetricDef::optional("IR", &["X", "H", "M", "L"]),
    MetricDef::optional("AR", &["X", "H", "M", "L"]),
    MetricDef::optional("MAV", &["X", "N", "A", "L", "P"]),
    MetricDef::optional("MAC", &["X", "L", "H"]),
    MetricDef::optional("MAT", &["X", "N", "P"]),
    MetricDef::optional("MPR", &["X", "N", "L", "H"]),
    MetricDef::optional("MUI", &["X", "N", "P", "A"]),
    MetricDef::optional("MVC", &["X", "H", "L", "N"]),
    MetricDef::optional("MVI", &["X", "H", "L", "N"]),
    MetricDef::optional("MVA", &["X", "H", "L", "N"]),
    MetricDef::optional("MSC", &["X", "H", "L", "N"]),
    MetricDef::optional("MSI", &["X", "S", "H", "L", "N"]),
    MetricDef::optional("MSA", &["X", "S", "H", "L", "N"]),
    MetricDef::optional("S", &["X", "N", "P"]),
    MetricDef::optional("AU", &["X", "N", "Y"]),
    MetricDef::optional("R", &["X", "A", "U", "I"]),
    MetricDef::optional("V", &["X", "D", "C"]),
    MetricDef::optional("RE", &["X", "L", "M", "H"]),
    MetricDef::optional("U", &["X", "Clear", "Green", "Amber", "Red"]),
];

/// The CVSS-B score (base metrics only) and the score of the whole vector.
pub(super) fn scores(cvss: &Cvss) -> Result<(f64, f64), CvssError> {
    let mut base_only = String::from("CVSS:4.0");
    for (name, value) in cvss.metrics().take(BASE_METRICS) {
        base_only.push('/');
        base_only.push_str(name);
        base_only.push(':');
        base_only.push_str(value);
    }
    let full = cvss.to_string();
    let base = score(&base_only)?;
    let overall = if full == base_only {
        base
    } else {
        score(&full)?
    };
    Ok((base, overall))
}

/// The crate's score of a canonical vector string.
fn score(canonical: &str) -> Result<f64, CvssError> {
    ::cvss::v4::Vector::from_str(canonical)
        .map(|vector| vector.score().value())
        .map_err(|error| CvssError::Unscorable {
            version: Version::V4_0,
            vector: canonical.to_owned(),
            reason: error.to_string(),
        })
}
