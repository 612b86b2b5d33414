//! Checks one module: its header, params and controls. Imports are resolved in [`super`].

use std::collections::BTreeMap;

use super::expr::Typer;
use super::meta::{self, CONTROL_KEYS, HEADER_KEYS, MetaValue};
use super::suggest;
use super::{CheckedControl, ControlKind, PolicyInfo, SeverityLevel};
use crate::ast::*;
use crate::diagnostic::{Code, Diagnostic};
use crate::framework::{Framework, Frameworks};
use crate::schema;
use crate::source::Source;
use crate::span::Span;
use crate::types::{BUILTIN_TYPE_NAMES, Type, TypeNameError, resolve_type_name};

/// Params vouch itself reads, never "unused" when no control reads them:
/// `waiver_max_lifetime` bounds how long a waiver may last.
pub const ENGINE_PARAMS: &[&str] = &["waiver_max_lifetime"];

/// What checking one module found out.
pub(crate) struct ModuleFacts {
    pub header: Option<PolicyInfo>,
    pub params: BTreeMap<String, (Type, Span)>,
    pub controls: Vec<CheckedControl>,
}

/// Checks everything in `module` except what its imports bring.
pub(crate) fn check_module(
    src: &Source,
    module: &Module,
    frameworks: &Frameworks,
    module_index: usize,
    diags: &mut Vec<Diagnostic>,
) -> ModuleFacts {
    let no_params = BTreeMap::new();
    let (header, framework) = {
        let mut t = Typer::new(src, &no_params, diags);
        header(&mut t, module, frameworks)
    };
    let params = {
        let mut t = Typer::new(src, &no_params, diags);
        params(&mut t, module)
    };
    let mut t = Typer::new(src, &params, diags);
    t.param_keys = super::narrow::param_table_keys(module);
    let mut controls = Vec::new();
    for (index, item) in module.items.iter().enumerate() {
        if let Item::Control(c) = item {
            controls.extend(control(&mut t, c, framework, module_index, index));
        }
    }
    let used = std::mem::take(&mut t.used_params);
    for item in &module.items {
        if let Item::Param(p) = item
            && !used.contains(&p.name.name)
            && !ENGINE_PARAMS.contains(&p.name.name.as_str())
        {
            let d = Diagnostic::warning(
                Code::UnusedParam,
                src.clone(),
                p.name.span,
                format!("param `{}` is never used", p.name.name),
            )
            .with_help("remove it, or use it in a control");
            diags.push(d);
        }
    }
    ModuleFacts {
        header,
        params,
        controls,
    }
}

fn header<'f>(
    t: &mut Typer<'_>,
    module: &Module,
    frameworks: &'f Frameworks,
) -> (Option<PolicyInfo>, Option<&'f Framework>) {
    let headers: Vec<&PolicyHeader> = module
        .items
        .iter()
        .filter_map(|i| {
            if let Item::Policy(p) = i {
                Some(p)
            } else {
                None
            }
        })
        .collect();
    let Some(first) = headers.first() else {
        let span = module
            .items
            .first()
            .map_or(Span::point(0), |i| Span::point(i.span().start));
        let d = t
            .diag(Code::MissingHeader, span, "policy file has no `policy` header")
            .with_help("start the file with `policy \"name\" { title = \"...\"  framework = \"uk-sscop\" }`");
        t.report(d);
        return (None, None);
    };
    for extra in headers.iter().skip(1) {
        let d = t
            .diag(
                Code::DuplicateHeader,
                extra.name.span,
                "a file has one `policy` header",
            )
            .with_label(first.name.span, "the first header is here")
            .with_help("split the file, or merge the headers");
        t.report(d);
    }
    let values = meta::read(
        t,
        &first.fields,
        HEADER_KEYS,
        "the policy header",
        first.name.span,
    );
    let text = |key: &str| match values.get(key) {
        Some(MetaValue::Text(s, _)) => Some(s.clone()),
        _ => None,
    };
    let mut framework = None;
    if let Some(MetaValue::Text(id, span)) = values.get("framework") {
        framework = frameworks.get(id);
        if framework.is_none() {
            let help = suggest::help_for(id, "known frameworks", frameworks.ids());
            let d = t
                .diag(
                    Code::UnknownFramework,
                    *span,
                    format!("unknown framework `{id}`"),
                )
                .with_label(*span, "no framework file defines this id")
                .with_help(help);
            t.report(d);
        }
    }
    let info = PolicyInfo {
        name: first.name.value.clone(),
        title: text("title").unwrap_or_default(),
        version: text("version"),
        framework: text("framework").unwrap_or_default(),
        owner: text("owner"),
        description: first.doc.clone(),
    };
    (Some(info), framework)
}

