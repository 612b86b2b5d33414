//! The release gate (`vouch gate`): may this key release what this report judged? A Cedar
//! policy file validated against [`GATE_SCHEMA`] answers, for action
//! `Vouch::Action::"release"` on a `Vouch::Release` built from the report: the control ids
//! and the principle ids by status, the policy, and the `--context KEY=VALUE` pairs as tags.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use cedar_policy::RestrictedExpression;

use super::Decision;
use super::cedar::{Diagnostics, Policies, SourceDigest, SourceText, entity, string_set, uid};
use super::schema::GATE_SCHEMA;

/// Why the gate cannot answer.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum GateError {
    /// The report is not a vouch JSON report.
    #[error("`{name}` is not a vouch JSON report (vouch-report/1): {why}")]
    #[diagnostic(
        code(vouch::gate::not_a_report),
        help("give the JSON report `vouch evaluate --format json` wrote")
    )]
    NotAReport {
        /// The report file's name.
        name: String,
        /// What is wrong with it.
        why: String,
    },
    /// The request does not fit the gate schema (an unknown action, a bad principal).
    #[error("the gate cannot ask about {what}: {why}")]
    #[diagnostic(
        code(vouch::gate::bad_request),
        help("the gate knows one action, `release` (see `vouch authority schema --gate`)")
    )]
    BadRequest {
        /// The request.
        what: String,
        /// Cedar's objection.
        why: String,
    },
}

/// What the gate reads of a report.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReportFacts {
    /// The bundle digest (`sha256:...`), the release's entity id.
    pub bundle: String,
    /// The policy's name and version ("" when none).
    pub policy: String,
    /// The policy's version.
    pub policy_version: String,
    /// The evaluation's instant.
    pub as_of: String,
    /// Control ids by status (`pass`, `fail`, ...).
    pub controls: BTreeMap<String, BTreeSet<String>>,
    /// Principle ids by status.
    pub principles: BTreeMap<String, BTreeSet<String>>,
}

impl ReportFacts {
    /// Reads a JSON report (`vouch-report/1`).
    pub fn from_json(name: &str, text: &str) -> Result<Self, GateError> {
        let bad = |why: String| GateError::NotAReport {
            name: name.to_owned(),
            why,
        };
        let json: serde_json::Value =
            serde_json::from_str(text).map_err(|e| bad(format!("not JSON: {e}")))?;
        let schema = json.get("schema").and_then(serde_json::Value::as_str);
        if schema != Some(crate::report::model::REPORT_SCHEMA) {
            return Err(bad(format!(
                "its `schema` is {}",
                schema.map_or("missing".to_owned(), |s| format!("`{s}`"))
            )));
        }
        let text_at = |pointer: &str| {
            json.pointer(pointer)
                .and_then(serde_json::Value::as_str)
                .map(str::to_owned)
        };
        let by_status = |list: &str| -> Result<BTreeMap<String, BTreeSet<String>>, GateError> {
            let mut out: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
            let items = json
                .get(list)
                .and_then(serde_json::Value::as_array)
                .ok_or_else(|| bad(format!("it has no `{list}` list")))?;
            for item in items {
                let id = item.get("id").and_then(serde_json::Value::as_str);
                let status = item.get("status").and_then(serde_json::Value::as_str);
                let (Some(id), Some(status)) = (id, status) else {
                    return Err(bad(format!("an entry of `{list}` has no `id` or `status`")));
                };
                out.entry(status.to_owned())
                    .or_default()
                    .insert(id.to_owned());
            }
            Ok(out)
        };
        Ok(ReportFacts {
            bundle: text_at("/bundle/digest")
                .ok_or_else(|| bad("it has no bundle digest".to_owned()))?,
            policy: text_at("/policy/name").unwrap_or_default(),
            policy_version: text_at("/policy/version").unwrap_or_default(),
            as_of: text_at("/as_of").unwrap_or_default(),
            controls: by_status("controls")?,
            principles: by_status("provisions")?,
        })
    }

    fn ids(map: &BTreeMap<String, BTreeSet<String>>, status: &str) -> RestrictedExpression {
        string_set(map.get(status).into_iter().flatten().map(String::as_str))
    }

    /// The release's attributes, as the gate schema declares them.
    fn attributes(&self) -> HashMap<String, RestrictedExpression> {
        let text = |s: &str| RestrictedExpression::new_string(s.to_owned());
        let mut attrs = HashMap::from([
            ("policy".to_owned(), text(&self.policy)),
            ("policy_version".to_owned(), text(&self.policy_version)),
            ("as_of".to_owned(), text(&self.as_of)),
        ]);
        for (attr, status) in [
            ("passed", "pass"),
            ("failed", "fail"),
            ("waived", "waived"),
            ("manual", "manual"),
            ("not_applicable", "not_applicable"),
            ("error", "error"),
        ] {
            attrs.insert(attr.to_owned(), Self::ids(&self.controls, status));
            attrs.insert(
                format!("principles_{attr}"),
                Self::ids(&self.principles, status),
            );
        }
        attrs.insert(
            "principles_unassessed".to_owned(),
            Self::ids(&self.principles, "unassessed"),
        );
        attrs
    }
}

/// A gate policy file, validated against [`GATE_SCHEMA`].
#[derive(Debug)]
pub struct Gate {
    policies: Policies,
}

impl Gate {
    /// Loads and validates the gate policy and the optional entities file.
    pub fn new(
        policy: SourceText<'_>,
        entities: Option<SourceText<'_>>,
    ) -> Result<Self, Diagnostics> {
        Policies::load(GATE_SCHEMA, policy, entities).map(|policies| Gate { policies })
    }

    /// The files read, each with its sha256.
    pub fn sources(&self) -> Vec<SourceDigest> {
        std::iter::once(self.policies.policy_file.clone())
            .chain(self.policies.entities_file.clone())
            .collect()
    }

    /// May `principal` do `action` (`release`) with what `report` judged, in the run
    /// described by `context` (the release's tags)?
    pub fn decide(
        &self,
        principal: &str,
        action: &str,
        report: &ReportFacts,
        context: &BTreeMap<String, String>,
    ) -> Result<Decision, GateError> {
        let what = format!("{action} {}", report.bundle);
        let bad = |why: String| GateError::BadRequest {
            what: what.clone(),
            why,
        };
        if action != "release" {
            return Err(bad(format!("unknown action `{action}`")));
        }
        let tags = context
            .iter()
            .map(|(k, v)| (k.clone(), RestrictedExpression::new_string(v.clone())))
            .collect();
        let resource = uid("Vouch::Release", &report.bundle)
            .and_then(|uid| entity(uid, report.attributes(), tags))
            .map_err(&bad)?;
        Ok(self
            .policies
            .answer(principal, action, resource, Vec::new(), &what))
    }
}
