//! Walking a bundle: every entry becomes a regular file to hash, a symlink inside the
//! bundle, or a skipped path with a finding. Symlinks are never followed out of the root,
//! and directories reached through a symlink are not walked twice.

use std::collections::BTreeMap;
use std::fs;
use std::io;
use std::path::{Component, Path, PathBuf};
use std::time::SystemTime;

use walkdir::WalkDir;

use crate::bundle_path;
use crate::finding::{Finding, FindingCode};
use crate::graph::{SymlinkTarget, Unclassified};

/// A bundle-relative path: `/`-separated text and the raw bytes (for sorting and the digest).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RelPath {
    pub display: String,
    pub raw: Vec<u8>,
}

/// A regular file to hash.
#[derive(Debug)]
pub(crate) struct FileEntry {
    pub path: RelPath,
    pub abs: PathBuf,
    pub size: u64,
    /// The file's link count when walked (1 on platforms without hard links); hashing
    /// refuses a file whose count changed since.
    pub links: u64,
}

/// A symlink whose final target is inside the bundle.
#[derive(Debug)]
pub(crate) struct LinkEntry {
    pub path: RelPath,
    pub target: String,
    pub target_kind: SymlinkTarget,
}

/// What a walk found.
#[derive(Debug, Default)]
pub(crate) struct Walked {
    pub files: Vec<FileEntry>,
    pub links: Vec<LinkEntry>,
    pub skipped: Vec<Unclassified>,
    pub findings: Vec<Finding>,
}

impl Walked {
    fn skip(&mut self, path: &str, reason: String, finding: Finding) {
        self.skipped.push(Unclassified {
            path: path.to_owned(),
            reason,
        });
        self.findings.push(finding);
    }
}

/// Walks `root` (already canonical).
pub(crate) fn walk(root: &Path) -> Walked {
    let mut walked = Walked::default();
    let mut hard_links: BTreeMap<(u64, u64), Vec<usize>> = BTreeMap::new();
    for entry in WalkDir::new(root).follow_links(false).min_depth(1) {
        let entry = match entry {
            Ok(entry) => entry,
            Err(error) => {
                let path = error
                    .path()
                    .and_then(|p| rel_path(root, p))
                    .map_or_else(|| ".".to_owned(), |r| r.display);
                let why = error
                    .io_error()
                    .map_or_else(|| error.to_string(), ToString::to_string);
                walked.skip(
                    &path,
                    format!("unreadable: {why}"),
                    Finding::new(
                        FindingCode::Unreadable,
                        Some(&path),
                        format!("cannot read: {why}"),
                    )
                    .with_help("make every file and directory of the bundle readable"),
                );
                continue;
            }
        };
        let Some(rel) = rel_path(root, entry.path()) else {
            continue;
        };
        let file_type = entry.file_type();
        if file_type.is_dir() {
            continue;
        }
        if bundle_path::display_bytes(&rel.raw).1 {
            walked.findings.push(
                Finding::new(
                    FindingCode::NonUtf8Name,
                    Some(&rel.display),
                    "file name is not valid UTF-8; shown with `\\xNN` escapes",
                )
                .with_help("use UTF-8 file names so that every tool shows the same name"),
            );
        }
        if file_type.is_file() {
            match entry.metadata() {
                Ok(meta) => {
                    let (links, inode) = link_count(&meta);
                    if links > 1 {
                        hard_links
                            .entry(inode)
                            .or_default()
                            .push(walked.files.len());
                    }
                    walked.files.push(FileEntry {
                        path: rel,
                        abs: entry.into_path(),
                        size: meta.len(),
                        links,
                    });
                }
                Err(error) => {
                    let why = error.to_string();
                    walked.skip(
                        &rel.display,
                        format!("unreadable: {why}"),
                        Finding::new(
                            FindingCode::Unreadable,
                            Some(&rel.display),
                            format!("cannot read metadata: {why}"),
                        ),
                    );
                }
            }
        } else if file_type.is_symlink() {
            symlink(root, entry.path(), rel, &mut walked);
        } else {
            let what = crate::input_file::kind_of(&file_type);
            walked.skip(
                &rel.display,
                format!("not a regular file ({what})"),
                Finding::new(
                    FindingCode::NotRegularFile,
                    Some(&rel.display),
                    format!(
                        "`{}` is a {what}, not a regular file; it was not read",
                        rel.display
                    ),
                )
                .with_help("a bundle holds regular files (and symlinks to them) only"),
            );
        }
    }
    refuse_escaping_hard_links(&mut walked, &hard_links);
    walked
}

/// A file with more hard links than the bundle holds names for shares its content with a
/// file outside the bundle: like a symlink out of the bundle, it is not read (otherwise a
/// `*.sha256` linked to any file on the machine would quote that file into the report).
/// Hard links whose every name is inside the bundle are read as the regular files they are.
fn refuse_escaping_hard_links(walked: &mut Walked, groups: &BTreeMap<(u64, u64), Vec<usize>>) {
    // (index into `walked.files`, how many of its names the bundle holds)
    let mut refused: Vec<(usize, usize)> = Vec::new();
    for names in groups.values() {
        for &ix in names {
            if walked
                .files
                .get(ix)
                .is_some_and(|file| (names.len() as u64) < file.links)
            {
                refused.push((ix, names.len()));
            }
        }
    }
    if refused.is_empty() {
        return;
    }
    refused.sort_unstable();
    let mut kept = Vec::with_capacity(walked.files.len());
    let mut skipped = Vec::new();
    for (ix, file) in std::mem::take(&mut walked.files).into_iter().enumerate() {
        match refused.binary_search_by_key(&ix, |(i, _)| *i) {
            Ok(at) => skipped.push((file, refused.get(at).map_or(1, |(_, n)| *n))),
            Err(_) => kept.push(file),
        }
    }
    walked.files = kept;
    for (file, inside) in skipped {
        let path = file.path.display;
        walked.skip(
            &path,
            "hard link out of the bundle".to_owned(),
            Finding::new(
                FindingCode::HardLinkEscape,
                Some(&path),
                format!(
                    "`{path}` is a hard link with {} names, {inside} of them in the bundle: it \
                     shares its content with a file outside the bundle; not read",
                    file.links
                ),
            )
            .with_help("a bundle must be self-contained: copy the file in instead of linking it"),
        );
    }
}

