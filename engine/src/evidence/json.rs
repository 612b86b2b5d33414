//! The evidence values as JSON: what a policy reads, for another engine to read the same
//! (`benches/data/acme.rego` is the example policy in Rego over it) and for looking at.
//!
//! Each root is a member of one object, with `as_of` and the typed attestations (which
//! `manual` controls judge, with the signatures beside them). A record is an object of its
//! schema fields; `none` is `null`; an enum is its variant's name; a date is `YYYY-MM-DD` and
//! an instant RFC 3339 in UTC; a duration of exact seconds is a number of nanoseconds (Rego's
//! unit of time), one with calendar months or years (or past 292 years) its text (`12 months`).

use jiff::Timestamp;
use serde_json::{Map, Number, Value as Json, json};

use super::{AttestationFact, EvidenceValues, ROOTS};
use crate::eval::value::Value;

impl EvidenceValues {
    /// The roots, `as_of` and the attestations as one JSON object (see the module docs).
    pub fn to_json(&self, as_of: Timestamp) -> Json {
        let mut out = Map::new();
        out.insert("as_of".to_owned(), Json::String(as_of.to_string()));
        for name in ROOTS {
            if let Some(value) = self.root(name) {
                out.insert(name.to_owned(), value_json(value));
            }
        }
        out.insert(
            "attestation_facts".to_owned(),
            Json::Array(self.attestation_facts.iter().map(fact_json).collect()),
        );
        Json::Object(out)
    }
}

/// One value as JSON.
fn value_json(value: &Value) -> Json {
    match value {
        Value::None => Json::Null,
        Value::Bool(b) => Json::Bool(*b),
        Value::Int(i) => Json::from(*i),
        Value::Number(n) => Number::from_f64(*n).map_or(Json::Null, Json::Number),
        Value::Str(s) => Json::String(s.to_string()),
        // Exact seconds as nanoseconds, while they fit (292 years); else the text.
        Value::Duration(d) => match d.seconds.checked_mul(1_000_000_000) {
            Some(nanos) if d.months == 0 && d.years == 0 => Json::from(nanos),
            _ => Json::String(d.to_string()),
        },
        Value::Date(d) => Json::String(d.to_string()),
        Value::DateTime(t) => Json::String(t.to_string()),
        Value::Enum(e) => Json::String(e.variant().to_owned()),
        Value::Record(r) => Json::Object(
            r.fields()
                .map(|(name, v)| (name.to_owned(), value_json(v)))
                .collect(),
        ),
        Value::List(items) | Value::Set(items) => {
            Json::Array(items.iter().map(value_json).collect())
        }
        Value::Table(entries) => Json::Object(
            entries
                .iter()
                .map(|(k, v)| (k.clone(), value_json(v)))
                .collect(),
        ),
    }
}

/// An attestation with the signatures beside it, as the manual controls judge it.
fn fact_json(fact: &AttestationFact) -> Json {
    json!({
        "control": fact.control,
        "statement": fact.statement,
        "statement_sha256": fact.statement_sha256,
        "attested_by": fact.attested_by,
        "date": fact.date.to_string(),
        "path": fact.path,
        "signatures": fact.signatures.iter().map(|s| json!({
            "path": s.path,
            "format": s.format.as_str(),
            "verification": s.verification,
        })).collect::<Vec<_>>(),
    })
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;
    use std::sync::Arc;

    use super::*;
    use crate::eval::duration::Duration;

    #[test]
    fn values_map_to_json_as_documented() {
        let cases = [
            (Value::None, json!(null)),
            (Value::Int(-3), json!(-3)),
            (Value::Number(f64::NAN), json!(null)),
            (Value::str("x"), json!("x")),
            (
                Value::duration(Duration::seconds(86_400)),
                json!(86_400_000_000_000_i64),
            ),
            (
                Value::duration(Duration::calendar(0, 12)),
                json!("12 months"),
            ),
            (Value::enumerated("severity", "high"), json!("high")),
            (
                Value::DateTime("2026-10-01T12:00:00Z".parse().unwrap()),
                json!("2026-10-01T12:00:00Z"),
            ),
            (
                Value::Date(jiff::civil::date(2027, 4, 1)),
                json!("2027-04-01"),
            ),
            (
                Value::set(vec![Value::str("b"), Value::str("a")]),
                json!(["a", "b"]),
            ),
            (
                Value::Table(Arc::new(BTreeMap::from([(
                    "k".to_owned(),
                    Value::Bool(true),
                )]))),
                json!({"k": true}),
            ),
        ];
        for (value, expected) in cases {
            assert_eq!(value_json(&value), expected, "{value:?}");
        }
    }
}
