//! The checker: resolves imports, names and types, and validates metadata against the
//! framework, reporting every problem of every file in one run.
//!
//! Problems never cascade: an expression that has an error gets [`Type::Error`], which fits
//! everywhere and is never reported again.

mod builtins;
mod constant;
mod expr;
mod lints;
mod meta;
pub(crate) mod module;
mod narrow;
mod ops;
mod params;
mod stmt;
mod suggest;

use std::collections::BTreeMap;

pub use builtins::{BUILTINS, Builtin};

use crate::ast::{Expr, Field, Item, Module, ParamBound};
use crate::diagnostic::{Code, Diagnostic, sort_diagnostics};
use crate::framework::{Framework, Frameworks};
use crate::lint::LintLevels;
use crate::parse::parse;
use crate::source::Source;
use crate::span::Span;
use crate::types::Type;
use expr::Typer;

/// The deepest chain of imports followed.
pub const MAX_IMPORT_DEPTH: usize = 32;

/// The param that sets the longest a waiver may run (`expires - effective`); declared in a
/// module, it must be a `duration` (a located error otherwise), and the evaluator reads it.
pub const WAIVER_MAX_LIFETIME_PARAM: &str = "waiver_max_lifetime";

/// What an `import` or `use` names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ImportTarget {
    /// `use std.NAME`: a standard module.
    Std(String),
    /// `import "PATH"`: a file, relative to the importing one.
    Path(String),
}

/// Supplies the sources of imported modules. The caller decides where they come from (files
/// next to the importing policy, the embedded standard library, an in-memory map in tests).
pub trait Loader {
    /// Loads `target` as imported from `from`. The returned source's name identifies the
    /// module (two imports of one module give the same name), or the error says why not.
    fn load(&self, from: &Source, target: &ImportTarget) -> Result<Source, String>;

    /// `source` already parsed, if the loader has its parse (the standard modules are parsed
    /// when vouch is built, see [`crate::preparsed`]); `None` has the checker parse it. Asked
    /// for every module checked, the root included. It must be exactly what [`crate::parse`]
    /// gives for `source`'s text, spans and comments included: [`crate::preparsed::decode`]
    /// refuses a blob of another text.
    fn preparsed(&self, source: &Source) -> Option<Module> {
        let _ = source;
        None
    }

    /// What checking `source` on its own found, if the loader has it (the standard modules
    /// are checked when vouch is built, see [`crate::prechecked`]); `None` has the checker
    /// check it. The checker uses it only when the framework the module names is defined as
    /// when it was checked. It must be what checking `source`'s text gives:
    /// [`crate::prechecked::decode`] refuses a blob of another text.
    fn prechecked(&self, source: &Source) -> Option<crate::prechecked::Prechecked> {
        let _ = source;
        None
    }
}

/// A loader that refuses every import.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoImports;

impl Loader for NoImports {
    fn load(&self, _from: &Source, _target: &ImportTarget) -> Result<Source, String> {
        Err("imports are not available here".to_string())
    }
}

/// The severity of a control.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
pub enum SeverityLevel {
    /// informational
    Info,
    /// low
    Low,
    /// medium
    Medium,
    /// high
    High,
    /// critical
    Critical,
}

impl SeverityLevel {
    /// The level with this name.
    pub fn from_name(name: &str) -> Option<Self> {
        Some(match name {
            "info" => SeverityLevel::Info,
            "low" => SeverityLevel::Low,
            "medium" => SeverityLevel::Medium,
            "high" => SeverityLevel::High,
            "critical" => SeverityLevel::Critical,
            _ => return None,
        })
    }

    /// The name.
    pub const fn as_str(self) -> &'static str {
        match self {
            SeverityLevel::Info => "info",
            SeverityLevel::Low => "low",
            SeverityLevel::Medium => "medium",
            SeverityLevel::High => "high",
            SeverityLevel::Critical => "critical",
        }
    }
}

/// The policy header of the root file.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct PolicyInfo {
    /// The policy name.
    pub name: String,
    /// Its title.
    pub title: String,
    /// Its version.
    pub version: Option<String>,
    /// The framework id.
    pub framework: String,
    /// Who owns it.
    pub owner: Option<String>,
    /// Its `///` description.
    pub description: Option<String>,
}

/// How a control is decided.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum ControlKind {
    /// By its `expect` statements over the evidence.
    Automated,
    /// By a person's attestation of `statement`.
    Manual {
        /// What must be attested.
        statement: String,
    },
}

