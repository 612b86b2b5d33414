//! CVSS v3.0 and v3.1: metrics and the specification's equations (v3.1 specification
//! section 7, v3.0 specification section 8), with each version's rounding.

use super::{Cvss, MetricDef, Version};

/// The v3.x metrics in the order of the specification's vector string table.
pub(super) const METRICS: &[MetricDef] = &[
    MetricDef::mandatory("AV", &["N", "A", "L", "P"]),
    MetricDef::mandatory("AC", &["L", "H"]),
    MetricDef::mandatory("PR", &["N", "L", "H"]),
    MetricDef::mandatory("UI", &["N", "R"]),
    MetricDef::mandatory("S", &["U", "C"]),
    MetricDef::mandatory("C", &["H", "L", "N"]),
    MetricDef::mandatory("I", &["H", "L", "N"]),
    MetricDef::mandatory("A", &["H", "L", "N"]),
    MetricDef::optional("E", &["X", "H", "F", "P", "U"]),
    MetricDef::optional("RL", &["X", "U", "W", "T", "O"]),
    MetricDef::optional("RC", &["X", "C", "R", "U"]),
    MetricDef::optional("CR", &["X", "H", "M", "L"]),
    MetricDef::optional("IR", &["X", "H", "M", "L"]),
    MetricDef::optional("AR", &["X", "H", "M", "L"]),
    MetricDef::optional("MAV", &["X", "N", "A", "L", "P"]),
    MetricDef::optional("MAC", &["X", "L", "H"]),
    MetricDef::optional("MPR", &["X", "N", "L", "H"]),
    MetricDef::optional("MUI", &["X", "N", "R"]),
    MetricDef::optional("MS", &["X", "U", "C"]),
    MetricDef::optional("MC", &["X", "H", "L", "N"]),
    MetricDef::optional("MI", &["X", "H", "L", "N"]),
    MetricDef::optional("MA", &["X", "H", "L", "N"]),
];

const TEMPORAL: &[&str] = &["E", "RL", "RC"];
const ENVIRONMENTAL: &[&str] = &[
    "CR", "IR", "AR", "MAV", "MAC", "MPR", "MUI", "MS", "MC", "MI", "MA",
];

/// A v3.x vector's scores.
#[derive(Debug, Clone, Copy)]
pub(super) struct Scores {
    pub base: f64,
    pub temporal: f64,
    pub environmental: f64,
    /// Environmental if an environmental metric is defined, else temporal if a temporal one
    /// is, else base.
    pub overall: f64,
}

/// Computes the base, temporal and environmental scores of a parsed v3.x vector.
pub(super) fn scores(cvss: &Cvss) -> Scores {
    let roundup: fn(f64) -> f64 = if cvss.version == Version::V3_0 {
        roundup_v30
    } else {
        roundup_v31
    };
    let get = |name: &str| cvss.metric(name).unwrap_or("X");
    // A modified metric that is Not Defined takes the base metric's value.
    let modified = |name: &str, base: &str| cvss.metric(name).unwrap_or_else(|| get(base));

    // Base.
    let changed = get("S") == "C";
    let iss = 1.0 - (1.0 - cia(get("C"))) * (1.0 - cia(get("I"))) * (1.0 - cia(get("A")));
    let impact = if changed {
        7.52 * (iss - 0.029) - 3.25 * (iss - 0.02).powf(15.0)
    } else {
        6.42 * iss
    };
    let exploitability =
        8.22 * av(get("AV")) * ac(get("AC")) * pr(get("PR"), changed) * ui(get("UI"));
    let base = sum_impact(impact, exploitability, changed, roundup);

    // Temporal: multiplied left to right as the specification writes it, since a different
    // order can move the last bit and v3.0's rounding up sees that bit.
    let (e, rl, rc) = (e(get("E")), rl(get("RL")), rc(get("RC")));
    let temporal = roundup(base * e * rl * rc);

    // Environmental.
    let m_changed = modified("MS", "S") == "C";
    let miss = (1.0
        - (1.0 - requirement(get("CR")) * cia(modified("MC", "C")))
            * (1.0 - requirement(get("IR")) * cia(modified("MI", "I")))
            * (1.0 - requirement(get("AR")) * cia(modified("MA", "A"))))
    .min(0.915);
    let m_impact = if !m_changed {
        6.42 * miss
    } else if cvss.version == Version::V3_0 {
        7.52 * (miss - 0.029) - 3.25 * (miss - 0.02).powf(15.0)
    } else {
        7.52 * (miss - 0.029) - 3.25 * (miss * 0.9731 - 0.02).powf(13.0)
    };
    let m_exploitability = 8.22
        * av(modified("MAV", "AV"))
        * ac(modified("MAC", "AC"))
        * pr(modified("MPR", "PR"), m_changed)
        * ui(modified("MUI", "UI"));
    let environmental = if m_impact <= 0.0 {
        0.0
    } else {
        let capped = sum_impact(m_impact, m_exploitability, m_changed, roundup);
        roundup(capped * e * rl * rc)
    };

    let defined = |names: &[&str]| names.iter().any(|name| cvss.metric(name).is_some());
    let overall = if defined(ENVIRONMENTAL) {
        environmental
    } else if defined(TEMPORAL) {
        temporal
    } else {
        base
    };
    Scores {
        base,
        temporal,
        environmental,
        overall,
    }
}

