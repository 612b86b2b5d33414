//! `vouch verify-report`: check a signed report months later. The attestation's signature
//! with the signer's public key, the report's sha256 against the statement's subjects, then
//! (with `--policy` and `--bundle`) the evaluation re-run at the report's `as_of` on the
//! inputs given, its report compared byte for byte; every difference is named. Without
//! `--bundle`, the `--trust`, `--waivers` and `--authority` files given are compared by
//! sha256 with those the attestation records, and the output says what was not compared.

mod diff;
mod given;

use std::path::{Path, PathBuf};

use vouch_engine::digest::Sha256Digest;
use vouch_engine::input_file::{MAX_INPUT_FILE, read_input_file};
use vouch_engine::report::attest::{self, AttestError, ReportFile, at};
use vouch_engine::report::render::{Format, render_to};
use vouch_engine::report::{Report, input_name};
use vouch_engine::terminal::escape_line;

use crate::evaluation::{EvalInputs, prepare};
use crate::exit::VouchExit;
use crate::policy_files::display_path;
use crate::render::{ErrorFormat, engine_error, plain_error};

/// What `vouch verify-report` does, as `vouch --help` and `vouch verify-report --help` say it.
pub const ABOUT: &str = "Verify a signed report: the attestation's signature, the report's digest, and (with --policy and --bundle) a re-evaluation byte for byte; exit 1 naming each difference";

/// Arguments of `vouch verify-report`.
#[derive(Debug, clap::Args)]
#[command(about = ABOUT)]
pub struct VerifyReportArgs {
    /// The report file (any format `vouch evaluate` wrote and signed).
    #[arg(value_name = "REPORT")]
    report: PathBuf,
    /// The attestation `vouch evaluate --attestation` wrote (a DSSE envelope).
    #[arg(long, value_name = "FILE")]
    attestation: PathBuf,
    /// The public key that must have signed it: PEM (`openssl pkey -pubout`) or an OpenSSH
    /// public key (`KEY.pub`).
    #[arg(long, value_name = "PUBKEY")]
    signer: PathBuf,
    /// The policy evaluated (re-run it: needs `--bundle`).
    #[arg(long, value_name = "FILE|DIR", requires = "bundle")]
    policy: Option<PathBuf>,
    /// The evidence bundle evaluated. Without it the signature, the report's digest and the
    /// digests of any `--trust`, `--waivers` and `--authority` files given are checked, and
    /// the output says what was not.
    #[arg(long, value_name = "DIR", requires = "policy")]
    bundle: Option<PathBuf>,
    /// A trusted key or keyring given to the evaluation (repeatable).
    #[arg(long = "trust", value_name = "PATH")]
    trust: Vec<PathBuf>,
    /// A waivers file given to the evaluation (repeatable).
    #[arg(long = "waivers", value_name = "FILE")]
    waivers: Vec<PathBuf>,
    /// Extra framework definitions given to the evaluation.
    #[arg(long = "framework", value_name = "FILE")]
    frameworks: Vec<PathBuf>,
    /// The authority policy and its entities given to the evaluation.
    #[command(flatten)]
    authority: crate::authority_files::AuthorityArgs,
    /// Threads for hashing and evaluation.
    #[arg(long, short, value_name = "N")]
    jobs: Option<usize>,
    /// `--max-steps` of the evaluation, if it was given one.
    #[arg(long, value_name = "N")]
    max_steps: Option<String>,
    /// `--max-bytes` of the evaluation, if it was given one.
    #[arg(long, value_name = "SIZE")]
    max_bytes: Option<String>,
    /// How to print diagnostics.
    #[arg(long, value_enum, default_value_t)]
    error_format: ErrorFormat,
}

