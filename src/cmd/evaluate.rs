//! `vouch evaluate`: judge a policy against a bundle's evidence and write the report.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use vouch_engine::digest::Sha256Writer;
use vouch_engine::input_file::{MAX_INPUT_FILE, read_input_file};
use vouch_engine::report::attest;
use vouch_engine::report::render::{Format, render_to};
use vouch_engine::report::{Report, Status};
use vouch_engine::terminal::escape_line;
use vouch_lang::SeverityLevel;

use crate::evaluation::{EvalInputs, prepare};
use crate::exit::VouchExit;
use crate::policy_files::display_path;
use crate::render::{ErrorFormat, plain_error};

/// What makes `vouch evaluate` exit 1: a control whose status is in `statuses` and whose
/// severity is at least `threshold`; and, always, a policy with no controls or a run where
/// every control is `not_applicable` (nothing was judged, so nothing may ship on it).
#[derive(Debug, Clone, PartialEq, Eq)]
struct Gate {
    threshold: SeverityLevel,
    statuses: Vec<Status>,
}

impl Gate {
    /// From the `--fail-on` values and `--allow-manual`: severities set the threshold (the
    /// lowest given wins); `fail`, `error` and (unless `--allow-manual`) `manual` always
    /// count. `--fail-on manual` is the default, kept for existing pipelines; it contradicts
    /// `--allow-manual`.
    fn parse(values: &[String], allow_manual: bool) -> Result<Gate, String> {
        let mut gate = Gate {
            threshold: SeverityLevel::Info,
            statuses: vec![Status::Fail, Status::Error],
        };
        if !allow_manual {
            gate.statuses.push(Status::Manual);
        }
        let mut threshold: Option<SeverityLevel> = None;
        for v in values {
            if let Some(level) = SeverityLevel::from_name(v) {
                threshold = Some(threshold.map_or(level, |t| t.min(level)));
                continue;
            }
            match v.as_str() {
                "fail" | "error" => {}
                "manual" if allow_manual => {
                    return Err(
                        "`--fail-on manual` contradicts `--allow-manual`: give one or the other"
                            .to_owned(),
                    );
                }
                "manual" => {}
                other => {
                    return Err(format!(
                        "`--fail-on {other}` is not a severity (info, low, medium, high, critical) or a status (fail, error, manual)"
                    ));
                }
            }
        }
        gate.threshold = threshold.unwrap_or(SeverityLevel::Info);
        Ok(gate)
    }

    /// Why the report fails the gate, if it does.
    fn trips(&self, report: &Report) -> Option<String> {
        if report.controls.is_empty() {
            return Some("the policy has no controls: nothing was judged".to_owned());
        }
        if report
            .controls
            .iter()
            .all(|c| c.status == Status::NotApplicable)
        {
            return Some("every control is not_applicable: nothing was judged".to_owned());
        }
        let tripped: Vec<&str> = report
            .controls
            .iter()
            .filter(|c| {
                self.statuses.contains(&c.status)
                    && SeverityLevel::from_name(&c.severity).is_none_or(|s| s >= self.threshold)
            })
            .map(|c| c.status.as_str())
            .collect();
        if tripped.is_empty() {
            return None;
        }
        let mut counts: Vec<(&str, usize)> = Vec::new();
        for status in tripped {
            match counts.iter_mut().find(|(s, _)| *s == status) {
                Some((_, n)) => *n += 1,
                None => counts.push((status, 1)),
            }
        }
        counts.sort();
        let total: usize = counts.iter().map(|(_, n)| n).sum();
        let parts: Vec<String> = counts.iter().map(|(s, n)| format!("{n} {s}")).collect();
        let manual = if counts.iter().any(|(s, _)| *s == "manual") {
            "; unattested manual controls fail it unless `--allow-manual`"
        } else {
            ""
        };
        Some(format!(
            "{total} control{} fail the gate ({}){manual}",
            if total == 1 { "" } else { "s" },
            parts.join(", ")
        ))
    }
}

