//! `vouch std`: list the standard modules and frameworks embedded in this vouch, or print one,
//! so that an auditor can read the exact text a report's `std.NAME` digest covers.

use std::io::Write as _;

use crate::exit::VouchExit;

/// What `vouch std` does, as `vouch --help` and `vouch std --help` say it.
pub const ABOUT: &str = "List the standard modules and frameworks built into vouch, or print one";

/// Arguments of `vouch std`.
#[derive(Debug, clap::Args)]
#[command(about = ABOUT)]
pub struct StdArgs {
    /// A module (`std.uk_sscop` or `uk_sscop`) or framework (`uk-sscop`) to print; without
    /// one, list them all with their sha256.
    name: Option<String>,
}

/// Runs `vouch std`: exit 0 after listing or printing, 2 when nothing has the name.
pub fn run(args: StdArgs) -> VouchExit {
    let mut out = std::io::stdout().lock();
    let Some(name) = args.name else {
        let modules = vouch_stdlib::MODULES
            .iter()
            .map(|m| (format!("std.{}", m.name), "module   ", m.source, m.path));
        let frameworks = vouch_stdlib::FRAMEWORKS
            .iter()
            .map(|f| (f.id.to_string(), "framework", f.source, f.path));
        let listing: String = modules
            .chain(frameworks)
            .map(|(name, kind, source, path)| {
                format!("{name}  {kind}  {}  {path}\n", sha256(source))
            })
            .collect();
        return written(out.write_all(listing.as_bytes()));
    };
    let module = name.strip_prefix("std.").unwrap_or(&name);
    let text = vouch_stdlib::module(module)
        .map(|m| m.source)
        .or_else(|| vouch_stdlib::framework(&name).map(|f| f.source));
    match text {
        Some(text) => written(out.write_all(text.as_bytes())),
        None => {
            eprintln!(
                "error: no standard module or framework is named `{name}`; `vouch std` lists them"
            );
            VouchExit::Error
        }
    }
}

fn sha256(text: &str) -> String {
    vouch_engine::Sha256Digest::of(text.as_bytes()).to_hex()
}

fn written(result: std::io::Result<()>) -> VouchExit {
    match result {
        Ok(()) => VouchExit::Success,
        // A closed pipe (`vouch std | head`) is not an error of vouch's.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => VouchExit::Success,
        Err(e) => {
            eprintln!("error: cannot write to standard output: {e}");
            VouchExit::Error
        }
    }
}
