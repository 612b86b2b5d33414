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

const fn mandatory(name: &'static str, values: &'static [&'static str]) -> MetricDef {
    MetricDef {
        name,
        values,
        mandatory: true,
    }
}

const fn optional(name: &'static str, values: &'static [&'static str]) -> MetricDef {
    MetricDef {
        name,
        values,
        mandatory: false,
    }
}

/// How many of [`METRICS`] (the first ones) are base metrics.
const BASE_METRICS: usize = 11;

/// The v4.0 metrics in the specification's order: base, threat, environmental (security
/// requirements, then modified base metrics), supplemental.
pub(super) const METRICS: &[MetricDef] = &[
    mandatory("AV", &["N", "A", "L", "P"]),
    mandatory("AC", &["L", "H"]),
    mandatory("AT", &["N", "P"]),
    mandatory("PR", &["N", "L", "H"]),
    mandatory("UI", &["N", "P", "A"]),
    mandatory("VC", &["H", "L", "N"]),
    mandatory("VI", &["H", "L", "N"]),
    mandatory("VA", &["H", "L", "N"]),
    mandatory("SC", &["H", "L", "N"]),
    mandatory("SI", &["H", "L", "N"]),
    mandatory("SA", &["H", "L", "N"]),
    optional("E", &["X", "A", "P", "U"]),
    optional("CR", &["X", "H", "M", "L"]),
    optional("IR", &["X", "H", "M", "L"]),
    optional("AR", &["X", "H", "M", "L"]),
    optional("MAV", &["X", "N", "A", "L", "P"]),
    optional("MAC", &["X", "L", "H"]),
    optional("MAT", &["X", "N", "P"]),
    optional("MPR", &["X", "N", "L", "H"]),
    optional("MUI", &["X", "N", "P", "A"]),
    optional("MVC", &["X", "H", "L", "N"]),
    optional("MVI", &["X", "H", "L", "N"]),
    optional("MVA", &["X", "H", "L", "N"]),
    optional("MSC", &["X", "H", "L", "N"]),
    optional("MSI", &["X", "S", "H", "L", "N"]),
    optional("MSA", &["X", "S", "H", "L", "N"]),
    optional("S", &["X", "N", "P"]),
    optional("AU", &["X", "N", "Y"]),
    optional("R", &["X", "A", "U", "I"]),
    optional("V", &["X", "D", "C"]),
    optional("RE", &["X", "L", "M", "H"]),
    optional("U", &["X", "Clear", "Green", "Amber", "Red"]),
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