/// The exit code `vouch evaluate` gives `report` with its default gate (no `--fail-on`, no
/// `--allow-manual`): 1 when a control fails, errors or is manual, or nothing was judged.
pub(crate) fn default_exit_code(report: &Report) -> i32 {
    let gate = Gate {
        threshold: SeverityLevel::Info,
        statuses: vec![Status::Fail, Status::Error, Status::Manual],
    };
    i32::from(gate.trips(report).is_some())
}

/// What `vouch evaluate` does, as `vouch --help` and `vouch evaluate --help` say it.
pub const ABOUT: &str = "Evaluate a policy against an evidence bundle and write the report; exit 1 when a control fails";

/// Arguments of `vouch evaluate`.
#[derive(Debug, clap::Args)]
#[command(about = ABOUT)]
pub struct EvaluateArgs {
    #[command(flatten)]
    inputs: EvalInputs,
    /// Report format (repeatable with `--output-dir`): json, or another listed in `--help`.
    #[arg(long = "format", value_name = "FORMAT", help = format_help())]
    formats: Vec<String>,
    /// Write the report to this file instead of stdout.
    #[arg(long, short, value_name = "FILE", conflicts_with = "output_dir")]
    output: Option<PathBuf>,
    /// Write one `report.EXT` per format into this directory.
    #[arg(long, value_name = "DIR")]
    output_dir: Option<PathBuf>,
    /// What fails the gate (repeatable): a severity (exit 1 only for failing, erroring or
    /// unattested manual controls at or above it; default info); `manual` is accepted and is
    /// the default (see `--allow-manual`).
    #[arg(long, value_name = "SEVERITY|STATUS")]
    fail_on: Vec<String>,
    /// Unattested manual controls do not fail the gate (for teams that attest outside
    /// vouch); they stay `manual` in the report. A policy with no controls, or a run where
    /// every control is not_applicable, still exits 1.
    #[arg(long)]
    allow_manual: bool,
    /// Sign the report: a private key (PKCS#8 PEM Ed25519 or ECDSA P-256, as `openssl
    /// genpkey` writes it, or an unencrypted OpenSSH Ed25519 or ECDSA P-256 key). Needs
    /// `--attestation` and a report written to a file.
    #[arg(long, value_name = "KEY", requires = "attestation")]
    sign_key: Option<PathBuf>,
    /// Where to write the signed attestation: an in-toto statement about the report file(s)
    /// in a DSSE envelope (`vouch verify-report` checks it).
    #[arg(long, value_name = "FILE", requires = "sign_key")]
    attestation: Option<PathBuf>,
    /// Append the evaluation to this ledger (an SQLite file, created on first use, or a
    /// `postgres://` URL, whose ledger tables are created on first use): the
    /// report, its digests, the gate's verdict and the bundle's files, hash-chained to the
    /// entries before it (`vouch ledger verify`, `vouch history`).
    #[arg(long, value_name = "LEDGER")]
    record: Option<PathBuf>,
}

fn format_help() -> String {
    let names: Vec<&str> = Format::ALL.iter().map(|f| f.name()).collect();
    format!(
        "Report format, repeatable with --output-dir: {} (default json)",
        names.join(", ")
    )
}

