//! What `vouch evaluate` and `vouch explain` share: their inputs on the command line, and
//! turning them into a checked policy, an evidence graph and evaluation options. This is
//! where files and the clock are read; the engine reads neither.

use std::path::{Path, PathBuf};

use std::sync::Arc;
use vouch_engine::eval::value::{Date, Timestamp, date_instant};
use vouch_engine::waivers::approval::SIGNATURE_SUFFIXES;
use vouch_engine::waivers::{Waiver, WaiverFile, approve, parse_waivers};

use vouch_engine::eval::Budget;
use vouch_engine::{EvaluationOptions, EvidenceGraph, Finding, IngestOptions, KeyStore};
use vouch_lang::CheckedPolicy;

use crate::policy_files::{
    FileLoader, display_path, frameworks, input_diagnostic, policy_root, read_source,
};
use crate::render::{self, ErrorFormat};
use vouch_engine::input_file::{MAX_INPUT_FILE, MAX_THREADS, cap_threads, read_input_file};
use vouch_engine::report::relative_source_name;
use vouch_engine::terminal::escape_line;

/// The inputs of an evaluation.
#[derive(Debug, clap::Args)]
pub struct EvalInputs {
    /// The policy: its root file, or a directory whose one root file (the file no other file
    /// there imports) is evaluated.
    #[arg(long, value_name = "FILE|DIR")]
    pub policy: PathBuf,
    /// The evidence bundle directory.
    #[arg(long, value_name = "DIR")]
    pub bundle: PathBuf,
    /// A trusted key or keyring (repeatable); trust never comes from the bundle.
    #[arg(long = "trust", value_name = "PATH")]
    pub trust: Vec<PathBuf>,
    /// Waivers (TOML), repeatable. Each counts only with a detached signature beside it
    /// (`FILE.asc`, `FILE.sig` or `FILE.minisig`) by a `--trust` key: without one none of its
    /// waivers applies, and the report says why.
    #[arg(long = "waivers", value_name = "FILE")]
    pub waivers: Vec<PathBuf>,
    /// The instant to judge at: a date (00:00 UTC) or an RFC 3339 date-time with offset.
    /// Default: now.
    #[arg(long, value_name = "DATE|DATETIME")]
    pub as_of: Option<String>,
    /// Extra framework definitions (TOML), besides the built-in ones.
    #[arg(long = "framework", value_name = "FILE")]
    pub frameworks: Vec<PathBuf>,
    /// Threads for hashing and evaluation (default: one per core; at most 256, a larger
    /// number is lowered to 256 with a warning).
    #[arg(long, short, value_name = "N")]
    pub jobs: Option<usize>,
    /// Reuse the digests of unchanged bundle files from this directory (created if missing;
    /// not inside the bundle), and refresh it. The report is the same with or without it. The
    /// directory must be as trusted as the vouch binary: whoever can write it can make vouch
    /// believe a file's digest.
    #[arg(long, value_name = "DIR")]
    pub cache_dir: Option<PathBuf>,
    /// Steps each control may take (expressions evaluated, loop elements visited) before it
    /// stops with status `error`. Default: 100000000.
    #[arg(long, value_name = "N")]
    pub max_steps: Option<String>,
    /// Bytes of strings and collections each control may create before it stops with status
    /// `error`: a number of bytes or a size such as 64MiB, 1GiB or 500MB. Default: 256MiB.
    #[arg(long, value_name = "SIZE")]
    pub max_bytes: Option<String>,
    /// How to print diagnostics.
    #[arg(long, value_enum, default_value_t)]
    pub error_format: ErrorFormat,
    /// Lint levels for checking the policy.
    #[command(flatten)]
    pub lints: crate::lint_args::LintArgs,
    /// The authority policy and its entities.
    #[command(flatten)]
    pub authority: crate::authority_files::AuthorityArgs,
}

/// A policy and a bundle, ready to evaluate.
#[derive(Debug)]
pub struct Prepared {
    /// The checked policy.
    pub policy: CheckedPolicy,
    /// The bundle's evidence graph.
    pub graph: EvidenceGraph,
    /// `as_of`, waivers, trust inputs, threads.
    pub options: EvaluationOptions,
}