/// A control that passed the checker, with its metadata read out.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct CheckedControl {
    /// Its id.
    pub id: String,
    /// Its title.
    pub title: String,
    /// The principle ids it assesses.
    pub provisions: Vec<String>,
    /// Its severity.
    pub severity: SeverityLevel,
    /// Why it matters.
    pub rationale: Option<String>,
    /// How to fix a failure.
    pub remediation: Option<String>,
    /// Free tags.
    pub tags: Vec<String>,
    /// Its `///` description.
    pub description: Option<String>,
    /// The index of its module in [`CheckedPolicy::modules`].
    pub module: usize,
    /// The index of its item in that module's AST.
    pub item: usize,
    /// Where it is declared.
    pub span: Span,
    /// Automated or manual.
    pub kind: ControlKind,
}

/// The value a param has in one module: its default, and an importer's override on top.
#[derive(Debug, Clone, PartialEq)]
pub struct ParamBinding {
    /// The declared type.
    pub ty: Type,
    /// The constant expression of its default.
    pub value: Expr,
    /// The source the default (and the declaration) is written in.
    pub value_source: Source,
    /// The bounds the declaration sets (`where >= 12 months`).
    pub bounds: Vec<ParamBound>,
    /// The importer's overrides, applied in order over the default: a table replaces the keys
    /// it gives and keeps the others; any other value replaces the whole value.
    pub overrides: Vec<ParamOverride>,
}

/// An importer's `with { name = value }` for one param.
#[derive(Debug, Clone, PartialEq)]
pub struct ParamOverride {
    /// The constant expression.
    pub value: Expr,
    /// The importing source it is written in.
    pub source: Source,
}

/// One loaded module.
#[derive(Debug, Clone, PartialEq)]
pub struct CheckedModule {
    /// Its source.
    pub source: Source,
    /// Its AST.
    pub ast: Module,
    /// Its params, by name.
    pub params: BTreeMap<String, ParamBinding>,
}

/// A policy with all its modules, free of errors.
#[derive(Debug, Clone, PartialEq)]
pub struct CheckedPolicy {
    /// The root file's header.
    pub info: PolicyInfo,
    /// The framework the controls map to.
    pub framework: Framework,
    /// Every module; the root is first.
    pub modules: Vec<CheckedModule>,
    /// Every control of every module, sorted by id.
    pub controls: Vec<CheckedControl>,
}

/// The result of checking: the policy when there is no error, and every diagnostic (errors
/// and warnings), sorted.
#[derive(Debug, Clone)]
pub struct CheckOutput {
    /// The checked policy, if no error was found.
    pub policy: Option<CheckedPolicy>,
    /// Every error and warning.
    pub diagnostics: Vec<Diagnostic>,
}

/// Checks the policy whose root file is `root`, with every lint at its default level.
pub fn check(root: Source, loader: &dyn Loader, frameworks: &Frameworks) -> CheckOutput {
    check_with(root, loader, frameworks, &LintLevels::default())
}

/// Checks the policy whose root file is `root`, with lints at the levels `lints` sets.
pub fn check_with(
    root: Source,
    loader: &dyn Loader,
    frameworks: &Frameworks,
    lints: &LintLevels,
) -> CheckOutput {
    let mut session = Session {
        loader,
        frameworks,
        modules: Vec::new(),
        controls: Vec::new(),
        diags: Vec::new(),
        loaded: BTreeMap::new(),
    };
    let root_facts = session.load(root, None, &mut Vec::new());
    session.duplicate_controls();
    let mut diags = session.diags;
    lints.apply(&mut diags);
    sort_diagnostics(&mut diags);
    diags.dedup();
    let has_errors = diags.iter().any(Diagnostic::is_error);
    let policy = match root_facts {
        Some(info) if !has_errors => frameworks.get(&info.framework).cloned().map(|framework| {
            let mut controls = session.controls;
            controls.sort_by(|a, b| a.id.cmp(&b.id));
            CheckedPolicy {
                info,
                framework,
                modules: session.modules,
                controls,
            }
        }),
        _ => None,
    };
    CheckOutput {
        policy,
        diagnostics: diags,
    }
}

struct Session<'a> {
    loader: &'a dyn Loader,
    frameworks: &'a Frameworks,
    modules: Vec<CheckedModule>,
    controls: Vec<CheckedControl>,
    diags: Vec<Diagnostic>,
    /// Modules loaded so far, by name: the overrides they were loaded with (as text) and where.
    loaded: BTreeMap<String, (String, Source, Span)>,
}

/// An import being followed: the importing module's source and the overrides it gives.
struct Importer<'i> {
    source: &'i Source,
    overrides: &'i [Field],
}

