//! Metadata of the policy header and of controls: known keys, constant values, types.

use std::collections::BTreeMap;

use super::expr::Typer;
use super::suggest;
use crate::ast::{ExprKind, Field};
use crate::diagnostic::Code;
use crate::span::Span;

/// The type a metadata key takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum MetaKind {
    /// A plain string.
    Text,
    /// A list of plain strings.
    TextList,
    /// A severity name.
    Severity,
}

/// A metadata key: its name, kind and whether it is required.
pub(super) struct MetaKey {
    pub name: &'static str,
    pub kind: MetaKind,
    pub required: bool,
}

/// The keys of a `policy` header.
pub(super) const HEADER_KEYS: &[MetaKey] = &[
    MetaKey {
        name: "title",
        kind: MetaKind::Text,
        required: true,
    },
    MetaKey {
        name: "version",
        kind: MetaKind::Text,
        required: false,
    },
    MetaKey {
        name: "framework",
        kind: MetaKind::Text,
        required: true,
    },
    MetaKey {
        name: "owner",
        kind: MetaKind::Text,
        required: false,
    },
];

/// The keys of a `control`.
pub(super) const CONTROL_KEYS: &[MetaKey] = &[
    MetaKey {
        name: "title",
        kind: MetaKind::Text,
        required: true,
    },
    MetaKey {
        name: "provision",
        kind: MetaKind::TextList,
        required: true,
    },
    MetaKey {
        name: "severity",
        kind: MetaKind::Severity,
        required: true,
    },
    MetaKey {
        name: "rationale",
        kind: MetaKind::Text,
        required: false,
    },
    MetaKey {
        name: "remediation",
        kind: MetaKind::Text,
        required: false,
    },
    MetaKey {
        name: "tags",
        kind: MetaKind::TextList,
        required: false,
    },
];

/// A metadata value read from the source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum MetaValue {
    Text(String, Span),
    TextList(Vec<(String, Span)>, Span, usize),
    Severity(String, Span),
}

/// Reads `fields` against `keys`: reports unknown, duplicate, missing and ill-typed keys, and
/// returns the well-formed values by key.
pub(super) fn read(
    t: &mut Typer<'_>,
    fields: &[Field],
    keys: &[MetaKey],
    owner: &str,
    owner_span: Span,
) -> BTreeMap<&'static str, MetaValue> {
    let mut out = BTreeMap::new();
    let mut seen: BTreeMap<&str, Span> = BTreeMap::new();
    for field in fields {
        let Some(key) = keys.iter().find(|k| k.name == field.key.name) else {
            let help = suggest::help_for(
                &field.key.name,
                &format!("keys of {owner}"),
                keys.iter().map(|k| k.name),
            );
            let d = t
                .diag(
                    Code::UnknownMetadata,
                    field.key.span,
                    format!("unknown key `{}` in {owner}", field.key.name),
                )
                .with_help(help);
            t.report(d);
            continue;
        };
        if let Some(first) = seen.insert(key.name, field.key.span) {
            let d = t
                .diag(
                    Code::DuplicateMetadata,
                    field.key.span,
                    format!("`{}` is given twice", key.name),
                )
                .with_label(field.key.span, "given again here")
                .with_label(first, "first given here");
            t.report(d);
            continue;
        }
        if let Some(value) = value_of(t, field, key.kind) {
            out.insert(key.name, value);
        }
    }
    for key in keys
        .iter()
        .filter(|k| k.required && !seen.contains_key(k.name))
    {
        let example = match key.kind {
            MetaKind::Text => format!("{} = \"...\"", key.name),
            MetaKind::TextList => format!("{} = [\"...\"]", key.name),
            MetaKind::Severity => format!("{} = high", key.name),
        };
        let d = t
            .diag(
                Code::MissingMetadata,
                owner_span,
                format!("{owner} has no `{}`", key.name),
            )
            .with_help(format!("add `{example}`"));
        t.report(d);
    }
    out
}

fn value_of(t: &mut Typer<'_>, field: &Field, kind: MetaKind) -> Option<MetaValue> {
    let value = &field.value;
    let wrong = |t: &mut Typer<'_>, need: &str, help: Option<String>| {
        let mut d = t
            .diag(
                Code::TypeMismatch,
                value.span,
                format!("`{}` must be {need}", field.key.name),
            )
            .with_label(value.span, "not a constant of that kind");
        if let Some(help) = help {
            d = d.with_help(help);
        }
        t.report(d);
    };
    match (kind, &value.kind) {
        (MetaKind::Text, ExprKind::Str(s)) => match s.as_plain() {
            Some(text) => Some(MetaValue::Text(text, value.span)),
            None => {
                non_constant(t, value.span);
                None
            }
        },
        (MetaKind::TextList, ExprKind::List(items)) => {
            let mut out = Vec::new();
            for item in items {
                match &item.kind {
                    ExprKind::Str(s) => match s.as_plain() {
                        Some(text) => out.push((text, item.span)),
                        None => non_constant(t, item.span),
                    },
                    ExprKind::Number(_) | ExprKind::Int(_) => {
                        let text = t.src.slice(item.span).to_string();
                        let d = t
                            .diag(
                                Code::TypeMismatch,
                                item.span,
                                format!("`{}` must list strings", field.key.name),
                            )
                            .with_help(format!("write it as a string: `\"{text}\"`"));
                        t.report(d);
                    }
                    _ => wrong(t, "a list of strings", None),
                }
            }
            Some(MetaValue::TextList(out, value.span, items.len()))
        }
        (MetaKind::Severity, ExprKind::Name(name)) => {
            let variants = crate::schema::enum_def("severity")
                .map(|e| e.variants)
                .unwrap_or(&[]);
            if variants.contains(&name.name.as_str()) {
                Some(MetaValue::Severity(name.name.clone(), value.span))
            } else {
                let help = suggest::help_for(&name.name, "severities", variants.iter().copied());
                let d = t
                    .diag(
                        Code::TypeMismatch,
                        value.span,
                        format!("`{}` is not a severity", name.name),
                    )
                    .with_help(help);
                t.report(d);
                None
            }
        }
        (MetaKind::Text, _) => {
            wrong(t, "a string", None);
            None
        }
        (MetaKind::TextList, ExprKind::Str(_)) => {
            let text = t.src.slice(value.span).to_string();
            wrong(t, "a list of strings", Some(format!("write `[{text}]`")));
            None
        }
        (MetaKind::TextList, _) => {
            wrong(t, "a list of strings", None);
            None
        }
        (MetaKind::Severity, _) => {
            wrong(
                t,
                "a severity",
                Some("one of `critical`, `high`, `medium`, `low`, `info`".into()),
            );
            None
        }
    }
}

fn non_constant(t: &mut Typer<'_>, span: Span) {
    let d = t
        .diag(
            Code::NonConstant,
            span,
            "metadata cannot interpolate values",
        )
        .with_help("metadata is fixed text; put computed values in `expect ... else` messages");
    t.report(d);
}
