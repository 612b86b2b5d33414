//! `--deny`, `--warn` and `--allow`: the lint levels `vouch check`, `vouch evaluate` and
//! `vouch explain` check policies with.

use vouch_lang::{LintLevel, LintLevels, lint_by_name, lints};

/// The lint-level flags.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct LintArgs {
    /// Report a lint as an error (repeatable); `--deny warnings` makes every warning an error.
    #[arg(long = "deny", value_name = "LINT|warnings")]
    pub deny: Vec<String>,
    /// Report a lint as a warning (repeatable).
    #[arg(long = "warn", value_name = "LINT")]
    pub warn: Vec<String>,
    /// Do not report a lint (repeatable).
    #[arg(long = "allow", value_name = "LINT")]
    pub allow: Vec<String>,
}

impl LintArgs {
    /// The levels the flags ask for, or a usage error naming an unknown lint (with the closest
    /// known name).
    pub fn levels(&self) -> Result<LintLevels, String> {
        let mut levels = LintLevels::default();
        let groups = [
            ("--allow", &self.allow, LintLevel::Allow),
            ("--warn", &self.warn, LintLevel::Warn),
            ("--deny", &self.deny, LintLevel::Deny),
        ];
        for (flag, names, level) in groups {
            for name in names {
                if level == LintLevel::Deny && name == "warnings" {
                    levels.deny_warnings = true;
                    continue;
                }
                let Some(code) = lint_by_name(name) else {
                    return Err(unknown(flag, name));
                };
                levels.levels.insert(code, level);
            }
        }
        Ok(levels)
    }
}

fn unknown(flag: &str, name: &str) -> String {
    let short = |c: vouch_lang::Code| c.as_str().rsplit("::").next().unwrap_or("").to_owned();
    let mut names: Vec<String> = lints().map(|(c, _)| short(c)).collect();
    if flag == "--deny" {
        names.push("warnings".to_owned());
    }
    let wanted = name.rsplit("::").next().unwrap_or(name);
    let closest = names
        .iter()
        .map(|n| (strsim::damerau_levenshtein(wanted, n), n))
        .filter(|(d, _)| *d <= (wanted.len() / 3).max(1))
        .min();
    let hint = match closest {
        Some((_, n)) => format!("did you mean `{n}`?"),
        None => format!("the lints are {}", names.join(", ")),
    };
    format!("`{flag} {name}`: no such lint; {hint} (`vouch check --help` lists them)")
}

/// The lints and their default levels, for `vouch check --help`.
pub fn help() -> String {
    let mut out = String::from(
        "Lints (change a level with --allow, --warn or --deny; --deny warnings makes every warning an error):\n",
    );
    for (code, level) in lints() {
        let name = code.as_str().rsplit("::").next().unwrap_or("");
        out.push_str(&format!("  {name:<28} {}\n", level.as_str()));
    }
    out
}
