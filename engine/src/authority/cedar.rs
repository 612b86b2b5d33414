//! The Cedar-backed authority: a policy file (`--authority FILE.cedar`) and an optional
//! entities file (`--authority-entities FILE.json`), validated against vouch's generated
//! schema and asked one request at a time. Cedar denies by default: a request no `permit`
//! matches is refused, and a matching `forbid` always wins.
//!
//! The engine takes the files' texts (with the names to print in diagnostics); the CLI reads
//! them.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::str::FromStr;

use cedar_policy::{
    Authorizer, Context, Entities, Entity, EntityId, EntityTypeName, EntityUid, PolicySet,
    Request as CedarRequest, RestrictedExpression, Schema, ValidationMode, Validator,
};
use miette::Diagnostic as _;
use sha2::{Digest, Sha256};

use super::diagnostic::{AuthorityDiagnostic, DiagnosticKind, offset_of};
use super::schema::{AUTHORITY_SCHEMA, ENTITY_FILE_TYPES};
use super::{Action, Authority, Decision, Request};

/// A file given to the authority: the name to print and its text.
#[derive(Debug, Clone, Copy)]
pub struct SourceText<'a> {
    /// The file's name, as the user gave it.
    pub name: &'a str,
    /// Its text.
    pub text: &'a str,
}

/// Where a policy set came from: each file's name and sha256, for the report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceDigest {
    /// The file's name, as the user gave it.
    pub name: String,
    /// The hex sha256 of its text.
    pub sha256: String,
}

impl SourceDigest {
    fn of(source: SourceText<'_>) -> Self {
        SourceDigest {
            name: source.name.to_owned(),
            sha256: Sha256::digest(source.text.as_bytes())
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect(),
        }
    }
}

/// Cedar policies validated against a schema, with the entities of their principals.
#[derive(Debug)]
pub(crate) struct Policies {
    pub(crate) schema: Schema,
    pub(crate) policies: PolicySet,
    pub(crate) entities: Entities,
    pub(crate) policy_file: SourceDigest,
    pub(crate) entities_file: Option<SourceDigest>,
}

/// The diagnostics of a policy or entities file that does not load.
pub type Diagnostics = Vec<AuthorityDiagnostic>;

impl Policies {
    /// Parses `schema_text`, then the policies (validated against it, strictly) and the
    /// entities; every problem found is returned, located.
    pub(crate) fn load(
        schema_text: &str,
        policy: SourceText<'_>,
        entities: Option<SourceText<'_>>,
    ) -> Result<Self, Diagnostics> {
        let schema = match Schema::from_cedarschema_str(schema_text) {
            Ok((schema, _warnings)) => schema,
            Err(error) => {
                return Err(vec![AuthorityDiagnostic::new(
                    DiagnosticKind::Internal,
                    "vouch's schema",
                    schema_text,
                    format!("vouch's generated Cedar schema does not load: {error}"),
                )]);
            }
        };
        let mut diagnostics = Vec::new();
        let policies = match PolicySet::from_str(policy.text) {
            Ok(policies) => {
                diagnostics.extend(validate(&schema, &policies, policy));
                Some(policies)
            }
            Err(errors) => {
                diagnostics.extend(errors.iter().map(|e| {
                    AuthorityDiagnostic::new(
                        DiagnosticKind::ParseError,
                        policy.name,
                        policy.text,
                        format!("not a Cedar policy: {e}"),
                    )
                    .with_help(e.help().map(|h| h.to_string()))
                    .with_labels_of(e)
                }));
                None
            }
        };
        let loaded = match entities {
            Some(source) => match load_entities(&schema, source) {
                Ok(entities) => Some(entities),
                Err(diagnostic) => {
                    diagnostics.push(*diagnostic);
                    None
                }
            },
            None => Some(Entities::empty()),
        };
        match (policies, loaded) {
            (Some(policies), Some(loaded)) if diagnostics.is_empty() => Ok(Policies {
                schema,
                policies,
                entities: loaded,
                policy_file: SourceDigest::of(policy),
                entities_file: entities.map(SourceDigest::of),
            }),
            _ => Err(diagnostics),
        }
    }