/// A file's link count and identity (device, inode).
#[cfg(unix)]
fn link_count(meta: &fs::Metadata) -> (u64, (u64, u64)) {
    use std::os::unix::fs::MetadataExt;
    (meta.nlink(), (meta.dev(), meta.ino()))
}

#[cfg(not(unix))]
fn link_count(_: &fs::Metadata) -> (u64, (u64, u64)) {
    (1, (0, 0))
}

/// Records a symlink: a link node when its final target is inside the bundle, otherwise a
/// finding (escape, broken, loop).
fn symlink(root: &Path, abs: &Path, rel: RelPath, walked: &mut Walked) {
    let raw_target = fs::read_link(abs)
        .map(|t| t.display().to_string())
        .unwrap_or_default();
    let lexical_escape = abs
        .parent()
        .map(|dir| dir.join(&raw_target))
        .is_some_and(|joined| !lexically_inside(root, &joined));
    let path = rel.display.clone();
    let outcome = if lexical_escape {
        Err((
            FindingCode::SymlinkEscape,
            format!("symlink `{path}` points outside the bundle (to `{raw_target}`); not followed"),
        ))
    } else {
        match fs::canonicalize(abs) {
            Ok(target) if !target.starts_with(root) => Err((
                FindingCode::SymlinkEscape,
                format!(
                    "symlink `{path}` resolves outside the bundle (to `{}`); not followed",
                    target.display()
                ),
            )),
            Ok(target) => Ok(target),
            Err(error) if is_loop(&error) => Err((
                FindingCode::SymlinkLoop,
                format!("symlink `{path}` is part of a loop (`{raw_target}`)"),
            )),
            Err(error) if error.kind() == io::ErrorKind::NotFound => Err((
                FindingCode::BrokenSymlink,
                format!("symlink `{path}` points to `{raw_target}`, which does not exist"),
            )),
            Err(error) => Err((
                FindingCode::Unreadable,
                format!("symlink `{path}` cannot be resolved: {error}"),
            )),
        }
    };
    let target = match outcome {
        Ok(target) => target,
        Err((code, message)) => {
            let reason = match code {
                FindingCode::SymlinkEscape => "symlink out of the bundle",
                FindingCode::SymlinkLoop => "symlink loop",
                FindingCode::BrokenSymlink => "broken symlink",
                _ => "unresolvable symlink",
            };
            walked.skip(
                &path,
                reason.to_owned(),
                Finding::new(code, Some(&path), message)
                    .with_help("a bundle must be self-contained: copy the file in instead"),
            );
            return;
        }
    };
    let Some(target_rel) = rel_path(root, &target) else {
        walked.skip(
            &path,
            "symlink to the bundle root".to_owned(),
            Finding::new(
                FindingCode::SymlinkLoop,
                Some(&path),
                format!("symlink `{path}` points to the bundle root"),
            ),
        );
        return;
    };
    let target_kind = match fs::metadata(&target) {
        Ok(m) if m.is_file() => SymlinkTarget::File,
        Ok(m) if m.is_dir() => SymlinkTarget::Directory,
        _ => SymlinkTarget::Other,
    };
    walked.links.push(LinkEntry {
        path: rel,
        target: target_rel.display,
        target_kind,
    });
}

/// Whether `path` (absolute, maybe with `..`) stays under `root` when read lexically.
fn lexically_inside(root: &Path, path: &Path) -> bool {
    let mut stack: Vec<Component<'_>> = Vec::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => {
                stack.pop();
            }
            other => stack.push(other),
        }
    }
    let normalized: PathBuf = stack.iter().collect();
    normalized.starts_with(root)
}

#[cfg(unix)]
fn is_loop(error: &io::Error) -> bool {
    error.raw_os_error() == Some(libc::ELOOP)
}

#[cfg(not(unix))]
fn is_loop(_: &io::Error) -> bool {
    false
}

/// The bundle-relative path of `path` under `root`; `None` for the root itself.
pub(crate) fn rel_path(root: &Path, path: &Path) -> Option<RelPath> {
    let rel = path.strip_prefix(root).ok()?;
    let mut raw = Vec::new();
    for component in rel.components() {
        if let Component::Normal(part) = component {
            if !raw.is_empty() {
                raw.push(b'/');
            }
            raw.extend_from_slice(&os_bytes(part));
        }
    }
    if raw.is_empty() {
        return None;
    }
    let (display, _) = bundle_path::display_bytes(&raw);
    Some(RelPath { display, raw })
}

#[cfg(unix)]
fn os_bytes(part: &std::ffi::OsStr) -> Vec<u8> {
    use std::os::unix::ffi::OsStrExt;
    part.as_bytes().to_vec()
}

#[cfg(not(unix))]
fn os_bytes(part: &std::ffi::OsStr) -> Vec<u8> {
    part.to_string_lossy().into_owned().into_bytes()
}

/// A file's modification time, if the platform gives one.
pub(crate) fn mtime(meta: &fs::Metadata) -> Option<SystemTime> {
    meta.modified().ok()
}