/// Runs `vouch evaluate`: exit 0 when no control fails, errors or (without `--allow-manual`)
/// is unattested at or above `--fail-on`, 1 when one does or when nothing was judged (no
/// controls, or all not_applicable), 2 on a usage or input error.
pub fn run(args: EvaluateArgs) -> VouchExit {
    let error_format = args.inputs.error_format;
    let Some(formats) = formats(&args, error_format) else {
        return VouchExit::Error;
    };
    let gate = match Gate::parse(&args.fail_on, args.allow_manual) {
        Ok(gate) => gate,
        Err(message) => {
            plain_error(&message, error_format);
            return VouchExit::Error;
        }
    };
    if args.attestation.is_some() && args.output.is_none() && args.output_dir.is_none() {
        plain_error(
            "`--attestation` signs report files: write the report with `--output FILE` or `--output-dir DIR`",
            error_format,
        );
        return VouchExit::Error;
    }
    // Read the key before the evaluation, so a bad key costs nothing.
    let signing_key = match &args.sign_key {
        Some(path) => match read_signing_key(path) {
            Ok(key) => Some(key),
            Err(error) => {
                crate::render::engine_error(error, error_format);
                return VouchExit::Error;
            }
        },
        None => None,
    };
    let Some(prepared) = prepare(&args.inputs) else {
        return VouchExit::Error;
    };
    // The graph is not needed after: the evaluation takes its vulnerability evidence apart as
    // it builds the values, so a large bundle's is not held twice.
    let report = vouch_engine::evaluate_owned(&prepared.policy, prepared.graph, &prepared.options);
    let files = match write(&report, &formats, &args) {
        Ok(files) => files,
        Err(message) => {
            plain_error(&message, error_format);
            return VouchExit::Error;
        }
    };
    if let (Some(key), Some(path)) = (&signing_key, &args.attestation) {
        let statement = attest::statement(&report, &files);
        if let Err(e) = std::fs::write(path, attest::envelope(&statement, key)) {
            plain_error(
                &format!("cannot write `{}`: {e}", display_path(path)),
                error_format,
            );
            return VouchExit::Error;
        }
    }
    let tripped = gate.trips(&report);
    if let Some(ledger) = &args.record {
        let now = vouch_engine::eval::value::Timestamp::now();
        match crate::record::record(ledger, &report, &args.inputs.bundle, tripped.is_none(), now) {
            Ok(recorded) if error_format == ErrorFormat::Human => eprintln!(
                "recorded as entry {} of `{}` ({})",
                recorded.seq,
                vouch_ledger::postgres_url(ledger)
                    .map_or_else(|| display_path(ledger), vouch_ledger::redact_url),
                recorded.entry_hash
            ),
            Ok(_) => {}
            Err(message) => {
                plain_error(
                    &format!("the evaluation was not recorded: {message}"),
                    error_format,
                );
                return VouchExit::Error;
            }
        }
    }
    if error_format == ErrorFormat::Human {
        eprint!("{}", summary(&report));
        if let Some(why) = &tripped {
            eprintln!("  gate: {why}");
        }
    }
    let exit = if tripped.is_some() {
        VouchExit::Failure
    } else {
        VouchExit::Success
    };
    // The process ends next: freeing the report and the policy block by block only costs
    // time (1-2% of a small evaluation), where the system takes the whole heap back at once.
    std::mem::forget(report);
    std::mem::forget(prepared.policy);
    exit
}

fn formats(args: &EvaluateArgs, error_format: ErrorFormat) -> Option<Vec<Format>> {
    let mut out = Vec::new();
    for name in &args.formats {
        match Format::from_name(name) {
            Some(f) if !out.contains(&f) => out.push(f),
            Some(_) => {}
            None => {
                let known: Vec<&str> = Format::ALL.iter().map(|f| f.name()).collect();
                plain_error(
                    &format!(
                        "unknown report format `{name}` (known: {})",
                        known.join(", ")
                    ),
                    error_format,
                );
                return None;
            }
        }
    }
    if out.is_empty() {
        out.push(Format::Json);
    }
    if out.len() > 1 && args.output_dir.is_none() {
        plain_error(
            "several `--format`s need `--output-dir DIR` (one `report.EXT` each)",
            error_format,
        );
        return None;
    }
    Some(out)
}

/// Reads `--sign-key`.
fn read_signing_key(path: &Path) -> Result<attest::SigningKey, attest::AttestError> {
    let name = display_path(path);
    let bytes =
        read_input_file(path, MAX_INPUT_FILE).map_err(|e| attest::AttestError::BadSigningKey {
            path: name.clone(),
            reason: e.reason(),
        })?;
    attest::SigningKey::from_bytes(&name, &bytes)
}