    /// Asks Cedar; `what` describes the request in reasons ("attest control `X`").
    pub(crate) fn answer(
        &self,
        principal: &str,
        action: &str,
        resource: Entity,
        context: Vec<(String, RestrictedExpression)>,
        what: &str,
    ) -> Decision {
        match self.ask(principal, action, resource, context) {
            Ok(response) => self.decision(&response, principal, what),
            Err(error) => Decision {
                allowed: false,
                policies: Vec::new(),
                reason: format!(
                    "the authority cannot decide whether key {principal} may {what}: {error}"
                ),
            },
        }
    }

    fn ask(
        &self,
        principal: &str,
        action: &str,
        resource: Entity,
        context: Vec<(String, RestrictedExpression)>,
    ) -> Result<cedar_policy::Response, String> {
        let principal = uid("Vouch::Key", principal)?;
        let action = uid("Vouch::Action", action)?;
        let resource_uid = resource.uid();
        let context = Context::from_pairs(context).map_err(|e| e.to_string())?;
        let request =
            CedarRequest::new(principal, action, resource_uid, context, Some(&self.schema))
                .map_err(|e| e.to_string())?;
        let entities = self
            .entities
            .clone()
            .add_entities([resource], Some(&self.schema))
            .map_err(|e| e.to_string())?;
        Ok(Authorizer::new().is_authorized(&request, &self.policies, &entities))
    }

    fn decision(&self, response: &cedar_policy::Response, principal: &str, what: &str) -> Decision {
        let determining: BTreeSet<String> = response
            .diagnostics()
            .reason()
            .map(|id| {
                self.policies
                    .policy(id)
                    .and_then(|p| p.annotation("id"))
                    .map_or_else(|| id.to_string(), str::to_owned)
            })
            .collect();
        let policies: Vec<String> = determining.into_iter().collect();
        let errors: Vec<String> = response
            .diagnostics()
            .errors()
            .map(ToString::to_string)
            .collect();
        let named = policies
            .iter()
            .map(|p| format!("`{p}`"))
            .collect::<Vec<_>>()
            .join(", ");
        let allowed = response.decision() == cedar_policy::Decision::Allow;
        let mut reason = if allowed {
            format!("key {principal} may {what}: permitted by {named}")
        } else if policies.is_empty() {
            format!("no policy permits key {principal} to {what}")
        } else {
            format!("key {principal} may not {what}: forbidden by {named}")
        };
        if !errors.is_empty() {
            reason.push_str(&format!(
                " ({} policy error(s), those policies were ignored: {})",
                errors.len(),
                errors.join("; ")
            ));
        }
        Decision {
            allowed,
            policies,
            reason,
        }
    }
}

/// The validation diagnostics of `policies` against `schema`.
fn validate(schema: &Schema, policies: &PolicySet, policy: SourceText<'_>) -> Diagnostics {
    let result = Validator::new(schema.clone()).validate(policies, ValidationMode::Strict);
    result
        .validation_errors()
        .map(|e| {
            AuthorityDiagnostic::new(
                DiagnosticKind::InvalidPolicy,
                policy.name,
                policy.text,
                format!(
                    "policy does not validate against vouch's schema: {}",
                    with_annotated_ids(&e.to_string(), policies)
                ),
            )
            .with_help(Some(e.help().map_or_else(
                || "see `vouch authority schema` for the types, attributes and actions".to_owned(),
                |h| format!("{h} (see `vouch authority schema`)"),
            )))
            .with_labels_of(e)
        })
        .collect()
}

/// `message` with Cedar's policy ids (`policy0`) replaced by their `@id` annotations.
fn with_annotated_ids(message: &str, policies: &PolicySet) -> String {
    let mut out = message.to_owned();
    for policy in policies.policies() {
        if let Some(id) = policy.annotation("id") {
            out = out.replace(
                &format!("policy `{}`", policy.id()),
                &format!("policy `{id}`"),
            );
        }
    }
    out
}

