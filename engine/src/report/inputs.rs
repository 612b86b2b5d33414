//! What a report records about its inputs beyond the policy and the bundle: the release it
//! assessed, and how files outside the bundle are named so that a report does not depend on
//! the working directory or on how a path was written.

use serde::Serialize;

/// The release a report assessed, from the bundle's `release.toml`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReleaseRef {
    /// The product name.
    pub product: String,
    /// The version released.
    pub version: String,
    /// The release date or instant, as `release.toml` gives it.
    pub date: String,
    /// The support cycle the release belongs to (from `support.toml`), when one matches.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cycle: Option<String>,
    /// The previous version, when given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub previous: Option<String>,
    /// The bundle path of `release.toml`.
    pub path: String,
    /// Its sha256 (lowercase hex).
    pub sha256: String,
}

/// The name a report gives a file from outside the bundle (a `--trust`, `--waivers` or
/// `--authority` input): its last path component. The file's sha256, recorded beside it,
/// identifies it; the directory it was read from depends on the working directory and on how
/// the path was written, so it is left out.
pub fn input_name(path: &str) -> String {
    let trimmed = path.trim_end_matches(['/', '\\']);
    match trimmed.rfind(['/', '\\']) {
        Some(at) => trimmed.get(at + 1..).unwrap_or(trimmed).to_owned(),
        None => trimmed.to_owned(),
    }
}

/// `name` (a `/`-separated path, as policy sources are named) relative to the directory
/// `base`, computed on the text alone: `.` components dropped, `..` resolved where it can
/// be. Standard modules (`std.NAME`) keep their name.
///
/// The policy root's directory and the imports' names are spelled from the same `--policy`
/// argument, so the result is the same whether that argument was relative or absolute, and
/// from any working directory.
pub fn relative_source_name(name: &str, base: &str) -> String {
    if name.starts_with("std.") || name.starts_with("std:") {
        return name.to_owned();
    }
    let target = components(name);
    let from = components(base);
    let common = target.iter().zip(&from).take_while(|(a, b)| a == b).count();
    let mut out: Vec<String> = Vec::new();
    for part in from.iter().skip(common) {
        if part == ".." {
            // A base that climbs above the name cannot be undone on text alone: keep the
            // name as it was given.
            return target.join("/");
        }
        out.push("..".to_owned());
    }
    out.extend(target.iter().skip(common).cloned());
    out.join("/")
}

/// The lexical components of a path (`/` or `\\` separated), `.` dropped and `x/..`
/// folded; a leading `/` is kept as an empty first component so an absolute and a relative
/// path never share one.
fn components(path: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    if path.starts_with(['/', '\\']) {
        out.push(String::new());
    }
    for part in path.split(['/', '\\']) {
        match part {
            "" | "." => {}
            ".." if out.last().is_some_and(|l| !l.is_empty() && l != "..") => {
                out.pop();
            }
            // `/..` is `/`.
            ".." if out.len() == 1 && out.first().is_some_and(String::is_empty) => {}
            other => out.push(other.to_owned()),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::{input_name, relative_source_name};

    #[test]
    fn input_names() {
        assert_eq!(input_name("examples/keys/a.asc"), "a.asc");
        assert_eq!(input_name("/abs/keys/a.asc"), "a.asc");
        assert_eq!(input_name("a.asc"), "a.asc");
        assert_eq!(input_name("keys/"), "keys");
    }

    #[test]
    fn relative_names() {
        let r = relative_source_name;
        assert_eq!(
            r("examples/policies/acme.vouch", "examples/policies"),
            "acme.vouch"
        );
        assert_eq!(
            r("/w/examples/policies/acme.vouch", "/w/examples/policies"),
            "acme.vouch"
        );
        assert_eq!(
            r("examples/shared/x.vouch", "examples/policies"),
            "../shared/x.vouch"
        );
        assert_eq!(
            r("/w/examples/shared/x.vouch", "/w/examples/policies/"),
            "../shared/x.vouch"
        );
        assert_eq!(r("../shared/x.vouch", ""), "../shared/x.vouch");
        assert_eq!(r("../a/b/x.vouch", "../a"), "b/x.vouch");
        assert_eq!(r("../../c/x.vouch", "../a"), "../../c/x.vouch");
        assert_eq!(r("./p/./x.vouch", "p"), "x.vouch");
        assert_eq!(r("std.uk_sscop", "anything"), "std.uk_sscop");
    }
}
