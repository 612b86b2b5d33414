//! `vouch test`: policy tests. Each `*.test.toml` file names a policy, a bundle and the trust
//! inputs, and says what the evaluation must give (see [`spec`]); `vouch test` evaluates each
//! and reports every expectation that does not hold.
//!
//! Exit 0 when every test holds, 1 when any expectation does not, 2 when a test file is
//! invalid or cannot be evaluated (a located diagnostic says why). Fail closed: finding no test
//! file at all is an error, not a pass.

pub mod compare;
pub mod coverage;
pub mod junit;
pub mod mutants;
pub mod spec;

use std::path::{Path, PathBuf};

use vouch_lang::{Code, Diagnostic, Span};

use crate::evaluation::{EvalInputs, prepare};
use crate::exit::VouchExit;
use crate::policy_files::display_path;
use crate::render::{self, ErrorFormat};
use compare::Outcome;
use spec::TestSpec;

/// How `vouch test` writes its results.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum TestFormat {
    /// One line per test file, each unmet expectation under it, then `N passed, M failed`.
    #[default]
    Human,
    /// JUnit XML (one testsuite per test file, one testcase per expectation), for CI.
    Junit,
}

/// What `vouch test` does, as `vouch --help` and `vouch test --help` say it.
pub const ABOUT: &str = "Run policy tests (`*.test.toml`): evaluate each and compare with what it expects; exit 1 naming each unmet expectation, 2 on an invalid test file";

/// Arguments of `vouch test`.
#[derive(Debug, clap::Args)]
#[command(about = ABOUT)]
pub struct TestArgs {
    /// Test files (`*.test.toml`), or directories searched recursively for them (hidden
    /// directories and `target` are skipped). Default: the current directory.
    paths: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    format: TestFormat,
    /// After the results, show for each policy which statuses each control was seen with,
    /// flagging a control only ever seen passing (or never seen passing) as untested, and
    /// each `expect` and `where` never evaluated or never seen false.
    #[arg(long)]
    coverage: bool,
    /// After the results, mutate each control of each tested policy (negate each `expect`,
    /// drop each `where`, flip each `when empty`), re-run the policy's tests on each mutant,
    /// and list the mutants no test kills, with the mutation score. Needs every test to pass.
    #[arg(long)]
    mutants: bool,
    /// Threads for hashing and evaluation (default: one per core).
    #[arg(long, short, value_name = "N")]
    jobs: Option<usize>,
    /// How to print diagnostics.
    #[arg(long, value_enum, default_value_t)]
    error_format: ErrorFormat,
}

/// One test file's result.
#[derive(Debug)]
pub struct TestResult {
    /// The test file.
    pub spec: TestSpec,
    /// Every expectation and whether it held, in control-id order.
    pub outcomes: Vec<Outcome>,
    /// The policy evaluated, as named for people (relative to the working directory when
    /// under it), the same for every test of the same policy file.
    pub policy: String,
    /// The status of every control of the policy in this evaluation.
    pub statuses: Vec<(String, vouch_engine::report::Status)>,
    /// The checked policy, graph and options, kept for `--mutants`.
    pub prepared: Option<crate::evaluation::Prepared>,
}

impl TestResult {
    /// Whether every expectation held.
    pub fn passed(&self) -> bool {
        self.outcomes.iter().all(|o| o.failure.is_none())
    }
}

/// Runs `vouch test`.
pub fn run(args: TestArgs) -> VouchExit {
    let roots = if args.paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        args.paths.clone()
    };
    let files = match discover(&roots) {
        Ok(files) if files.is_empty() => {
            render::plain_error(
                &format!(
                    "no `*.test.toml` file under {}: nothing was tested",
                    roots
                        .iter()
                        .map(|p| format!("`{}`", display_path(p)))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
                args.error_format,
            );
            return VouchExit::Error;
        }
        Ok(files) => files,
        Err(message) => {
            render::plain_error(&message, args.error_format);
            return VouchExit::Error;
        }
    };
    let mut specs = Vec::new();
    let mut invalid = false;
    for file in &files {
        match spec::read(file) {
            Ok(spec) => specs.push(spec),
            Err(diags) => {
                render::print(&diags, args.error_format);
                invalid = true;
            }
        }
    }
    if invalid {
        return VouchExit::Error;
    }
    let mut results = Vec::new();
    for spec in specs {
        match evaluate(spec, &args) {
            Some(result) => results.push(result),
            None => invalid = true,
        }
    }
    if invalid {
        return VouchExit::Error;
    }
    let text = match args.format {
        TestFormat::Human => human(&results),
        TestFormat::Junit => junit::render(&results),
    };
    print!("{text}");
    if args.mutants {
        let out = mutation(&results);
        match args.format {
            TestFormat::Human => print!("{out}"),
            TestFormat::Junit => eprint!("{out}"),
        }
    }
    if args.coverage {
        let cov = coverage::render(&results) + &coverage::sites(&results);
        match args.format {
            TestFormat::Human => print!("{cov}"),
            TestFormat::Junit => eprint!("{cov}"),
        }
    }
    if results.iter().all(TestResult::passed) {
        VouchExit::Success
    } else {
        VouchExit::Failure
    }
}

