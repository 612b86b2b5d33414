//! `vouch ledger verify`: check a ledger's hash chain, and with `--trust` its signed head;
//! `vouch ledger sign`: sign the chain head.

use std::path::{Path, PathBuf};

use vouch_engine::input_file::{MAX_INPUT_FILE, read_input_file};
use vouch_engine::report::attest::{AttestError, SigningKey, verifying_key};
use vouch_engine::terminal::escape_line;
use vouch_ledger::{ChainHead, Ledger, Verdict, chain_head, entry_hash_at, verify};

use crate::exit::VouchExit;
use crate::policy_files::display_path;
use crate::render::{ErrorFormat, engine_error, plain_error};

/// What `vouch ledger` does, as `vouch --help` and `vouch ledger --help` say it.
pub const ABOUT: &str = "Check a ledger of recorded evaluations (`vouch ledger verify LEDGER`): exit 0 intact, 1 naming the first broken entry, 2 on a usage error";

/// Arguments of `vouch ledger`.
#[derive(Debug, clap::Args)]
#[command(about = ABOUT)]
pub struct LedgerArgs {
    #[command(subcommand)]
    command: LedgerCommand,
}

#[derive(Debug, clap::Subcommand)]
enum LedgerCommand {
    /// Check every entry of the ledger: exit 0 intact, 1 naming the first broken entry
    /// (edited, inserted, reordered or deleted) or a signed head that does not hold, 2 when
    /// the file cannot be read as a ledger.
    Verify(VerifyArgs),
    /// Create the ledger's schema, or upgrade it to this vouch's version, and say which
    /// version it has: for a PostgreSQL ledger, run once by a role that may create tables,
    /// so that recording roles need only write rows.
    Init(InitArgs),
    /// Sign the chain head (ledger id, entry count, last hash) in a DSSE envelope, written to
    /// `LEDGER.head.json` (or `--output`); the chain is verified first.
    Sign(SignArgs),
}

/// Arguments of `vouch ledger init`.
#[derive(Debug, clap::Args)]
struct InitArgs {
    /// The ledger: an SQLite file or a `postgres://` URL.
    #[arg(value_name = "LEDGER")]
    ledger: PathBuf,
    /// How errors are printed.
    #[arg(long, value_enum, default_value_t = ErrorFormat::Human)]
    error_format: ErrorFormat,
}

/// Arguments of `vouch ledger verify`.
#[derive(Debug, clap::Args)]
struct VerifyArgs {
    /// The ledger (`vouch evaluate --record` wrote it): an SQLite file or a `postgres://`
    /// URL.
    #[arg(value_name = "LEDGER")]
    ledger: PathBuf,
    /// Check the signed head too, with this public key (PEM SubjectPublicKeyInfo or an
    /// OpenSSH public key line, Ed25519 or ECDSA P-256).
    #[arg(long, value_name = "PUB")]
    trust: Option<PathBuf>,
    /// The signed head to check (default `LEDGER.head.json`).
    #[arg(long, value_name = "FILE", requires = "trust")]
    signed_head: Option<PathBuf>,
    /// How errors are printed.
    #[arg(long, value_enum, default_value_t = ErrorFormat::Human)]
    error_format: ErrorFormat,
}

/// Arguments of `vouch ledger sign`.
#[derive(Debug, clap::Args)]
struct SignArgs {
    /// The ledger file.
    #[arg(value_name = "LEDGER")]
    ledger: PathBuf,
    /// The private key (PKCS#8 PEM Ed25519 or ECDSA P-256, or an unencrypted OpenSSH
    /// Ed25519 or ECDSA P-256 key), as for signed reports.
    #[arg(long, value_name = "KEY")]
    sign_key: PathBuf,
    /// Where to write the signed head (default `LEDGER.head.json`).
    #[arg(long, short, value_name = "FILE")]
    output: Option<PathBuf>,
    /// How errors are printed.
    #[arg(long, value_enum, default_value_t = ErrorFormat::Human)]
    error_format: ErrorFormat,
}

/// Runs `vouch ledger`.
pub fn run(args: LedgerArgs) -> VouchExit {
    match args.command {
        LedgerCommand::Verify(args) => run_verify(&args),
        LedgerCommand::Init(args) => run_init(&args),
        LedgerCommand::Sign(args) => run_sign(&args),
    }
}

fn run_init(args: &InitArgs) -> VouchExit {
    match Ledger::create_or_open(&args.ledger) {
        Ok(l) => {
            println!(
                "ledger `{}` ready: schema version {}",
                escape_line(l.path()),
                vouch_ledger::MIGRATIONS.len()
            );
            VouchExit::Success
        }
        Err(e) => {
            engine_error(e, args.error_format);
            VouchExit::Error
        }
    }
}

/// `LEDGER.head.json`, the signed head's default place.
fn default_head(ledger: &Path) -> PathBuf {
    let mut name = ledger.as_os_str().to_owned();
    name.push(".head.json");
    PathBuf::from(name)
}

