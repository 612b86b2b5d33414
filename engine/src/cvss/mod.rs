//! CVSS vectors: parse CVSS v3.0, v3.1 and v4.0 vector strings and compute their scores.
//!
//! [`parse`] reads a vector such as `CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N` into a
//! [`Cvss`]; [`Cvss::base_score`] and [`Cvss::severity`] give its base score (one decimal) and
//! qualitative band, [`Cvss::score`] the score of everything the vector states, and `Display`
//! the canonical vector string. Every problem with the text is a precise [`CvssError`]; no
//! input panics.
//!
//! - v3.0 and v3.1 are scored here (`v3.rs`) with the specification's formulas: v3.1 rounds
//!   with `Roundup` from its Appendix A (integer arithmetic, so `9.200000000000001` is 9.2),
//!   v3.0 with the plain "round up to one decimal" of its own specification and calculator.
//! - v4.0 is scored by the `cvss` crate (MacroVectors EQ1-EQ6, the 270-entry lookup table and
//!   severity-distance interpolation, as FIRST's reference calculator); this module parses
//!   and validates the vector itself and hands the crate a canonical string.
//!
//! A score stated next to a vector (a CSAF `baseScore`, a CycloneDX rating `score`) that
//! contradicts the vector is a finding; [`score_matches`] is the comparison.

mod v3;
mod v4;

use std::fmt;
use std::str::FromStr;

use thiserror::Error;

/// The longest piece of the input an error message quotes; longer pieces are cut with `…`.
const QUOTE_LIMIT: usize = 40;

/// A CVSS version this module reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Version {
    /// CVSS v3.0 (`CVSS:3.0/`).
    V3_0,
    /// CVSS v3.1 (`CVSS:3.1/`).
    V3_1,
    /// CVSS v4.0 (`CVSS:4.0/`).
    V4_0,
}

impl Version {
    /// The version as written after `CVSS:`: `3.0`, `3.1` or `4.0`.
    pub fn as_str(self) -> &'static str {
        match self {
            Version::V3_0 => "3.0",
            Version::V3_1 => "3.1",
            Version::V4_0 => "4.0",
        }
    }

    /// The metrics of this version, in the specification's order.
    fn metrics(self) -> &'static [MetricDef] {
        match self {
            Version::V3_0 | Version::V3_1 => v3::METRICS,
            Version::V4_0 => v4::METRICS,
        }
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The qualitative severity rating of a score (the same bands in CVSS v3.x and v4.0).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Severity {
    /// 0.0.
    None,
    /// 0.1 to 3.9.
    Low,
    /// 4.0 to 6.9.
    Medium,
    /// 7.0 to 8.9.
    High,
    /// 9.0 to 10.0.
    Critical,
}

impl Severity {
    /// The band a score (0.0 to 10.0, one decimal) falls in. Anything below 0.1, and NaN, is
    /// `None`.
    pub fn from_score(score: f64) -> Severity {
        // Compare tenths so that 3.9999999 (a 4.0 computed in floating point) is Medium.
        let tenths = (score * 10.0).round();
        if tenths >= 90.0 {
            Severity::Critical
        } else if tenths >= 70.0 {
            Severity::High
        } else if tenths >= 40.0 {
            Severity::Medium
        } else if tenths >= 1.0 {
            Severity::Low
        } else {
            Severity::None
        }
    }

    /// The band's name as the specifications write it: `None`, `Low`, `Medium`, `High`,
    /// `Critical`.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::None => "None",
            Severity::Low => "Low",
            Severity::Medium => "Medium",
            Severity::High => "High",
            Severity::Critical => "Critical",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why a text is not a CVSS vector this module can score. Messages quote at most 40
/// characters of the input.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum CvssError {
    /// The text is empty or only whitespace.
    #[error("empty CVSS vector")]
    Empty,
    /// The text does not start with `CVSS:`.
    #[error(
        "not a CVSS vector: it starts with `{found}`, not `CVSS:3.0/`, `CVSS:3.1/` or `CVSS:4.0/`"
    )]
    MissingPrefix {
        /// The text before the first `/` (or all of it).
        found: String,
    },
    /// A `CVSS:` prefix with a version this module does not read (2.0, 5.0, ...).
    #[error("unsupported CVSS version `{version}` (supported: 3.0, 3.1, 4.0)")]
    UnsupportedVersion {
        /// What followed `CVSS:`.
        version: String,
    },
    /// The prefix is followed by no metric at all (`CVSS:3.1/`).
    #[error("CVSS:{version} vector has no metrics")]
    NoMetrics {
        /// The vector's version.
        version: Version,
    },
    /// Two `/` in a row, or a `/` at the end.
    #[error("CVSS:{version} vector has an empty component (a doubled or trailing `/`)")]
    EmptyComponent {
        /// The vector's version.
        version: Version,
    },
    /// A component without a `:`.
    #[error("CVSS:{version} vector component `{component}` is not a METRIC:VALUE pair")]
    Malformed {
        /// The vector's version.
        version: Version,
        /// The component.
        component: String,
    },
    /// A metric name the version does not define (names are case-sensitive).
    #[error("unknown metric `{metric}` in a CVSS:{version} vector")]
    UnknownMetric {
        /// The vector's version.
        version: Version,
        /// The name as written.
        metric: String,
    },
    /// A metric given twice.
    #[error("metric {metric} appears more than once in a CVSS:{version} vector")]
    DuplicateMetric {
        /// The vector's version.
        version: Version,
        /// The metric.
        metric: &'static str,
    },
    /// A value the metric does not allow (values are case-sensitive).
    #[error(
        "invalid value `{value}` for metric {metric} in a CVSS:{version} vector (allowed: {allowed})"
    )]
    InvalidValue {
        /// The vector's version.
        version: Version,
        /// The metric.
        metric: &'static str,
        /// The value as written.
        value: String,
        /// The values the metric allows, comma-separated.
        allowed: String,
    },
    /// Mandatory (base) metrics are missing.
    #[error("CVSS:{version} vector lacks mandatory metric(s) {missing}")]
    MissingMetrics {
        /// The vector's version.
        version: Version,
        /// The missing metrics, comma-separated, in the specification's order.
        missing: String,
    },
    /// The v4.0 scorer refused a vector this module accepted (a bug, never expected).
    #[error("CVSS:{version} vector `{vector}` could not be scored: {reason}")]
    Unscorable {
        /// The vector's version.
        version: Version,
        /// The canonical vector.
        vector: String,
        /// The scorer's message.
        reason: String,
    },
}