fn params(t: &mut Typer<'_>, module: &Module) -> BTreeMap<String, (Type, Span)> {
    let mut out: BTreeMap<String, (Type, Span)> = BTreeMap::new();
    for item in &module.items {
        let Item::Param(p) = item else { continue };
        let ty = resolve_type(t, &p.ty);
        if p.name.name == super::WAIVER_MAX_LIFETIME_PARAM
            && !matches!(ty, Type::Duration | Type::Error)
        {
            let d = t
                .diag(
                    Code::TypeMismatch,
                    p.ty.span,
                    format!(
                        "param `{}` sets the longest a waiver may run: it must be a `duration`, not `{ty}`",
                        p.name.name
                    ),
                )
                .with_help("declare it as `param waiver_max_lifetime: duration = 12 months` (vouch never falls back to a default for a limit it cannot read)");
            t.report(d);
        }
        if is_constant(&p.default) {
            let before = t.diags.len();
            t.expect_type(&p.default, &ty);
            if t.diags.len() == before {
                super::params::check_decl(t, p, &ty);
            }
        } else {
            let d = t
                .diag(Code::NonConstant, p.default.span, "a param default must be a constant")
                .with_help("write a literal value; controls compute from evidence, params only configure them");
            t.report(d);
        }
        if let Some((_, first)) = out.get(&p.name.name) {
            let d = t
                .diag(
                    Code::DuplicateParam,
                    p.name.span,
                    format!("param `{}` is declared twice", p.name.name),
                )
                .with_label(*first, "first declared here");
            t.report(d);
            continue;
        }
        if schema::root_type(&p.name.name).is_some()
            || schema::enum_of_variant(&p.name.name).is_some()
        {
            let d = t
                .diag(
                    Code::Shadowed,
                    p.name.span,
                    format!(
                        "`{}` already names an evidence root or constant",
                        p.name.name
                    ),
                )
                .with_help("choose another name");
            t.report(d);
        }
        out.insert(p.name.name.clone(), (ty, p.name.span));
    }
    out
}

/// Resolves a written type; reports unknown names and wrong arities and returns `Error` then.
pub(super) fn resolve_type(t: &mut Typer<'_>, ty: &TypeExpr) -> Type {
    let args: Vec<Type> = ty.args.iter().map(|a| resolve_type(t, a)).collect();
    if args.contains(&Type::Error) {
        return Type::Error;
    }
    if schema::record(&ty.name.name).is_some() {
        let d = t
            .diag(Code::UnknownType, ty.name.span, format!("`{}` is an evidence record, not a param type", ty.name.name))
            .with_help("params hold constants: bool, int, number, string, duration, date, datetime, severity and collections of them");
        t.report(d);
        return Type::Error;
    }
    if ty.name.name == "table"
        && let Some(key) = args.first()
        && !matches!(key, Type::String | Type::Enum(_))
    {
        let d = t
            .diag(
                Code::UnknownType,
                ty.span,
                format!("tables cannot be keyed by `{key}`"),
            )
            .with_help("key a table by `string` or by a set of names such as `severity`");
        t.report(d);
        return Type::Error;
    }
    let resolved = resolve_type_name(&ty.name.name, args, |n| {
        schema::enum_def(n).map(|e| Type::Enum(e.name))
    });
    match resolved {
        Ok(resolved) if ty.optional => resolved.optional(),
        Ok(resolved) => resolved,
        Err(TypeNameError::Unknown(name)) => {
            let names = BUILTIN_TYPE_NAMES
                .iter()
                .copied()
                .chain(schema::ENUMS.iter().map(|e| e.name));
            let help = suggest::help_for(&name, "types", names);
            let d = t
                .diag(
                    Code::UnknownType,
                    ty.name.span,
                    format!("unknown type `{name}`"),
                )
                .with_help(help);
            t.report(d);
            Type::Error
        }
        Err(TypeNameError::Arity {
            name,
            expected,
            found,
        }) => {
            let d = t
                .diag(
                    Code::UnknownType,
                    ty.span,
                    format!(
                        "`{name}` takes {expected} type argument{}, found {found}",
                        if expected == 1 { "" } else { "s" }
                    ),
                )
                .with_help(
                    "for example `list<string>`, `set<severity>`, `table<severity, duration>`",
                );
            t.report(d);
            Type::Error
        }
    }
}