fn run_verify(args: &VerifyArgs) -> VouchExit {
    let opened = Ledger::open_existing(&args.ledger);
    let ledger = match opened {
        Ok(l) => l,
        Err(e) => {
            engine_error(e, args.error_format);
            return VouchExit::Error;
        }
    };
    let (entries, head) = match verify(&ledger) {
        Ok(Verdict::Intact { entries, head }) => {
            println!("ledger intact: {entries} entries, head {head}");
            (entries, head)
        }
        Ok(Verdict::Broken { seq, reason }) => {
            println!("ledger broken at entry {seq}: {}", escape_line(&reason));
            return VouchExit::Failure;
        }
        Err(e) => {
            engine_error(e, args.error_format);
            return VouchExit::Error;
        }
    };
    let Some(trust) = &args.trust else {
        return VouchExit::Success;
    };
    let signer = match read_input_file(trust, MAX_INPUT_FILE)
        .map_err(|e| AttestError::BadSigner {
            path: display_path(trust),
            reason: e.reason(),
        })
        .and_then(|bytes| verifying_key(&display_path(trust), &bytes))
    {
        Ok(key) => key,
        Err(e) => {
            engine_error(e, args.error_format);
            return VouchExit::Error;
        }
    };
    let file = args
        .signed_head
        .clone()
        .unwrap_or_else(|| default_head(&args.ledger));
    let name = display_path(&file);
    let bytes = match read_input_file(&file, MAX_INPUT_FILE) {
        Ok(bytes) => bytes,
        Err(e) => {
            println!(
                "signed head not verified: cannot read `{}`: {} (sign it with `vouch ledger sign`)",
                escape_line(&name),
                escape_line(&e.reason())
            );
            return VouchExit::Failure;
        }
    };
    let signed = match crate::ledger_head::open(&bytes, &signer) {
        Ok(h) => h,
        Err(why) => {
            println!(
                "signed head not verified: `{}`: {}",
                escape_line(&name),
                escape_line(&why)
            );
            return VouchExit::Failure;
        }
    };
    match compare(&ledger, &signed, entries, &head) {
        Ok(Ok(message)) => {
            println!("signed head verified (key {}): {message}", signer.key_id());
            VouchExit::Success
        }
        Ok(Err(why)) => {
            println!("signed head does not hold: {}", escape_line(&why));
            VouchExit::Failure
        }
        Err(e) => {
            engine_error(e, args.error_format);
            VouchExit::Error
        }
    }
}

/// Whether the intact chain (`entries`, last hash `head`) is the signed head or extends it.
fn compare(
    ledger: &Ledger,
    signed: &ChainHead,
    entries: i64,
    head: &str,
) -> Result<Result<String, String>, vouch_ledger::LedgerError> {
    let id = entry_hash_at(ledger, 1)?;
    if id.as_deref() != Some(signed.ledger_id.as_str()) {
        return Ok(Err(format!(
            "it was signed for the ledger {}, and this ledger's id (its first entry's hash) is {}",
            signed.ledger_id,
            id.as_deref().unwrap_or("none (it is empty)")
        )));
    }
    if signed.entries > entries {
        return Ok(Err(format!(
            "it covers {} entries and the ledger has {entries}: entries were removed since it was signed",
            signed.entries
        )));
    }
    if signed.entries == entries {
        return Ok(if signed.head == head {
            Ok(format!("it is the current head ({entries} entries)"))
        } else {
            Err(format!(
                "it names {} as entry {entries} and the ledger has {head}: the chain was rewritten",
                signed.head
            ))
        });
    }
    let at = entry_hash_at(ledger, signed.entries)?;
    Ok(if at.as_deref() == Some(signed.head.as_str()) {
        Ok(format!(
            "the chain extends it: entries 1-{} are signed, {}-{entries} were recorded after it",
            signed.entries,
            signed.entries + 1
        ))
    } else {
        Err(format!(
            "it names {} as entry {} and the ledger has {}: the chain was rewritten",
            signed.head,
            signed.entries,
            at.as_deref().unwrap_or("none")
        ))
    })
}

fn run_sign(args: &SignArgs) -> VouchExit {
    let format = args.error_format;
    let key_name = display_path(&args.sign_key);
    let key = match read_input_file(&args.sign_key, MAX_INPUT_FILE)
        .map_err(|e| AttestError::BadSigningKey {
            path: key_name.clone(),
            reason: e.reason(),
        })
        .and_then(|bytes| SigningKey::from_bytes(&key_name, &bytes))
    {
        Ok(key) => key,
        Err(e) => {
            engine_error(e, format);
            return VouchExit::Error;
        }
    };
    let ledger = match Ledger::open_existing(&args.ledger) {
        Ok(l) => l,
        Err(e) => {
            engine_error(e, format);
            return VouchExit::Error;
        }
    };
    let head = match verify(&ledger) {
        Ok(Verdict::Intact { entries, head }) => chain_head(&ledger, entries, &head),
        Ok(Verdict::Broken { seq, reason }) => {
            plain_error(
                &format!(
                    "the ledger is broken at entry {seq}: {}; its head is not signed",
                    escape_line(&reason)
                ),
                format,
            );
            return VouchExit::Failure;
        }
        Err(e) => {
            engine_error(e, format);
            return VouchExit::Error;
        }
    };
    let head = match head {
        Ok(Some(head)) => head,
        Ok(None) => {
            plain_error("the ledger is empty: there is no head to sign", format);
            return VouchExit::Error;
        }
        Err(e) => {
            engine_error(e, format);
            return VouchExit::Error;
        }
    };
    let out = args
        .output
        .clone()
        .unwrap_or_else(|| default_head(&args.ledger));
    if let Err(e) = std::fs::write(&out, crate::ledger_head::sign(&head, &key)) {
        plain_error(
            &format!("cannot write `{}`: {e}", display_path(&out)),
            format,
        );
        return VouchExit::Error;
    }
    eprintln!(
        "signed the head of `{}` ({} entries, {}) with key {} into `{}`",
        display_path(&args.ledger),
        head.entries,
        head.head,
        key.key_id(),
        display_path(&out)
    );
    VouchExit::Success
}