/// Runs `vouch verify-report`: exit 0 when the signature, the report's digest and (with
/// `--bundle`) the re-evaluation all match, 1 when anything differs (each difference is
/// printed), 2 on a usage or input error.
pub fn run(args: VerifyReportArgs) -> VouchExit {
    let format = args.error_format;
    let read = |path: &Path| {
        read_input_file(path, MAX_INPUT_FILE).map_err(|e| {
            plain_error(
                &format!("cannot read `{}`: {}", display_path(path), e.reason()),
                format,
            );
        })
    };
    let (Ok(signer), Ok(envelope), Ok(report_bytes)) = (
        read(&args.signer),
        read(&args.attestation),
        read(&args.report),
    ) else {
        return VouchExit::Error;
    };
    let signer = match attest::verifying_key(&display_path(&args.signer), &signer) {
        Ok(key) => key,
        Err(e) => {
            engine_error(e, format);
            return VouchExit::Error;
        }
    };
    let mut out = Output::default();
    let opened = match attest::open(&display_path(&args.attestation), &envelope, &signer) {
        Ok(opened) => opened,
        Err(e @ AttestError::BadEnvelope { .. }) => {
            out.differ(e.to_string());
            return out.finish();
        }
        Err(e) => {
            engine_error(e, format);
            return VouchExit::Error;
        }
    };
    out.ok(format!(
        "the attestation's signature verifies with the signer's key {}",
        opened.key_id
    ));
    let report_sha = Sha256Digest::of(&report_bytes).to_hex();
    let Some(subject) = opened.subject_with(&report_sha).map(str::to_owned) else {
        out.differ(format!(
            "the report `{}` (sha256 {report_sha}) is not a subject of the attestation: it was changed after signing, or it is another report",
            display_path(&args.report)
        ));
        return out.finish();
    };
    out.ok(format!(
        "the report's sha256 {report_sha} is the attestation's subject `{}`",
        escape_line(&subject)
    ));
    let predicate = opened.predicate();
    let (Some(policy), Some(bundle)) = (&args.policy, &args.bundle) else {
        if given::compare(&args, predicate, &mut out).is_none() {
            return VouchExit::Error;
        }
        return out.finish();
    };
    let Some(as_of) = at(predicate, "as_of").as_str() else {
        out.differ("the attestation records no `as_of`".to_owned());
        return out.finish();
    };
    let report_format = opened
        .format_of(&subject)
        .and_then(Format::from_name)
        .unwrap_or(Format::Json);
    let inputs = EvalInputs {
        policy: policy.clone(),
        bundle: bundle.clone(),
        trust: args.trust.clone(),
        waivers: args.waivers.clone(),
        as_of: Some(as_of.to_owned()),
        frameworks: args.frameworks.clone(),
        jobs: args.jobs,
        cache_dir: None,
        max_steps: args.max_steps.clone(),
        max_bytes: args.max_bytes.clone(),
        error_format: format,
        lints: crate::lint_args::LintArgs::default(),
        authority: args.authority.clone(),
    };
    let Some(prepared) = prepare(&inputs) else {
        return VouchExit::Error;
    };
    let again = vouch_engine::evaluate(&prepared.policy, &prepared.graph, &prepared.options);
    let mut rendered = Vec::new();
    if let Err(e) = render_to(&again, report_format, &mut rendered) {
        plain_error(&format!("cannot render the report: {e}"), format);
        return VouchExit::Error;
    }
    compare(
        &mut out,
        predicate,
        &again,
        &subject,
        report_format,
        &report_bytes,
        &rendered,
    );
    out.finish()
}

/// Compares the re-evaluation with what was signed: the recorded input digests, then (for
/// a JSON report) every control's status and findings, then the bytes.
fn compare(
    out: &mut Output,
    predicate: &serde_json::Value,
    again: &Report,
    subject: &str,
    format: Format,
    signed: &[u8],
    rendered: &[u8],
) {
    let files = [ReportFile {
        name: input_name(subject),
        format: format.name().to_owned(),
        sha256: String::new(),
    }];
    let now = attest::predicate(again, &files);
    let before = out.differences.len();
    diff::inputs(predicate, &now, &mut out.differences);
    if format == Format::Json {
        match serde_json::from_slice::<serde_json::Value>(signed) {
            Ok(old) => diff::controls(&old, again, &mut out.differences),
            Err(e) => out.differ(format!("the report is not JSON: {e}")),
        }
    } else {
        out.note(format!(
            "the report is {}, which is not parsed back: compared are the input digests the attestation records (tool version, policy, sources, framework, bundle digest and file count, release, trust, waivers, authority, summary) and the report's bytes; bundle files, control statuses and findings are not compared one by one (a change in them shows only as a byte difference)",
            format.name()
        ));
    }
    if signed == rendered {
        out.ok(format!(
            "re-evaluated at {}: the report is byte for byte the same",
            again.as_of
        ));
    } else if out.differences.len() == before {
        out.differ(format!(
            "re-evaluated at {}, the report differs from the signed one, though no recorded input digest or control result changed (another vouch version renders it differently?)",
            again.as_of
        ));
    } else {
        out.differ(format!(
            "re-evaluated at {}, the report differs from the signed one",
            again.as_of
        ));
    }
}

/// What verify-report prints: what held, then what differs.
#[derive(Debug, Default)]
struct Output {
    differences: Vec<String>,
}

impl Output {
    fn ok(&mut self, line: String) {
        println!("ok: {}", escape_line(&line));
    }

    fn note(&mut self, line: String) {
        println!("note: {}", escape_line(&line));
    }

    fn differ(&mut self, line: String) {
        self.differences.push(line);
    }

    fn finish(self) -> VouchExit {
        for d in &self.differences {
            println!("DIFFERS: {}", escape_line(d));
        }
        if self.differences.is_empty() {
            println!("verified");
            VouchExit::Success
        } else {
            println!(
                "NOT verified: {} difference{}",
                self.differences.len(),
                if self.differences.len() == 1 { "" } else { "s" }
            );
            VouchExit::Failure
        }
    }
}
