//! `vouch graph`: the evidence graph of a bundle, as JSON, Graphviz dot or Mermaid.

use std::io::Write as _;
use std::path::PathBuf;

use vouch_engine::graph::render;
use vouch_engine::{Finding, IngestOptions, TerminalProgress};

use crate::exit::VouchExit;

/// Output formats of `vouch graph`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum GraphFormat {
    /// The graph as data (schema `vouch-evidence-graph/2`).
    Json,
    /// Graphviz dot (`dot -Tsvg`).
    Dot,
    /// A Mermaid flowchart.
    Mermaid,
}

/// What `vouch graph` does, as `vouch --help` and `vouch graph --help` say it.
pub const ABOUT: &str = "Show the evidence graph of a bundle as JSON, Graphviz dot or Mermaid";

/// Arguments of `vouch graph`.
#[derive(Debug, clap::Args)]
#[command(about = ABOUT)]
pub struct GraphArgs {
    /// The evidence bundle directory.
    #[arg(long)]
    bundle: PathBuf,
    /// Output format.
    #[arg(long, value_enum, default_value = "json")]
    format: GraphFormat,
    /// Write to this file instead of stdout.
    #[arg(long, short)]
    output: Option<PathBuf>,
    /// Hashing threads (default: one per core; at most 256, a larger number is lowered to
    /// 256 with a warning).
    #[arg(long, short)]
    jobs: Option<usize>,
    /// A trusted key or keyring (repeatable), to verify signatures against.
    #[arg(long = "trust", value_name = "PATH")]
    trust: Vec<PathBuf>,
    /// The instant keys must be valid at: a date or an RFC 3339 date-time. Default: now.
    #[arg(long, value_name = "DATE|DATETIME")]
    as_of: Option<String>,
    /// Reuse the digests of unchanged bundle files from this directory (as `vouch evaluate
    /// --cache-dir`); the graph is the same with or without it.
    #[arg(long, value_name = "DIR")]
    cache_dir: Option<PathBuf>,
}

/// Runs `vouch graph`: exit 0 with the graph (ingestion findings are part of it and are
/// also listed on stderr), 2 when the bundle cannot be read or the output not written.
pub fn run(args: GraphArgs) -> VouchExit {
    let as_of = match &args.as_of {
        Some(text) => match crate::evaluation::parse_as_of(text) {
            Some(t) => t,
            None => {
                eprintln!("error: `--as-of {text}` is not a date or a date-time with offset");
                return VouchExit::Error;
            }
        },
        // `vouch graph` reads the clock here, as `vouch evaluate` does.
        None => vouch_engine::eval::value::Timestamp::now(),
    };
    let Some(trust) = crate::evaluation::load_trust(&args.trust, crate::render::ErrorFormat::Human)
    else {
        return VouchExit::Error;
    };
    let bar = TerminalProgress::stderr();
    let progress = crate::evaluation::shown(&bar);
    let options = IngestOptions {
        threads: crate::evaluation::capped_jobs(args.jobs, crate::render::ErrorFormat::Human),
        trust: std::sync::Arc::new(trust),
        as_of: Some(as_of),
    };
    let ingested = match &args.cache_dir {
        None => vouch_engine::ingest(&args.bundle, &options, progress),
        Some(dir) => crate::cache_dir::ingest_cached(
            &args.bundle,
            &options,
            dir,
            progress,
            crate::render::ErrorFormat::Human,
        ),
    };
    let graph = match ingested {
        Ok(graph) => graph,
        Err(error) => {
            eprintln!("{:?}", miette::Report::new(error));
            return VouchExit::Error;
        }
    };
    for finding in graph.findings() {
        eprintln!("{}", one_line(finding));
    }
    let text = match args.format {
        GraphFormat::Json => render::json(&graph),
        GraphFormat::Dot => render::dot(&graph),
        GraphFormat::Mermaid => render::mermaid(&graph),
    };
    let written = match &args.output {
        Some(path) => std::fs::write(path, text.as_bytes()),
        None => {
            let mut stdout = std::io::stdout().lock();
            stdout
                .write_all(text.as_bytes())
                .and_then(|()| stdout.flush())
        }
    };
    match written {
        Ok(()) => VouchExit::Success,
        Err(error) => {
            let target = args
                .output
                .as_ref()
                .map_or_else(|| "stdout".to_owned(), |p| format!("`{}`", p.display()));
            eprintln!("error: cannot write the graph to {target}: {error}");
            VouchExit::Error
        }
    }
}

/// `warning[code]: path:line:column: message (help)`, on one line whatever the file name
/// holds (control characters escaped).
fn one_line(finding: &Finding) -> String {
    let mut place = finding.path.clone().unwrap_or_else(|| ".".to_owned());
    if let Some(line) = finding.line {
        place.push_str(&format!(":{line}"));
        if let Some(column) = finding.column {
            place.push_str(&format!(":{column}"));
        }
    }
    let help = finding
        .help
        .as_deref()
        .map(|h| format!(" (help: {h})"))
        .unwrap_or_default();
    let text = format!(
        "{}[{}]: {place}: {}{help}",
        finding.severity.as_str(),
        finding.code,
        finding.message
    );
    vouch_engine::terminal::escape_line(&text).into_owned()
}