/// Reads and checks everything; on any usage or input error, prints it and returns `None`
/// (the caller exits 2).
pub fn prepare(inputs: &EvalInputs) -> Option<Prepared> {
    let format = inputs.error_format;
    let as_of = match &inputs.as_of {
        Some(text) => match parse_as_of(text) {
            Some(t) => t,
            None => {
                render::plain_error(
                    &format!(
                        "`--as-of {text}` is not a date (2026-10-01) or a date-time with offset (2026-10-01T12:00:00Z)"
                    ),
                    format,
                );
                return None;
            }
        },
        // The one place an evaluation reads the clock.
        None => Timestamp::now(),
    };
    let budget = match budget(inputs) {
        Ok(budget) => budget,
        Err(message) => {
            render::plain_error(&message, format);
            return None;
        }
    };
    let trust = load_trust(&inputs.trust, format)?;
    let waivers = read_all_waivers(&inputs.waivers, &trust, as_of, format)?;
    let levels = match inputs.lints.levels() {
        Ok(levels) => levels,
        Err(message) => {
            render::plain_error(&message, format);
            return None;
        }
    };
    let mut policy = check_policy(&inputs.policy, &inputs.frameworks, &levels, format)?;
    name_sources_from_root(&mut policy);
    let framework_sha256 = framework_digest(&policy.framework.id, &inputs.frameworks);
    // Without --authority every trusted key may attest, waive and sign (EveryTrustedKey).
    let authority: Arc<dyn vouch_engine::authority::Authority> =
        match crate::authority_files::load_authority(&inputs.authority, format) {
            Ok(Some(cedar)) => Arc::new(cedar),
            Ok(None) => Arc::new(vouch_engine::authority::EveryTrustedKey),
            Err(crate::authority_files::Reported) => return None,
        };
    for w in waivers.iter().flat_map(|f| &f.waivers) {
        if !policy.controls.iter().any(|c| c.id == w.control) && format == ErrorFormat::Human {
            eprintln!(
                "warning: waiver `{}` (line {}) names control `{}`, which the policy does not have",
                w.id, w.line, w.control
            );
        }
    }
    let bar = vouch_engine::TerminalProgress::stderr();
    let progress = shown(&bar);
    let trusted_keys = trust.describe();
    let jobs = capped_jobs(inputs.jobs, format);
    let options = IngestOptions {
        threads: jobs,
        trust: Arc::new(trust),
        as_of: Some(as_of),
    };
    let ingested = match &inputs.cache_dir {
        None => vouch_engine::ingest(&inputs.bundle, &options, progress),
        Some(dir) => {
            crate::cache_dir::ingest_cached(&inputs.bundle, &options, dir, progress, format)
        }
    };
    let graph = match ingested {
        Ok(graph) => graph,
        Err(error) => {
            render::engine_error(error, format);
            return None;
        }
    };
    Some(Prepared {
        policy,
        graph,
        options: EvaluationOptions {
            as_of,
            waivers,
            trust: trusted_keys,
            threads: jobs,
            budget,
            authority,
            framework_sha256,
        },
    })
}

/// Renames the policy's sources relative to the root file's directory (the root file is its
/// file name), after checking printed its diagnostics with the paths as given: the report
/// names them so, whatever the working directory and however `--policy` was written.
pub fn name_sources_from_root(policy: &mut CheckedPolicy) {
    let Some(root) = policy.modules.first() else {
        return;
    };
    let root_name = root.source.name().to_owned();
    if root_name.starts_with("std.") {
        return;
    }
    let base = match root_name.rfind('/') {
        Some(at) => root_name.get(..at).unwrap_or("").to_owned(),
        None => String::new(),
    };
    let rename = |source: &mut vouch_lang::Source| {
        let name = relative_source_name(source.name(), &base);
        if name != source.name() {
            *source = vouch_lang::Source::new(name, source.text());
        }
    };
    for module in &mut policy.modules {
        rename(&mut module.source);
        for binding in module.params.values_mut() {
            rename(&mut binding.value_source);
            for o in &mut binding.overrides {
                rename(&mut o.source);
            }
        }
    }
}