/// One metric of a version: its abbreviation, allowed values and whether it is mandatory.
#[derive(Debug)]
struct MetricDef {
    name: &'static str,
    values: &'static [&'static str],
    mandatory: bool,
}

impl MetricDef {
    /// A metric every vector of its version must state.
    const fn mandatory(name: &'static str, values: &'static [&'static str]) -> MetricDef {
        MetricDef {
            name,
            values,
            mandatory: true,
        }
    }

    /// A metric a vector may leave out.
    const fn optional(name: &'static str, values: &'static [&'static str]) -> MetricDef {
        MetricDef {
            name,
            values,
            mandatory: false,
        }
    }
}

/// A parsed CVSS vector with its scores.
#[derive(Debug, Clone, PartialEq)]
pub struct Cvss {
    version: Version,
    /// For each metric of `version.metrics()`, the index of its value; `None` when the metric
    /// is absent or `X` (Not Defined), which mean the same.
    values: Vec<Option<u8>>,
    base_score: f64,
    score: f64,
    temporal_score: Option<f64>,
    environmental_score: Option<f64>,
}

impl Cvss {
    /// Parses a CVSS v3.0, v3.1 or v4.0 vector string (surrounding whitespace is ignored) and
    /// computes its scores.
    ///
    /// Metric names and values are case-sensitive, as the specifications write them; metrics
    /// may come in any order; each may appear once; `X` (Not Defined) is the same as leaving
    /// an optional metric out.
    pub fn parse(text: &str) -> Result<Cvss, CvssError> {
        let text = text.trim();
        if text.is_empty() {
            return Err(CvssError::Empty);
        }
        let (prefix, rest) = text.split_once('/').unwrap_or((text, ""));
        let version = match prefix {
            "CVSS:3.0" => Version::V3_0,
            "CVSS:3.1" => Version::V3_1,
            "CVSS:4.0" => Version::V4_0,
            _ => {
                return Err(match prefix.strip_prefix("CVSS:") {
                    Some(version) => CvssError::UnsupportedVersion {
                        version: quote(version),
                    },
                    None => CvssError::MissingPrefix {
                        found: quote(prefix),
                    },
                });
            }
        };
        if rest.is_empty() {
            return Err(CvssError::NoMetrics { version });
        }
        let values = parse_metrics(version, rest)?;
        let mut cvss = Cvss {
            version,
            values,
            base_score: 0.0,
            score: 0.0,
            temporal_score: None,
            environmental_score: None,
        };
        match version {
            Version::V3_0 | Version::V3_1 => {
                let scores = v3::scores(&cvss);
                cvss.base_score = scores.base;
                cvss.temporal_score = Some(scores.temporal);
                cvss.environmental_score = Some(scores.environmental);
                cvss.score = scores.overall;
            }
            Version::V4_0 => {
                let (base, overall) = v4::scores(&cvss)?;
                cvss.base_score = base;
                cvss.score = overall;
            }
        }
        Ok(cvss)
    }

    /// The vector's version.
    pub fn version(&self) -> Version {
        self.version
    }

    /// The base score, 0.0 to 10.0 with one decimal.
    ///
    /// v3.x: the Base equation. v4.0: the CVSS-B score, from the base metrics alone (threat,
    /// environmental and supplemental metrics ignored).
    pub fn base_score(&self) -> f64 {
        self.base_score
    }

    /// The band of [`Cvss::base_score`].
    pub fn severity(&self) -> Severity {
        Severity::from_score(self.base_score)
    }

    /// The score of everything the vector states, 0.0 to 10.0 with one decimal.
    ///
    /// v3.x: the environmental score when an environmental metric is defined, else the
    /// temporal score when a temporal metric is defined, else the base score. v4.0: the score
    /// of the whole vector as FIRST's calculator gives it (CVSS-B, -BT, -BE or -BTE).
    pub fn score(&self) -> f64 {
        self.score
    }

    /// v3.x: the Temporal equation's score (the base score when no temporal metric is
    /// defined). `None` for v4.0, which has no separate temporal score.
    pub fn temporal_score(&self) -> Option<f64> {
        self.temporal_score
    }

    /// v3.x: the Environmental equation's score, computed even when no environmental metric
    /// is defined (in v3.1 it can then differ from the base score when scope is changed).
    /// `None` for v4.0.
    pub fn environmental_score(&self) -> Option<f64> {
        self.environmental_score
    }

    /// The value of metric `name` (such as `AV`), or `None` when it is absent or `X`.
    pub fn metric(&self, name: &str) -> Option<&'static str> {
        let index = self
            .version
            .metrics()
            .iter()
            .position(|def| def.name == name)?;
        self.value_at(index)
    }

    /// The defined metrics as (name, value), in the specification's order.
    pub fn metrics(&self) -> impl Iterator<Item = (&'static str, &'static str)> + '_ {
        self.version
            .metrics()
            .iter()
            .enumerate()
            .filter_map(|(index, def)| Some((def.name, self.value_at(index)?)))
    }

