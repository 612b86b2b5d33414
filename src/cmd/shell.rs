//! `vouch completions SHELL` and `vouch man`: shell completions and manual pages, generated
//! from the command-line definitions so they never disagree with `--help`.

use std::io::Write as _;
use std::path::PathBuf;

use crate::exit::VouchExit;
use crate::policy_files::{display_path, io_reason};
use crate::render::{self, ErrorFormat};

/// What `vouch completions` does, as `vouch --help` and `vouch completions --help` say it.
pub const COMPLETIONS_ABOUT: &str =
    "Print the shell completion script for bash, zsh, fish, elvish or PowerShell";

/// Arguments of `vouch completions`.
#[derive(Debug, clap::Args)]
#[command(about = COMPLETIONS_ABOUT)]
pub struct CompletionsArgs {
    /// The shell to complete for.
    #[arg(value_enum)]
    shell: clap_complete::Shell,
}

/// What `vouch man` does, as `vouch --help` and `vouch man --help` say it.
pub const MAN_ABOUT: &str = "Print the manual page (`--out DIR`: write one page per subcommand)";

/// Arguments of `vouch man`.
#[derive(Debug, clap::Args)]
#[command(about = MAN_ABOUT)]
pub struct ManArgs {
    /// Write `vouch.1` and one page per subcommand (`vouch-evaluate.1`, ...) into this
    /// directory instead of printing `vouch.1`.
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
}

/// Prints the completion script for a shell to stdout.
pub fn completions(args: CompletionsArgs) -> VouchExit {
    let mut command = super::full_command();
    let mut script = Vec::new();
    clap_complete::generate(args.shell, &mut command, "vouch", &mut script);
    write_stdout(&script)
}

/// Prints the manual page of `vouch` to stdout, or writes every page into `--out`.
pub fn man(args: ManArgs) -> VouchExit {
    let command = super::full_command();
    match args.out {
        Some(dir) => match clap_mangen::generate_to(command, &dir) {
            Ok(()) => VouchExit::Success,
            Err(err) => {
                render::plain_error(
                    &format!(
                        "cannot write the manual pages into `{}`: {}",
                        display_path(&dir),
                        io_reason(&err)
                    ),
                    ErrorFormat::Human,
                );
                VouchExit::Error
            }
        },
        None => {
            let mut page = Vec::new();
            match clap_mangen::Man::new(command).render(&mut page) {
                Ok(()) => write_stdout(&page),
                Err(err) => {
                    render::plain_error(
                        &format!("cannot render the manual page: {}", io_reason(&err)),
                        ErrorFormat::Human,
                    );
                    VouchExit::Error
                }
            }
        }
    }
}

fn write_stdout(bytes: &[u8]) -> VouchExit {
    let mut out = std::io::stdout().lock();
    match out.write_all(bytes).and_then(|()| out.flush()) {
        Ok(()) => VouchExit::Success,
        Err(err) => {
            render::plain_error(
                &format!("cannot write to stdout: {}", io_reason(&err)),
                ErrorFormat::Human,
            );
            VouchExit::Error
        }
    }
}