/// Writes the report in each format; returns the files written (none for stdout), each
/// with its name and sha256 for the attestation.
fn write(
    report: &Report,
    formats: &[Format],
    args: &EvaluateArgs,
) -> Result<Vec<attest::ReportFile>, String> {
    // Streamed to the file and hashed on the way: a report of 100,000 findings is tens of MB.
    let write_file = |path: &Path, format: Format| {
        let written = std::fs::File::create(path).and_then(|file| {
            // Buffered before the hash: the renderers write many small pieces.
            let mut out = std::io::BufWriter::new(Sha256Writer::new(file));
            render_to(report, format, &mut out)?;
            let (sha256, _file) = out.into_inner().map_err(|e| e.into_error())?.finish();
            Ok(sha256)
        });
        let sha256 = written.map_err(|e| {
            // No half-written report is left for a later step to read.
            let _ = std::fs::remove_file(path);
            format!("cannot write `{}`: {e}", display_path(path))
        })?;
        Ok::<_, String>(attest::ReportFile {
            name: vouch_engine::report::input_name(&display_path(path)),
            format: format.name().to_owned(),
            sha256: sha256.to_hex(),
        })
    };
    if let Some(dir) = &args.output_dir {
        std::fs::create_dir_all(dir)
            .map_err(|e| format!("cannot create `{}`: {e}", display_path(dir)))?;
        let mut files = Vec::new();
        for f in formats {
            files.push(write_file(
                &dir.join(format!("report.{}", f.extension())),
                *f,
            )?);
        }
        return Ok(files);
    }
    let format = formats.first().copied().unwrap_or(Format::Json);
    match &args.output {
        Some(path) => Ok(vec![write_file(path, format)?]),
        None => {
            let mut stdout = std::io::BufWriter::new(std::io::stdout().lock());
            render_to(report, format, &mut stdout)
                .and_then(|()| stdout.flush())
                .map_err(|e| format!("cannot write the report to stdout: {e}"))?;
            Ok(Vec::new())
        }
    }
}

/// How many open findings of a failing control the summary lists, with their fingerprints.
const SHOWN_FINDINGS: usize = 5;

/// The short human summary printed on stderr.
fn summary(report: &Report) -> String {
    let s = &report.summary;
    let mut out = format!(
        "{} controls of `{}` as of {}: {} pass, {} fail, {} waived, {} manual, {} not applicable, {} error\n",
        s.total,
        escape_line(&report.policy.name),
        report.as_of,
        s.pass,
        s.fail,
        s.waived,
        s.manual,
        s.not_applicable,
        s.error
    );
    for c in &report.controls {
        let shown = match c.status {
            Status::Fail => {
                let open = c.findings.iter().filter(|f| f.waived_by.is_none()).count();
                let more = if c.findings_omitted > 0 {
                    format!(" listed, {} more not listed", c.findings_omitted)
                } else {
                    String::new()
                };
                format!("{} finding{}{more}", open, if open == 1 { "" } else { "s" })
            }
            Status::Error | Status::Manual => c.reason.clone().unwrap_or_default(),
            _ => continue,
        };
        out.push_str(&format!(
            "  {} {} ({}): {}\n",
            c.status.as_str(),
            escape_line(&c.id),
            escape_line(&c.severity),
            escape_line(&shown)
        ));
        // Each open finding's fingerprint, the name a waiver gives it.
        let open: Vec<_> = c
            .findings
            .iter()
            .filter(|f| f.waived_by.is_none())
            .collect();
        for f in open.iter().take(SHOWN_FINDINGS) {
            out.push_str(&format!(
                "    {} {}\n",
                escape_line(&f.fingerprint),
                escape_line(&f.message)
            ));
        }
        if open.len() > SHOWN_FINDINGS {
            out.push_str(&format!(
                "    ... {} more (see the report)\n",
                open.len() - SHOWN_FINDINGS
            ));
        }
    }
    for w in &report.waivers {
        if let Some(reason) = &w.reason {
            out.push_str(&format!(
                "  waiver {} ({}): {}\n",
                escape_line(&w.id),
                escape_line(&w.state),
                escape_line(reason)
            ));
        }
    }
    if !report.bundle.findings.is_empty() {
        out.push_str(&format!(
            "  the bundle has {} ingestion finding{} (see `bundle.findings` in the report)\n",
            report.bundle.findings.len(),
            if report.bundle.findings.len() == 1 {
                ""
            } else {
                "s"
            }
        ));
    }
    out
}
