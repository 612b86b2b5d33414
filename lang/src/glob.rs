//! Globs as the language reads them: the patterns of `matches(path, "dist/*.tar.gz")`. One
//! definition, so the checker's `invalid-glob` lint and the engine's `matches` agree on what
//! a valid pattern is and what it matches: `*` and `?` never cross a `/` (`**` does), and `\`
//! escapes the next character.

/// Compiles `pattern` as `matches` reads it, or says why it is not a glob (globset's reason,
/// e.g. `unclosed character class; missing ']'`).
pub fn compile_glob(pattern: &str) -> Result<globset::GlobMatcher, String> {
    globset::GlobBuilder::new(pattern)
        .literal_separator(true)
        .backslash_escape(true)
        .build()
        .map(|glob| glob.compile_matcher())
        .map_err(|e| e.kind().to_string())
}

#[cfg(test)]
mod tests {
    use super::compile_glob;

    #[test]
    fn stars_stay_in_one_directory() {
        let m = compile_glob("dist/*.tar.gz").unwrap();
        assert!(m.is_match("dist/a.tar.gz"));
        assert!(!m.is_match("dist/x/a.tar.gz"));
        assert!(compile_glob("dist/**").unwrap().is_match("dist/x/a.tar.gz"));
        assert!(compile_glob("[").is_err());
    }
}