/// The entities file: JSON, Cedar's entity format, conforming to the schema, and declaring
/// only keys and groups.
fn load_entities(
    schema: &Schema,
    source: SourceText<'_>,
) -> Result<Entities, Box<AuthorityDiagnostic>> {
    let problem = |message: String| {
        AuthorityDiagnostic::new(
            DiagnosticKind::InvalidEntities,
            source.name,
            source.text,
            message,
        )
    };
    let json: serde_json::Value = serde_json::from_str(source.text).map_err(|e| {
        let offset = offset_of(source.text, e.line(), e.column());
        Box::new(
            problem(format!("not JSON: {e}"))
                .with_label(Some("here".to_owned()), offset, 0)
                .with_help(Some(
                    "the entities file is a JSON array of Cedar entities".to_owned(),
                )),
        )
    })?;
    for item in json.as_array().into_iter().flatten() {
        let type_name = item
            .pointer("/uid/type")
            .and_then(serde_json::Value::as_str)
            .unwrap_or_default();
        if !type_name.is_empty() && !ENTITY_FILE_TYPES.contains(&type_name) {
            let id = item
                .pointer("/uid/id")
                .and_then(serde_json::Value::as_str)
                .unwrap_or_default();
            let (offset, len) = find_quoted(source.text, id);
            return Err(Box::new(
                problem(format!(
                    "the entities file declares {type_name}::{id:?}: it may declare only keys (Vouch::Key) and groups (Vouch::Group)"
                ))
                .with_label(Some(format!("a {type_name}")), offset, len)
                .with_help(Some(
                    "controls, evidence and releases come from vouch, never from a file".to_owned(),
                )),
            ));
        }
    }
    let entities = Entities::from_json_value(json.clone(), Some(schema)).map_err(|e| {
        Box::new(locate_entity_error(
            &json,
            schema,
            source,
            problem(format!(
                "not Cedar entities of vouch's schema: {}",
                error_chain(&e)
            )),
        ))
    })?;
    Ok(entities)
}

/// An error and each of its sources, `: `-separated (Cedar puts the detail in the sources).
fn error_chain(e: &dyn std::error::Error) -> String {
    let mut out = e.to_string();
    let mut next = e.source();
    while let Some(source) = next {
        let text = source.to_string();
        if !out.contains(&text) {
            out.push_str(": ");
            out.push_str(&text);
        }
        next = source.source();
    }
    out
}

/// Points `diagnostic` at the first entity of the array that does not load on its own.
fn locate_entity_error(
    json: &serde_json::Value,
    schema: &Schema,
    source: SourceText<'_>,
    diagnostic: AuthorityDiagnostic,
) -> AuthorityDiagnostic {
    let Some(items) = json.as_array() else {
        return diagnostic.with_label(Some("not an array of entities".to_owned()), 0, 1);
    };
    for item in items {
        let alone = serde_json::Value::Array(vec![item.clone()]);
        if Entities::from_json_value(alone, Some(schema)).is_err() {
            let id = item
                .pointer("/uid/id")
                .and_then(serde_json::Value::as_str)
                .unwrap_or_default();
            let (offset, len) = find_quoted(source.text, id);
            return diagnostic.with_label(Some("this entity".to_owned()), offset, len);
        }
    }
    diagnostic.with_label(None, 0, 1)
}

/// The span of the first `"text"` in `haystack` (or the start of the file).
fn find_quoted(haystack: &str, text: &str) -> (usize, usize) {
    let quoted = format!("\"{text}\"");
    haystack
        .find(&quoted)
        .map_or((0, 1), |at| (at, quoted.len()))
}

/// `Type::"id"`.
pub(crate) fn uid(type_name: &str, id: &str) -> Result<EntityUid, String> {
    let type_name = EntityTypeName::from_str(type_name).map_err(|e| e.to_string())?;
    Ok(EntityUid::from_type_name_and_id(
        type_name,
        EntityId::new(id),
    ))
}