    fn value_at(&self, index: usize) -> Option<&'static str> {
        let value = (*self.values.get(index)?)?;
        let def = self.version.metrics().get(index)?;
        def.values.get(usize::from(value)).copied()
    }
}

impl fmt::Display for Cvss {
    /// The canonical vector: the prefix, then every defined metric in the specification's
    /// order (Not Defined `X` values left out).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "CVSS:{}", self.version)?;
        for (name, value) in self.metrics() {
            write!(f, "/{name}:{value}")?;
        }
        Ok(())
    }
}

impl FromStr for Cvss {
    type Err = CvssError;

    fn from_str(text: &str) -> Result<Cvss, CvssError> {
        Cvss::parse(text)
    }
}

/// Parses a CVSS v3.0, v3.1 or v4.0 vector string; see [`Cvss::parse`].
pub fn parse(text: &str) -> Result<Cvss, CvssError> {
    Cvss::parse(text)
}

/// Whether a stated score agrees with a computed one: both rounded to one decimal and equal.
/// A stated score that is not a finite number never matches.
///
/// A stated score that contradicts its vector is a finding; format parsers compare the
/// score they read with [`Cvss::score`] (or [`Cvss::base_score`] for a field that is
/// explicitly the base score).
pub fn score_matches(stated: f64, computed: f64) -> bool {
    stated.is_finite() && computed.is_finite() && tenths(stated) == tenths(computed)
}

/// `x` rounded to a whole number of tenths (as a float: no cast can overflow).
fn tenths(x: f64) -> f64 {
    (x * 10.0).round()
}

/// Reads the `/`-separated `METRIC:VALUE` components after the prefix.
fn parse_metrics(version: Version, rest: &str) -> Result<Vec<Option<u8>>, CvssError> {
    let defs = version.metrics();
    let mut values: Vec<Option<u8>> = vec![None; defs.len()];
    let mut seen = vec![false; defs.len()];
    for component in rest.split('/') {
        if component.is_empty() {
            return Err(CvssError::EmptyComponent { version });
        }
        let Some((name, value)) = component.split_once(':') else {
            return Err(CvssError::Malformed {
                version,
                component: quote(component),
            });
        };
        let Some((index, def)) = defs.iter().enumerate().find(|(_, def)| def.name == name) else {
            return Err(CvssError::UnknownMetric {
                version,
                metric: quote(name),
            });
        };
        let Some(seen_here) = seen.get_mut(index) else {
            continue;
        };
        if *seen_here {
            return Err(CvssError::DuplicateMetric {
                version,
                metric: def.name,
            });
        }
        *seen_here = true;
        let position = def.values.iter().position(|allowed| *allowed == value);
        let Some(position) = position.and_then(|p| u8::try_from(p).ok()) else {
            return Err(CvssError::InvalidValue {
                version,
                metric: def.name,
                value: quote(value),
                allowed: def.values.join(", "),
            });
        };
        if value != "X"
            && let Some(slot) = values.get_mut(index)
        {
            *slot = Some(position);
        }
    }
    let missing: Vec<&str> = defs
        .iter()
        .zip(&values)
        .filter(|(def, value)| def.mandatory && value.is_none())
        .map(|(def, _)| def.name)
        .collect();
    if !missing.is_empty() {
        return Err(CvssError::MissingMetrics {
            version,
            missing: missing.join(", "),
        });
    }
    Ok(values)
}

/// `text`, cut to [`QUOTE_LIMIT`] characters (with `…`) for an error message.
fn quote(text: &str) -> String {
    match text.char_indices().nth(QUOTE_LIMIT) {
        Some((cut, _)) => format!("{}…", text.get(..cut).unwrap_or_default()),
        None => text.to_owned(),
    }
}

#[cfg(test)]
mod tests;
