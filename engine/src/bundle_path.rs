//! Bundle-relative paths: `/`-separated, no `.` or `..`, never leaving the bundle root.

/// The directory part of a bundle path (`""` for a file at the root).
pub(crate) fn parent(path: &str) -> &str {
    path.rfind('/').and_then(|i| path.get(..i)).unwrap_or("")
}

/// `name` resolved against directory `dir` (both bundle-relative): `.` and empty
/// components are dropped, `..` goes up. `None` when the result leaves the bundle or `name`
/// is absolute.
pub(crate) fn join(dir: &str, name: &str) -> Option<String> {
    if name.starts_with('/') || name.starts_with('\\') {
        return None;
    }
    let mut parts: Vec<&str> = dir.split('/').filter(|p| !p.is_empty()).collect();
    for part in name.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            other => parts.push(other),
        }
    }
    if parts.is_empty() {
        return None;
    }
    Some(parts.join("/"))
}

/// Text for a path's raw bytes: valid UTF-8 as is, other bytes as `\xNN`. The flag says
/// whether any byte had to be escaped.
pub(crate) fn display_bytes(raw: &[u8]) -> (String, bool) {
    let mut out = String::with_capacity(raw.len());
    let mut escaped = false;
    for chunk in raw.utf8_chunks() {
        out.push_str(chunk.valid());
        for b in chunk.invalid() {
            out.push_str(&format!("\\x{b:02x}"));
            escaped = true;
        }
    }
    (out, escaped)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn joins_within_the_bundle() {
        assert_eq!(join("", "a.tar.gz").as_deref(), Some("a.tar.gz"));
        assert_eq!(join("dist", "./a").as_deref(), Some("dist/a"));
        assert_eq!(join("dist/x", "../a").as_deref(), Some("dist/a"));
        assert_eq!(join("dist", "../../etc/passwd"), None);
        assert_eq!(join("", "/etc/passwd"), None);
        assert_eq!(join("", "."), None);
        assert_eq!(parent("dist/a"), "dist");
        assert_eq!(parent("a"), "");
    }

    #[test]
    fn escapes_invalid_bytes() {
        assert_eq!(display_bytes(b"a\xffb"), ("a\\xffb".to_owned(), true));
        assert_eq!(display_bytes("é".as_bytes()), ("é".to_owned(), false));
    }
}