/// A set of strings, as a Cedar value.
pub(crate) fn string_set<'a>(items: impl IntoIterator<Item = &'a str>) -> RestrictedExpression {
    RestrictedExpression::new_set(
        items
            .into_iter()
            .map(|s| RestrictedExpression::new_string(s.to_owned())),
    )
}

/// An entity with attributes and tags and no parents.
pub(crate) fn entity(
    uid: EntityUid,
    attrs: HashMap<String, RestrictedExpression>,
    tags: Vec<(String, RestrictedExpression)>,
) -> Result<Entity, String> {
    Entity::new_with_tags(uid, attrs, HashSet::new(), tags).map_err(|e| e.to_string())
}

/// The authority of a Cedar policy file, validated against [`AUTHORITY_SCHEMA`].
#[derive(Debug)]
pub struct CedarAuthority {
    policies: Policies,
}

impl CedarAuthority {
    /// Loads and validates the policy file and the optional entities file; every problem
    /// is returned, located in its file.
    pub fn new(
        policy: SourceText<'_>,
        entities: Option<SourceText<'_>>,
    ) -> Result<Self, Diagnostics> {
        Policies::load(AUTHORITY_SCHEMA, policy, entities)
            .map(|policies| CedarAuthority { policies })
    }

    /// The policy file's name and sha256.
    pub fn policy_file(&self) -> &SourceDigest {
        &self.policies.policy_file
    }

    /// The entities file's name and sha256, when one was given.
    pub fn entities_file(&self) -> Option<&SourceDigest> {
        self.policies.entities_file.as_ref()
    }
}

impl Authority for CedarAuthority {
    fn sources(&self) -> Vec<SourceDigest> {
        std::iter::once(self.policies.policy_file.clone())
            .chain(self.policies.entities_file.clone())
            .collect()
    }

    fn decide(&self, request: &Request<'_>) -> Decision {
        let (resource, mut context, what) = match request.action {
            Action::Sign(kind) => {
                let resource = uid("Vouch::Evidence", kind.name())
                    .and_then(|uid| entity(uid, HashMap::new(), Vec::new()));
                let context = vec![(
                    "kind".to_owned(),
                    RestrictedExpression::new_string(kind.name().to_owned()),
                )];
                (resource, context, format!("sign {}", kind.name()))
            }
            Action::Attest | Action::Waive => {
                let Some(control) = request.control else {
                    return Decision {
                        allowed: false,
                        policies: Vec::new(),
                        reason: format!("a request to {} names no control", request.action.name()),
                    };
                };
                let attrs = HashMap::from([
                    (
                        "severity".to_owned(),
                        RestrictedExpression::new_string(control.severity.to_owned()),
                    ),
                    (
                        "provisions".to_owned(),
                        string_set(control.provisions.iter().map(String::as_str)),
                    ),
                    (
                        "tags".to_owned(),
                        string_set(control.tags.iter().map(String::as_str)),
                    ),
                ]);
                let resource = uid("Vouch::Control", control.id)
                    .and_then(|uid| entity(uid, attrs, Vec::new()));
                let (context, what) = if request.action == Action::Waive {
                    (
                        vec![(
                            "missing_evidence".to_owned(),
                            RestrictedExpression::new_bool(request.missing_evidence),
                        )],
                        if request.missing_evidence {
                            format!(
                                "waive missing or unreadable evidence of control `{}`",
                                control.id
                            )
                        } else {
                            format!("waive findings of control `{}`", control.id)
                        },
                    )
                } else {
                    (Vec::new(), format!("attest control `{}`", control.id))
                };
                (resource, context, what)
            }
        };
        context.push((
            "dated".to_owned(),
            RestrictedExpression::new_bool(request.dated),
        ));
        match resource {
            Ok(resource) => self.policies.answer(
                request.key_id,
                request.action.name(),
                resource,
                context,
                &what,
            ),
            Err(error) => Decision {
                allowed: false,
                policies: Vec::new(),
                reason: format!(
                    "the authority cannot decide whether key {} may {what}: {error}",
                    request.key_id
                ),
            },
        }
    }
}