/// The sha256 of the definition of framework `id`: the last `--framework` file defining it,
/// else the embedded one.
pub fn framework_digest(id: &str, extra: &[PathBuf]) -> Option<String> {
    use vouch_engine::digest::Sha256Digest;
    let defines = |name: &str, text: &str| {
        vouch_lang::Framework::from_toml(&vouch_lang::Source::new(name.to_owned(), text.to_owned()))
            .is_ok_and(|f| f.id == id)
    };
    for path in extra.iter().rev() {
        if let Ok(bytes) = read_input_file(path, MAX_INPUT_FILE)
            && let Ok(text) = std::str::from_utf8(&bytes)
            && defines(&display_path(path), text)
        {
            return Some(Sha256Digest::of(&bytes).to_hex());
        }
    }
    vouch_stdlib::framework(id).map(|f| Sha256Digest::of(f.source.as_bytes()).to_hex())
}

/// Where ingestion reports its progress: `bar` when it is drawn, else nowhere (a hidden bar
/// would still keep its rate and estimate up to date on every file).
pub fn shown(bar: &vouch_engine::TerminalProgress) -> &dyn vouch_engine::Progress {
    if bar.is_visible() {
        bar
    } else {
        &vouch_engine::NoProgress
    }
}

/// `-j N` lowered to [`MAX_THREADS`] (with a warning on stderr when it was higher): a
/// thread per job is started, and thousands of threads only exhaust the machine. Without
/// `-j`, `None`: the engine starts a pool of one thread per processor, counting them only
/// then (a small bundle is read on this thread, and the count reads the cgroup's files).
///
/// Either way the engine reads a large bundle in a pool of its own that ends before the
/// graph is built, so the memory its threads used comes free (rayon's global pool's threads
/// would stay, holding it).
pub fn capped_jobs(jobs: Option<usize>, format: ErrorFormat) -> Option<usize> {
    let requested = jobs?;
    let capped = cap_threads(requested);
    if requested > MAX_THREADS {
        render::plain_warning(
            &format!(
                "`-j {requested}` is more than the {MAX_THREADS} threads vouch starts; using {capped}"
            ),
            format,
        );
    }
    Some(capped)
}

/// The evaluation budget from `--max-steps` and `--max-bytes` (defaults for those not given).
fn budget(inputs: &EvalInputs) -> Result<Budget, String> {
    let mut budget = Budget::default();
    if let Some(text) = &inputs.max_steps {
        budget.max_steps = parse_count(text).ok_or_else(|| {
            format!(
                "`--max-steps {text}` is not a whole number of steps of at least 1 (e.g. 100000000)"
            )
        })?;
    }
    if let Some(text) = &inputs.max_bytes {
        budget.max_bytes = parse_size(text).ok_or_else(|| {
            format!(
                "`--max-bytes {text}` is not a size of at least 1 byte: write bytes (1048576) or a number and a unit, B, KB, MB, GB, KiB, MiB or GiB (512MiB)"
            )
        })?;
    }
    Ok(budget)
}

/// A positive whole number (`_` may group digits); `None` for 0 or anything else.
fn parse_count(text: &str) -> Option<u64> {
    let digits: String = text.chars().filter(|&c| c != '_').collect();
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok().filter(|&n| n > 0)
}

/// A positive size: bytes (`1048576`), or a number and a unit (`64MiB`, `64 MiB`, `500MB`,
/// `1gib`); `None` for 0, an unknown unit, or an overflow.
fn parse_size(text: &str) -> Option<u64> {
    let text = text.trim();
    let split = text
        .find(|c: char| !(c.is_ascii_digit() || c == '_'))
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let unit: u64 = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "kb" => 1000,
        "mb" => 1000 * 1000,
        "gb" => 1000 * 1000 * 1000,
        "kib" => 1 << 10,
        "mib" => 1 << 20,
        "gib" => 1 << 30,
        _ => return None,
    };
    parse_count(number)?.checked_mul(unit)
}