impl Session<'_> {
    /// Parses and checks `source` and, depth first, everything it imports. Returns its header.
    fn load(
        &mut self,
        source: Source,
        importer: Option<Importer<'_>>,
        stack: &mut Vec<String>,
    ) -> Option<PolicyInfo> {
        let parsed = match self.loader.preparsed(&source) {
            Some(ast) => Ok(ast),
            None => parse(&source),
        };
        let ast = match parsed {
            Ok(ast) => ast,
            Err(diags) => {
                self.diags.extend(diags);
                return None;
            }
        };
        let index = self.modules.len();
        let facts = match self
            .loader
            .prechecked(&source)
            .and_then(|checked| checked.facts(self.frameworks, index))
        {
            Some(facts) => facts,
            None => module::check_module(&source, &ast, self.frameworks, index, &mut self.diags),
        };
        let mut params: BTreeMap<String, ParamBinding> = BTreeMap::new();
        for item in &ast.items {
            if let Item::Param(p) = item {
                let ty = facts
                    .params
                    .get(&p.name.name)
                    .map_or(Type::Error, |(t, _)| t.clone());
                params.entry(p.name.name.clone()).or_insert(ParamBinding {
                    ty,
                    value: p.default.clone(),
                    value_source: source.clone(),
                    bounds: p.bounds.clone(),
                    overrides: Vec::new(),
                });
            }
        }
        if let Some(importer) = &importer {
            self.apply_overrides(importer, &mut params);
        }
        self.controls.extend(facts.controls);
        let mut imports = Vec::new();
        for item in &ast.items {
            match item {
                Item::Use(u) => {
                    let path: Vec<&str> = u.path.iter().map(|i| i.name.as_str()).collect();
                    match path.as_slice() {
                        ["std", name] => imports.push((
                            ImportTarget::Std((*name).to_string()),
                            u.span,
                            u.overrides.clone(),
                        )),
                        _ => {
                            let d = Diagnostic::error(Code::UnresolvedImport, source.clone(), u.span, format!("unknown module `{}`", path.join(".")))
                                .with_help("`use` names a standard module, e.g. `use std.uk_sscop`; `import \"file.vouch\"` reads a file");
                            self.diags.push(d);
                        }
                    }
                }
                Item::Import(i) => imports.push((
                    ImportTarget::Path(i.path.value.clone()),
                    i.span,
                    i.overrides.clone(),
                )),
                _ => {}
            }
        }
        self.modules.push(CheckedModule {
            source: source.clone(),
            ast,
            params,
        });
        stack.push(source.name().to_string());
        for (target, span, overrides) in imports {
            self.follow(
                &source,
                target,
                span,
                &overrides,
                facts.header.as_ref(),
                stack,
            );
        }
        stack.pop();
        facts.header
    }

    fn follow(
        &mut self,
        from: &Source,
        target: ImportTarget,
        span: Span,
        overrides: &[Field],
        header: Option<&PolicyInfo>,
        stack: &mut Vec<String>,
    ) {
        let error = |message: String| {
            Diagnostic::error(Code::UnresolvedImport, from.clone(), span, message)
        };
        if stack.len() >= MAX_IMPORT_DEPTH {
            self.diags.push(error(format!(
                "imports nest more than {MAX_IMPORT_DEPTH} deep"
            )));
            return;
        }
        let child = match self.loader.load(from, &target) {
            Ok(child) => child,
            Err(reason) => {
                let what = match &target {
                    ImportTarget::Std(n) => format!("std.{n}"),
                    ImportTarget::Path(p) => p.clone(),
                };
                let d = error(format!("cannot load `{what}`: {reason}"))
                    .with_label(span, "imported here");
                self.diags.push(d);
                return;
            }
        };
        if stack.iter().any(|s| s == child.name()) {
            let chain = format!("{} -> {}", stack.join(" -> "), child.name());
            let d = Diagnostic::error(
                Code::ImportCycle,
                from.clone(),
                span,
                format!("`{}` imports itself: {chain}", child.name()),
            )
            .with_help("move what both files need into a third file that imports neither");
            self.diags.push(d);
            return;
        }
        let signature = overrides_signature(overrides);
        if let Some((first, first_source, first_span)) = self.loaded.get(child.name()) {
            // A module reached again (a diamond) is loaded once; its controls run once.
            if *first != signature {
                let mut d = Diagnostic::error(
                    Code::ConflictingImport,
                    from.clone(),
                    span,
                    format!("`{}` is imported twice with different overrides", child.name()),
                )
                .with_help("a module's controls run once per policy: give its params one set of values, in one import");
                if first_source == from {
                    d = d.with_label(*first_span, "first imported here");
                }
                self.diags.push(d);
            }
            return;
        }
        self.loaded
            .insert(child.name().to_string(), (signature, from.clone(), span));
        let importer = Importer {
            source: from,
            overrides,
        };
        let child_header = self.load(child, Some(importer), stack);
        if let (Some(parent), Some(child)) = (header, child_header)
            && parent.framework != child.framework
            && !child.framework.is_empty()
            && !parent.framework.is_empty()
        {
            let d = Diagnostic::error(
                Code::FrameworkMismatch,
                from.clone(),
                span,
                format!(
                    "this module is written for `{}`, the policy for `{}`",
                    child.framework, parent.framework
                ),
            )
            .with_help("a policy's controls all map to one framework");
            self.diags.push(d);
        }
    }

    fn apply_overrides(
        &mut self,
        importer: &Importer<'_>,
        params: &mut BTreeMap<String, ParamBinding>,
    ) {
        let no_params = BTreeMap::new();
        let mut t = Typer::new(importer.source, &no_params, &mut self.diags);
        let mut seen: BTreeMap<&str, Span> = BTreeMap::new();
        for field in importer.overrides {
            if let Some(first) = seen.insert(field.key.name.as_str(), field.key.span) {
                let d = t
                    .diag(
                        Code::DuplicateMetadata,
                        field.key.span,
                        format!("`{}` is overridden twice", field.key.name),
                    )
                    .with_label(first, "first overridden here");
                t.report(d);
                continue;
            }
            let Some(binding) = params.get_mut(&field.key.name) else {
                let help = suggest::help_for(
                    &field.key.name,
                    "params of the module",
                    params.keys().map(String::as_str),
                );
                let d = t
                    .diag(
                        Code::UnknownOverride,
                        field.key.span,
                        format!("the imported module has no param `{}`", field.key.name),
                    )
                    .with_help(help);
                t.report(d);
                continue;
            };
            if !module::is_constant(&field.value) {
                let d = t
                    .diag(
                        Code::NonConstant,
                        field.value.span,
                        "an override must be a constant",
                    )
                    .with_help("write a literal value");
                t.report(d);
                continue;
            }
            let before = t.diags.len();
            t.expect_type(&field.value, &binding.ty);
            if t.diags.len() != before {
                continue;
            }
            params::check_override(&mut t, &field.key.name, binding, &field.value);
            binding.overrides.push(ParamOverride {
                value: field.value.clone(),
                source: importer.source.clone(),
            });
        }
    }

    fn duplicate_controls(&mut self) {
        let mut first: BTreeMap<&str, &CheckedControl> = BTreeMap::new();
        for control in &self.controls {
            let Some(prev) = first.get(control.id.as_str()) else {
                first.insert(&control.id, control);
                continue;
            };
            let (Some(here), Some(there)) = (
                self.modules.get(control.module),
                self.modules.get(prev.module),
            ) else {
                continue;
            };
            let id_span = control_id_span(&here.ast, control.item).unwrap_or(control.span);
            let prev_span = control_id_span(&there.ast, prev.item).unwrap_or(prev.span);
            let d = if here.source == there.source {
                Diagnostic::error(
                    Code::DuplicateControl,
                    here.source.clone(),
                    id_span,
                    format!("control `{}` is defined twice", control.id),
                )
                .with_label(prev_span, "first defined here")
                .with_help("control ids identify results in reports; give each control its own")
            } else {
                // Modules are numbered in load order, importers first: `there` is the file
                // closer to the user's own, where the fix (a new id) belongs.
                let (line, _) = here.source.line_col(id_span.start);
                Diagnostic::error(
                    Code::DuplicateControl,
                    there.source.clone(),
                    prev_span,
                    format!(
                        "control `{}` is also defined in `{}` (line {line}), which this policy imports",
                        control.id,
                        here.source.name()
                    ),
                )
                .with_help(format!("control ids identify results in reports; give this control another id than `{}`", control.id))
            };
            self.diags.push(d);
        }
    }
}

/// The overrides of an import as comparable text: sorted `name = value` pairs.
fn overrides_signature(overrides: &[Field]) -> String {
    let mut pairs: Vec<String> = overrides
        .iter()
        .map(|f| format!("{} = {}", f.key.name, crate::dump::expr(&f.value)))
        .collect();
    pairs.sort();
    pairs.join(", ")
}

fn control_id_span(ast: &Module, item: usize) -> Option<Span> {
    match ast.items.get(item)? {
        Item::Control(c) => Some(c.id.span),
        _ => None,
    }
}