/// `Roundup(Minimum(Impact + Exploitability, 10))`, with the 1.08 factor when scope is
/// changed; 0 when the impact is not positive.
fn sum_impact(impact: f64, exploitability: f64, changed: bool, roundup: fn(f64) -> f64) -> f64 {
    if impact <= 0.0 {
        0.0
    } else if changed {
        roundup((1.08 * (impact + exploitability)).min(10.0))
    } else {
        roundup((impact + exploitability).min(10.0))
    }
}

/// CVSS v3.1 `Roundup` (specification Appendix A): the smallest number with one decimal
/// that is equal to or higher than `x`, computed on `x` rounded to five decimals first, so
/// that floating-point noise (`9.200000000000001`) does not push a result up a tenth.
pub(super) fn roundup_v31(x: f64) -> f64 {
    // Scores are within 0..=11, so the product fits an i64 exactly.
    #[allow(
        clippy::cast_possible_truncation,
        reason = "x * 100000 is a small whole number after round()"
    )]
    let int_input = (x * 100_000.0).round() as i64;
    if int_input % 10_000 == 0 {
        int_input as f64 / 100_000.0
    } else {
        (int_input.div_euclid(10_000) + 1) as f64 / 10.0
    }
}

/// CVSS v3.0 "round up": the smallest number with one decimal that is equal to or higher
/// than `x`, on the floating-point value as it is (v3.0 specification section 8.1 and its
/// calculator); `9.200000000000001` becomes 9.3 where v3.1 gives 9.2.
pub(super) fn roundup_v30(x: f64) -> f64 {
    (x * 10.0).ceil() / 10.0
}

// Metric weights (v3.1 specification section 7.4; the same in v3.0). Values are validated by
// the parser, so each match's last arm is the one value left.

fn av(value: &str) -> f64 {
    match value {
        "N" => 0.85,
        "A" => 0.62,
        "L" => 0.55,
        _ => 0.2,
    }
}

fn ac(value: &str) -> f64 {
    match value {
        "L" => 0.77,
        _ => 0.44,
    }
}

/// Privileges Required: higher weights when scope is changed.
fn pr(value: &str, changed: bool) -> f64 {
    match (value, changed) {
        ("N", _) => 0.85,
        ("L", false) => 0.62,
        ("L", true) => 0.68,
        (_, false) => 0.27,
        (_, true) => 0.5,
    }
}

fn ui(value: &str) -> f64 {
    match value {
        "N" => 0.85,
        _ => 0.62,
    }
}

/// Confidentiality, Integrity and Availability (and their modified forms).
fn cia(value: &str) -> f64 {
    match value {
        "H" => 0.56,
        "L" => 0.22,
        _ => 0.0,
    }
}

/// Exploit Code Maturity.
fn e(value: &str) -> f64 {
    match value {
        "F" => 0.97,
        "P" => 0.94,
        "U" => 0.91,
        _ => 1.0,
    }
}

/// Remediation Level.
fn rl(value: &str) -> f64 {
    match value {
        "W" => 0.97,
        "T" => 0.96,
        "O" => 0.95,
        _ => 1.0,
    }
}

/// Report Confidence.
fn rc(value: &str) -> f64 {
    match value {
        "R" => 0.96,
        "U" => 0.92,
        _ => 1.0,
    }
}

/// Confidentiality, Integrity and Availability Requirements.
fn requirement(value: &str) -> f64 {
    match value {
        "H" => 1.5,
        "L" => 0.5,
        _ => 1.0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roundup_v31_follows_appendix_a() {
        assert_eq!(roundup_v31(4.0), 4.0);
        assert_eq!(roundup_v31(4.02), 4.1);
        assert_eq!(roundup_v31(4.000_001), 4.0);
        // 10 * 0.92 in floating point.
        assert_eq!(10.0 * 0.92, 9.200_000_000_000_001);
        assert_eq!(roundup_v31(10.0 * 0.92), 9.2);
        assert_eq!(roundup_v31(0.0), 0.0);
        assert_eq!(roundup_v31(10.0), 10.0);
    }

    #[test]
    fn roundup_v30_is_a_plain_ceiling() {
        assert_eq!(roundup_v30(4.0), 4.0);
        assert_eq!(roundup_v30(4.02), 4.1);
        assert_eq!(roundup_v30(10.0 * 0.92), 9.3);
    }
}