/// Loads the trust set; a missing or unreadable trust input is a usage error.
pub fn load_trust(paths: &[PathBuf], format: ErrorFormat) -> Option<KeyStore> {
    for path in paths {
        if !path.exists() {
            render::plain_error(
                &format!("trust input `{}` does not exist", display_path(path)),
                format,
            );
            return None;
        }
    }
    match KeyStore::load(paths) {
        Ok(store) => Some(store),
        Err(error) => {
            render::engine_error(error, format);
            None
        }
    }
}

/// `2026-10-01` (00:00 UTC) or an RFC 3339 date-time with offset.
pub fn parse_as_of(text: &str) -> Option<Timestamp> {
    if text.len() == 10
        && let Ok(date) = text.parse::<Date>()
    {
        return date_instant(date);
    }
    text.parse().ok()
}

/// Reads and checks the policy at `path` (a root file or a directory), printing its
/// diagnostics; `None` when it does not check.
pub fn check_policy(
    path: &Path,
    extra_frameworks: &[PathBuf],
    levels: &vouch_lang::LintLevels,
    format: ErrorFormat,
) -> Option<CheckedPolicy> {
    let frameworks = match frameworks(extra_frameworks) {
        Ok(f) => f,
        Err(diags) => {
            render::print(&diags, format);
            return None;
        }
    };
    let root = match policy_root(path) {
        Ok(root) => root,
        Err(message) => {
            render::plain_error(&message, format);
            return None;
        }
    };
    let source = match read_source(&root) {
        Ok(s) => s,
        Err(d) => {
            render::print(&[*d], format);
            return None;
        }
    };
    let output = vouch_lang::check_with(source, &FileLoader, &frameworks, levels);
    render::print(&output.diagnostics, format);
    output.policy
}

/// Reads every waivers file and the signatures beside it, and checks each signature against
/// the trust set at `as_of`. A file that cannot be read or parsed, and a waiver id used in two
/// files, are usage errors (`None`); a file without a valid signature is not: its waivers are
/// refused in the report (fail closed: nothing of it is waived), with a warning here.
fn read_all_waivers(
    paths: &[PathBuf],
    trust: &KeyStore,
    as_of: Timestamp,
    format: ErrorFormat,
) -> Option<Vec<WaiverFile>> {
    let mut files = Vec::new();
    let mut ids: std::collections::BTreeMap<String, String> = std::collections::BTreeMap::new();
    for path in paths {
        let file = read_waivers(path, trust, as_of, format)?;
        for w in &file.waivers {
            let place = format!("{}:{}", file.approval.file, w.line);
            if let Some(first) = ids.insert(w.id.clone(), place.clone()) {
                render::plain_error(
                    &format!(
                        "waiver id `{}` at {place} is also used at {first}: give each waiver its own id across all --waivers files",
                        w.id
                    ),
                    format,
                );
                return None;
            }
        }
        if let Some(why) = &file.approval.refused
            && format == ErrorFormat::Human
        {
            eprintln!(
                "warning: waivers file `{}` is refused, none of its waivers applies: {}",
                escape_line(&file.approval.file),
                escape_line(why)
            );
        }
        files.push(file);
    }
    Some(files)
}

fn read_waivers(
    path: &Path,
    trust: &KeyStore,
    as_of: Timestamp,
    format: ErrorFormat,
) -> Option<WaiverFile> {
    let input = read_waiver_input(path, format)?;
    let approval = approve(&input.name, &input.bytes, &input.signatures, trust, as_of);
    Some(WaiverFile {
        approval,
        waivers: input.waivers,
    })
}

/// A waivers file as `--waivers` gave it: read once, approved again at each `as_of`.
#[derive(Debug, Clone)]
pub struct WaiverInput {
    /// Its name, as the report gives it.
    pub name: String,
    /// Its bytes.
    pub bytes: Vec<u8>,
    /// The detached signatures beside it (name, bytes).
    pub signatures: Vec<(String, Vec<u8>)>,
    /// Its waivers.
    pub waivers: Vec<Waiver>,
}