/// Evaluates one test; `None` (after printing why) when it cannot be evaluated or names a
/// control the policy lacks.
fn evaluate(spec: TestSpec, args: &TestArgs) -> Option<TestResult> {
    let inputs = EvalInputs {
        policy: spec.policy.clone(),
        bundle: spec.bundle.clone(),
        trust: spec.trust.clone(),
        waivers: spec.waivers.clone(),
        as_of: Some(spec.as_of.clone()),
        frameworks: Vec::new(),
        jobs: args.jobs,
        cache_dir: None,
        max_steps: None,
        max_bytes: None,
        error_format: args.error_format,
        lints: crate::lint_args::LintArgs::default(),
        authority: crate::authority_files::AuthorityArgs {
            authority: spec.authority.clone(),
            authority_entities: spec.authority_entities.clone(),
        },
    };
    let prepared = prepare(&inputs)?;
    let ids: Vec<&str> = prepared
        .policy
        .controls
        .iter()
        .map(|c| c.id.as_str())
        .collect();
    let unknown: Vec<Diagnostic> = spec
        .controls
        .iter()
        .filter(|(id, _)| !ids.contains(&id.as_str()))
        .map(|(id, e)| unknown_control(&spec, id, e.span, &ids))
        .collect();
    if !unknown.is_empty() {
        render::print(&unknown, args.error_format);
        return None;
    }
    let report = vouch_engine::evaluate(&prepared.policy, &prepared.graph, &prepared.options);
    Some(TestResult {
        outcomes: compare::compare(&spec, &report),
        policy: policy_name(&spec.policy),
        statuses: report
            .controls
            .iter()
            .map(|c| (c.id.clone(), c.status))
            .collect(),
        prepared: (args.mutants || args.coverage).then_some(prepared),
        spec,
    })
}

/// The mutation report of every tested policy; only when every test passes (a failing test
/// would kill every mutant).
fn mutation(results: &[TestResult]) -> String {
    if !results.iter().all(TestResult::passed) {
        return "\nmutants: not run, as a test fails: fix the tests first\n".to_owned();
    }
    let mut policies: Vec<&str> = results.iter().map(|r| r.policy.as_str()).collect();
    policies.sort_unstable();
    policies.dedup();
    let mut out = String::new();
    for name in policies {
        let group: Vec<&TestResult> = results.iter().filter(|r| r.policy == name).collect();
        let Some(policy) = group
            .iter()
            .find_map(|r| r.prepared.as_ref().map(|p| &p.policy))
        else {
            continue;
        };
        let tests: Vec<mutants::Prepared<'_>> = group
            .iter()
            .filter_map(|r| {
                r.prepared.as_ref().map(|p| mutants::Prepared {
                    spec: &r.spec,
                    graph: &p.graph,
                    options: &p.options,
                })
            })
            .collect();
        out.push_str(&mutants::render(name, &mutants::run(policy, &tests)));
    }
    out
}

/// The policy's path made canonical, and relative to the working directory when under it.
fn policy_name(path: &Path) -> String {
    let Ok(full) = std::fs::canonicalize(path) else {
        return display_path(path);
    };
    let here = std::env::current_dir()
        .ok()
        .and_then(|d| std::fs::canonicalize(d).ok());
    match here.as_deref().and_then(|h| full.strip_prefix(h).ok()) {
        Some(rel) => display_path(rel),
        None => display_path(&full),
    }
}

fn unknown_control(spec: &TestSpec, id: &str, span: Span, ids: &[&str]) -> Diagnostic {
    let d = Diagnostic::error(
        Code::UnknownControl,
        spec.source.clone(),
        span,
        format!(
            "the policy `{}` has no control `{id}`",
            display_path(&spec.policy)
        ),
    );
    match spec::did_you_mean(id, ids.iter().copied()) {
        Some(s) => d.with_help(format!("did you mean `{s}`?")),
        None => d.with_help(format!("its controls are {}", ids.join(", "))),
    }
}

/// Every `*.test.toml` under `roots` (a file given by name is taken whatever its name), sorted
/// and without duplicates. Symbolic links to directories are not followed.
fn discover(roots: &[PathBuf]) -> Result<Vec<PathBuf>, String> {
    let mut out = Vec::new();
    for root in roots {
        let meta = std::fs::metadata(root)
            .map_err(|e| format!("cannot read `{}`: {e}", display_path(root)))?;
        if meta.is_dir() {
            walk(root, &mut out)?;
        } else {
            out.push(root.clone());
        }
    }
    out.sort();
    out.dedup();
    Ok(out)
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), String> {
    let entries =
        std::fs::read_dir(dir).map_err(|e| format!("cannot read `{}`: {e}", display_path(dir)))?;
    for entry in entries {
        let entry = entry.map_err(|e| format!("cannot read `{}`: {e}", display_path(dir)))?;
        let path = entry.path();
        let name = entry.file_name().to_string_lossy().into_owned();
        let Ok(kind) = entry.file_type() else {
            continue;
        };
        if kind.is_dir() {
            if !name.starts_with('.') && name != "target" {
                walk(&path, out)?;
            }
        } else if name.ends_with(".test.toml") {
            out.push(path);
        }
    }
    Ok(())
}

/// The human summary: a line per test file, each unmet expectation indented under it.
fn human(results: &[TestResult]) -> String {
    use std::fmt::Write as _;
    use vouch_engine::terminal::escape_line;
    let mut out = String::new();
    let mut failed = 0;
    for r in results {
        let name = escape_line(r.spec.source.name()).into_owned();
        if r.passed() {
            let _ = writeln!(out, "ok     {name} ({} checked)", r.outcomes.len());
            continue;
        }
        failed += 1;
        let _ = writeln!(out, "FAILED {name}");
        for o in &r.outcomes {
            if let Some(why) = &o.failure {
                let _ = writeln!(out, "  {}: {}", escape_line(&o.name), escape_line(why));
                for f in &o.findings {
                    let _ = writeln!(out, "    finding: {}", escape_line(f));
                }
                if let Some(reason) = &o.reason {
                    let _ = writeln!(out, "    reason: {}", escape_line(reason));
                }
            }
        }
    }
    let _ = writeln!(out, "{} passed, {failed} failed", results.len() - failed);
    out
}
