//! `vouch check --waivers FILE`: lint waivers files without a bundle. Each file must parse
//! (the same rules as `vouch evaluate --waivers`); each waiver must name a control of the
//! policies checked with it (with a "did you mean"), and be in force at `--as-of` (default:
//! today): an expired waiver is an error, one not yet effective a warning. Signatures are not
//! checked here: that needs the trust inputs, and `vouch evaluate` does it.

use std::path::PathBuf;

use vouch_engine::eval::value::{Timestamp, utc_date};
use vouch_engine::input_file::{MAX_INPUT_FILE, read_input_file};
use vouch_engine::terminal::escape_line;
use vouch_engine::waivers::{WaiverState, parse_waivers};

use crate::evaluation::{parse_as_of, print_findings};
use crate::policy_files::{display_path, input_diagnostic};
use crate::render::{self, ErrorFormat};

/// Errors and warnings found in the waivers files.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Counts {
    /// Errors (exit 2).
    pub errors: usize,
    /// Warnings.
    pub warnings: usize,
}

/// Lints `files` against the control ids of the checked policies (`None`: no policy was
/// given, so ids are not checked) at `as_of` (a date or date-time; `None`: now). An invalid
/// `--as-of` is an error.
pub fn lint(
    files: &[PathBuf],
    controls: Option<&[String]>,
    as_of: Option<&str>,
    format: ErrorFormat,
) -> Counts {
    let mut n = Counts::default();
    let instant = match as_of {
        Some(text) => match parse_as_of(text) {
            Some(t) => t,
            None => {
                render::plain_error(
                    &format!(
                        "`--as-of {text}` is not a date (2026-10-01) or a date-time with offset (2026-10-01T12:00:00Z)"
                    ),
                    format,
                );
                n.errors += 1;
                return n;
            }
        },
        // `vouch check` is the CLI: it may read the clock.
        None => Timestamp::now(),
    };
    let day = utc_date(instant);
    for path in files {
        let name = display_path(path);
        let text = match read_input_file(path, MAX_INPUT_FILE).map(String::from_utf8) {
            Ok(Ok(text)) => text,
            Ok(Err(_)) => {
                render::plain_error(&format!("`{name}` is not UTF-8 text"), format);
                n.errors += 1;
                continue;
            }
            Err(e) => {
                render::print(&[input_diagnostic(path, &e)], format);
                n.errors += 1;
                continue;
            }
        };
        let waivers = match parse_waivers(&name, &text) {
            Ok((waivers, warnings)) => {
                print_findings(&warnings, format);
                n.warnings += warnings.len();
                waivers
            }
            Err(errors) => {
                print_findings(&errors, format);
                n.errors += errors.len();
                continue;
            }
        };
        for w in &waivers {
            let place = format!("{name}:{}", w.line);
            if let Some(ids) = controls
                && !ids.contains(&w.control)
            {
                let help = match crate::cmd::test::spec::did_you_mean(
                    &w.control,
                    ids.iter().map(String::as_str),
                ) {
                    Some(s) => format!("did you mean `{s}`?"),
                    None => "a waiver names a control of the policy it is used with".to_owned(),
                };
                report(
                    format,
                    "error",
                    "vouch::waiver::unknown-control",
                    &place,
                    &format!(
                        "waiver `{}` names control `{}`, which the policy does not have",
                        w.id, w.control
                    ),
                    &help,
                );
                n.errors += 1;
            }
            match w.in_force(day) {
                Ok(()) => {}
                Err(WaiverState::Expired) => {
                    report(
                        format,
                        "error",
                        "vouch::waiver::expired",
                        &place,
                        &format!("waiver `{}` expired on {} (as of {day})", w.id, w.expires),
                        "renew it with a new `expires` and a fresh signature, or remove it",
                    );
                    n.errors += 1;
                }
                Err(_) => {
                    report(
                        format,
                        "warning",
                        "vouch::waiver::not-yet-effective",
                        &place,
                        &format!(
                            "waiver `{}` is not in force until {} (as of {day})",
                            w.id, w.effective
                        ),
                        "it waives nothing before its `effective` date",
                    );
                    n.warnings += 1;
                }
            }
        }
    }
    n
}

fn report(format: ErrorFormat, severity: &str, code: &str, place: &str, message: &str, help: &str) {
    match format {
        ErrorFormat::Human => eprintln!(
            "{severity}[{code}]: {}: {}\n  help: {}",
            escape_line(place),
            escape_line(message),
            escape_line(help)
        ),
        ErrorFormat::Json => eprintln!(
            "{}",
            serde_json::json!({
                "code": code,
                "severity": severity,
                "message": message,
                "help": help,
                "file": place.rsplit_once(':').map(|(f, _)| f),
                "line": place.rsplit_once(':').and_then(|(_, l)| l.parse::<u64>().ok()),
            })
        ),
    }
}