/// Reads a waivers file, the detached signatures beside it (`SIGNATURE_SUFFIXES`) and its
/// waivers, printing what is wrong (`None` then): what `evaluate` approves at its `as_of`
/// and `backtest` at each entry's.
pub fn read_waiver_input(path: &Path, format: ErrorFormat) -> Option<WaiverInput> {
    let name = display_path(path);
    let bytes = match read_input_file(path, MAX_INPUT_FILE) {
        Ok(bytes) => bytes,
        Err(e) => {
            render::print(&[input_diagnostic(path, &e)], format);
            return None;
        }
    };
    let mut signatures = Vec::new();
    for suffix in SIGNATURE_SUFFIXES {
        let mut sidecar = path.as_os_str().to_owned();
        sidecar.push(suffix);
        let sidecar = PathBuf::from(sidecar);
        if std::fs::symlink_metadata(&sidecar).is_err() {
            continue;
        }
        match read_input_file(&sidecar, MAX_INPUT_FILE) {
            Ok(sig) => signatures.push((display_path(&sidecar), sig)),
            Err(e) => {
                render::print(&[input_diagnostic(&sidecar, &e)], format);
                return None;
            }
        }
    }
    let Ok(text) = std::str::from_utf8(&bytes) else {
        render::plain_error(
            &format!("cannot read `{name}`: it is not UTF-8 text"),
            format,
        );
        return None;
    };
    match parse_waivers(&name, text) {
        Ok((waivers, warnings)) => {
            print_findings(&warnings, format);
            Some(WaiverInput {
                name,
                bytes,
                signatures,
                waivers,
            })
        }
        Err(errors) => {
            print_findings(&errors, format);
            None
        }
    }
}

/// Prints findings about an input file (waivers), one per line with its place.
pub fn print_findings(findings: &[Finding], format: ErrorFormat) {
    for f in findings {
        let mut place = f.path.clone().unwrap_or_default();
        if let Some(line) = f.line {
            place.push_str(&format!(":{line}"));
            if let Some(column) = f.column {
                place.push_str(&format!(":{column}"));
            }
        }
        match format {
            ErrorFormat::Human => {
                let help = f
                    .help
                    .as_deref()
                    .map(|h| format!("\n  help: {}", escape_line(h)))
                    .unwrap_or_default();
                eprintln!(
                    "{}[{}]: {}: {}{}",
                    f.severity.as_str(),
                    f.code,
                    escape_line(&place),
                    escape_line(&f.message),
                    help
                );
            }
            ErrorFormat::Json => eprintln!(
                "{}",
                serde_json::json!({
                    "code": f.code.as_str(),
                    "severity": f.severity.as_str(),
                    "message": f.message,
                    "help": f.help,
                    "file": f.path,
                    "line": f.line,
                    "column": f.column,
                })
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{parse_count, parse_size};

    #[test]
    fn sizes() {
        assert_eq!(parse_size("1048576"), Some(1 << 20));
        assert_eq!(parse_size("64MiB"), Some(64 << 20));
        assert_eq!(parse_size("64 mib"), Some(64 << 20));
        assert_eq!(parse_size("2GiB"), Some(2 << 30));
        assert_eq!(parse_size("500MB"), Some(500_000_000));
        assert_eq!(parse_size("1_000B"), Some(1000));
        assert_eq!(parse_size("1kib"), Some(1024));
        for bad in [
            "0",
            "0MiB",
            "",
            "MiB",
            "64M",
            "-1",
            "1.5GiB",
            "99999999999GiB",
        ] {
            assert_eq!(parse_size(bad), None, "{bad}");
        }
    }

    #[test]
    fn counts() {
        assert_eq!(parse_count("50_000_000"), Some(50_000_000));
        assert_eq!(parse_count("1"), Some(1));
        for bad in ["0", "", "_", "-5", "1e6", "18446744073709551616"] {
            assert_eq!(parse_count(bad), None, "{bad}");
        }
    }
}