/// Whether an expression is a constant: literals, names of constants, and lists and tables
/// of constants.
pub(super) fn is_constant(e: &Expr) -> bool {
    match &e.kind {
        _ if e.is_literal() => true,
        ExprKind::Name(n) => schema::enum_of_variant(&n.name).is_some(),
        ExprKind::List(items) => items.iter().all(is_constant),
        ExprKind::Table(entries) => entries.iter().all(|e| is_constant(&e.value)),
        ExprKind::Paren(inner) => is_constant(inner),
        _ => false,
    }
}

fn control(
    t: &mut Typer<'_>,
    c: &ControlDecl,
    framework: Option<&Framework>,
    module: usize,
    item: usize,
) -> Option<CheckedControl> {
    let owner = format!("control `{}`", c.id.value);
    let values = meta::read(t, &c.fields, CONTROL_KEYS, &owner, c.id.span);
    let mut provisions = Vec::new();
    if let Some(MetaValue::TextList(ids, span, written)) = values.get("provision") {
        if *written == 0 {
            let d = t
                .diag(
                    Code::MissingMetadata,
                    *span,
                    format!("{owner} maps to no provision"),
                )
                .with_help("list the principles it assesses, e.g. `provision = [\"3.1\"]`");
            t.report(d);
        }
        for (id, span) in ids {
            if let Some(fw) = framework
                && fw.principle(id).is_none()
            {
                let help = suggest::help_for(
                    id,
                    &format!("principles of `{}`", fw.id),
                    fw.principles.iter().map(|p| p.id.as_str()),
                );
                let d = t
                    .diag(
                        Code::UnknownProvision,
                        *span,
                        format!("`{}` has no principle `{id}`", fw.id),
                    )
                    .with_label(*span, "unknown principle")
                    .with_help(help);
                t.report(d);
            }
            provisions.push(id.clone());
        }
    }
    let kind = control_kind(t, c);
    super::lints::control(t, c);
    let text = |key: &str| match values.get(key) {
        Some(MetaValue::Text(s, _)) => Some(s.clone()),
        _ => None,
    };
    let severity = match values.get("severity") {
        Some(MetaValue::Severity(s, _)) => SeverityLevel::from_name(s),
        _ => None,
    };
    let tags = match values.get("tags") {
        Some(MetaValue::TextList(tags, _, _)) => tags.iter().map(|(t, _)| t.clone()).collect(),
        _ => Vec::new(),
    };
    Some(CheckedControl {
        id: c.id.value.clone(),
        title: text("title").unwrap_or_default(),
        provisions,
        severity: severity.unwrap_or(SeverityLevel::Medium),
        rationale: text("rationale"),
        remediation: text("remediation"),
        tags,
        description: c.doc.clone(),
        module,
        item,
        span: c.span,
        kind: kind?,
    })
}

fn control_kind(t: &mut Typer<'_>, c: &ControlDecl) -> Option<ControlKind> {
    let manual: Vec<&ManualStmt> = c
        .body
        .iter()
        .filter_map(|s| {
            if let Stmt::Manual(m) = s {
                Some(m)
            } else {
                None
            }
        })
        .collect();
    match manual.as_slice() {
        [] => {
            t.stmts(&c.body);
            if !c.body.iter().any(has_expect) {
                let d = t
                    .diag(
                        Code::InvalidControl,
                        c.id.span,
                        format!("control `{}` checks nothing", c.id.value),
                    )
                    .with_help(
                        "add an `expect`, or make it a `manual` control that a person attests",
                    );
                t.report(d);
                return None;
            }
            Some(ControlKind::Automated)
        }
        [m] if c.body.len() == 1 => {
            if let Some(within) = &m.within {
                t.expect_type(within, &Type::Duration);
            }
            Some(ControlKind::Manual {
                statement: m.statement.value.clone(),
            })
        }
        [first, ..] => {
            let others: Vec<Stmt> = c
                .body
                .iter()
                .filter(|s| !matches!(s, Stmt::Manual(_)))
                .cloned()
                .collect();
            t.stmts(&others);
            let d = t
                .diag(
                    Code::InvalidControl,
                    first.span,
                    "`manual` must be the only statement of its control",
                )
                .with_help("put the human check and the automated checks in separate controls");
            t.report(d);
            None
        }
    }
}

fn has_expect(s: &Stmt) -> bool {
    match s {
        Stmt::Expect(_) => true,
        Stmt::For(f) => f.body.iter().any(has_expect),
        Stmt::Let(_) | Stmt::Manual(_) => false,
    }
}
