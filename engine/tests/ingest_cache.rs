//! The re-evaluation cache (`ingest_cached`): a second ingestion of an unchanged bundle reuses
//! the digests, every change to a file invalidates its entry, and a broken cache is ignored
//! with a warning. The graph is always the one an uncached ingestion gives.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use vouch_engine::graph::render;
use vouch_engine::ingest::cache::{CacheOptions, CacheStats, RACY_MARGIN};
use vouch_engine::ingest::{IngestError, ingest_cached};
use vouch_engine::{IngestOptions, NoProgress, Sha256Digest, ingest};

const ARTIFACTS: usize = 20;

/// A bundle of `ARTIFACTS` artifacts listed in `SHA256SUMS`, and a release manifest, whose
/// files are older than the racy margin (so that they are cached).
fn bundle(name: &str) -> (tempfile::TempDir, PathBuf, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join(name);
    std::fs::create_dir_all(dir.join("dist")).unwrap();
    let mut sums = String::new();
    for i in 0..ARTIFACTS {
        let rel = format!("dist/widget-{i:03}.tar.gz");
        let content = format!("artifact {i:03}\n");
        std::fs::write(dir.join(&rel), &content).unwrap();
        let _ = writeln!(
            sums,
            "{}  {rel}",
            Sha256Digest::of(content.as_bytes()).to_hex()
        );
    }
    std::fs::write(dir.join("SHA256SUMS"), sums).unwrap();
    std::fs::write(
        dir.join("release.toml"),
        "[release]\nproduct = \"widget\"\nversion = \"1.0.0\"\ndate = 2026-09-01\n\
         artifacts = [\"dist/*.tar.gz\"]\n",
    )
    .unwrap();
    settle();
    let cache = tmp.path().join("cache");
    (tmp, dir, cache)
}

/// Waits out the racy margin: files changed just now are not stored in the cache.
fn settle() {
    std::thread::sleep(RACY_MARGIN + Duration::from_millis(200));
}

fn options(cache: &Path) -> CacheOptions {
    CacheOptions {
        dir: cache.to_owned(),
        now: SystemTime::now(),
        tool: "test".to_owned(),
    }
}

/// Ingests with the cache and checks the graph is the uncached one; returns the stats.
fn run(dir: &Path, cache: &Path) -> CacheStats {
    let (graph, stats) =
        ingest_cached(dir, &IngestOptions::default(), &options(cache), &NoProgress).unwrap();
    let uncached = ingest(dir, &IngestOptions::default(), &NoProgress).unwrap();
    assert_eq!(
        render::json(&graph),
        render::json(&uncached),
        "the graph with the cache differs from the graph without"
    );
    stats
}

/// A cold run, then a warm one that reads no artifact (nor `SHA256SUMS`, whose parse is
/// cached too).
fn warm(dir: &Path, cache: &Path) -> CacheStats {
    let cold = run(dir, cache);
    assert_eq!(cold.hits, 0, "{cold:?}");
    assert_eq!(cold.stored, ARTIFACTS as u64 + 1, "{cold:?}");
    assert_eq!(cold.evidence_stored, 1, "{cold:?}");
    assert!(cold.warnings.is_empty(), "{cold:?}");
    let warm = run(dir, cache);
    assert_eq!(warm.hits, ARTIFACTS as u64, "{warm:?}");
    assert_eq!(warm.evidence_hits, 1, "{warm:?}");
    assert!(warm.warnings.is_empty(), "{warm:?}");
    warm
}

fn checksum_mismatches(dir: &Path, cache: &Path) -> usize {
    let (graph, _) =
        ingest_cached(dir, &IngestOptions::default(), &options(cache), &NoProgress).unwrap();
    render::json(&graph).matches("\"mismatch\"").count()
}

#[test]
fn second_run_reuses_the_digests() {
    let (_tmp, dir, cache) = bundle("b");
    let warm = warm(&dir, &cache);
    // The release manifest is read and parsed every time; SHA256SUMS's parse is reused.
    assert_eq!(warm.misses, 1, "{warm:?}");
    assert!(warm.file.starts_with(&cache), "{warm:?}");
}

#[test]
fn files_changed_just_now_are_not_stored() {
    let (_tmp, dir, cache) = bundle("b");
    std::fs::write(dir.join("dist/widget-000.tar.gz"), "artifact 000\n").unwrap();
    let cold = run(&dir, &cache);
    assert_eq!(cold.stored, ARTIFACTS as u64, "{cold:?}");
    let again = run(&dir, &cache);
    assert_eq!(again.hits, ARTIFACTS as u64 - 1, "{again:?}");
}

#[test]
fn same_size_change_with_mtime_put_back_is_seen() {
    let (_tmp, dir, cache) = bundle("b");
    warm(&dir, &cache);
    assert_eq!(checksum_mismatches(&dir, &cache), 0);
    let path = dir.join("dist/widget-007.tar.gz");
    let mtime = std::fs::metadata(&path).unwrap().modified().unwrap();
    std::fs::write(&path, "artifact 999\n").unwrap();
    let file = std::fs::OpenOptions::new().write(true).open(&path).unwrap();
    file.set_modified(mtime).unwrap();
    drop(file);
    assert_eq!(std::fs::metadata(&path).unwrap().modified().unwrap(), mtime);
    let stats = run(&dir, &cache);
    assert_eq!(stats.hits, ARTIFACTS as u64 - 1, "{stats:?}");
    assert!(checksum_mismatches(&dir, &cache) > 0);
}

#[test]
fn same_size_change_is_seen() {
    let (_tmp, dir, cache) = bundle("b");
    warm(&dir, &cache);
    assert_eq!(checksum_mismatches(&dir, &cache), 0);
    std::fs::write(dir.join("dist/widget-003.tar.gz"), "artifact 333\n").unwrap();
    let stats = run(&dir, &cache);
    assert_eq!(stats.hits, ARTIFACTS as u64 - 1, "{stats:?}");
    assert!(checksum_mismatches(&dir, &cache) > 0);
}

#[test]
fn a_file_replaced_by_rename_is_read() {
    let (_tmp, dir, cache) = bundle("b");
    warm(&dir, &cache);
    let new = dir.join("new.tmp");
    std::fs::write(&new, "artifact 555\n").unwrap();
    std::fs::rename(&new, dir.join("dist/widget-005.tar.gz")).unwrap();
    let stats = run(&dir, &cache);
    assert_eq!(stats.hits, ARTIFACTS as u64 - 1, "{stats:?}");
    assert!(checksum_mismatches(&dir, &cache) > 0);
}

#[test]
fn deleted_and_added_files() {
    let (_tmp, dir, cache) = bundle("b");
    warm(&dir, &cache);
    std::fs::remove_file(dir.join("dist/widget-001.tar.gz")).unwrap();
    std::fs::write(dir.join("dist/extra.tar.gz"), "extra\n").unwrap();
    let stats = run(&dir, &cache);
    assert_eq!(stats.hits, ARTIFACTS as u64 - 1, "{stats:?}");
    // The deleted file's entry is gone; the new file is too new to be stored.
    assert_eq!(stats.stored, ARTIFACTS as u64, "{stats:?}");
    let (graph, _) = ingest_cached(
        &dir,
        &IngestOptions::default(),
        &options(&cache),
        &NoProgress,
    )
    .unwrap();
    assert!(render::json(&graph).contains("\"missing\""));
}

#[cfg(unix)]
#[test]
fn an_unreadable_file_is_not_served_from_the_cache() {
    use std::os::unix::fs::PermissionsExt;
    let (_tmp, dir, cache) = bundle("b");
    warm(&dir, &cache);
    let path = dir.join("dist/widget-002.tar.gz");
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o000)).unwrap();
    if std::fs::File::open(&path).is_ok() {
        eprintln!("skipped: running as root, a mode-000 file is still readable");
        return;
    }
    let (graph, stats) = ingest_cached(
        &dir,
        &IngestOptions::default(),
        &options(&cache),
        &NoProgress,
    )
    .unwrap();
    assert_eq!(stats.hits, ARTIFACTS as u64 - 1, "{stats:?}");
    assert!(
        graph
            .findings()
            .iter()
            .any(|f| f.code == vouch_engine::FindingCode::Unreadable),
        "{:?}",
        graph.findings()
    );
    // Readable again, unchanged: its entry was kept only if its stat still matches (chmod
    // changed its ctime, so it is read).
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
    let stats = run(&dir, &cache);
    assert_eq!(stats.hits, ARTIFACTS as u64 - 1, "{stats:?}");
}

/// Breaks the cache file with `damage`, then checks the next run warns, reads everything,
/// gives the uncached graph, and rebuilds the cache.
fn broken(damage: impl Fn(&Path), warning: &str) {
    let (_tmp, dir, cache) = bundle("b");
    let stats = warm(&dir, &cache);
    damage(&stats.file);
    let after = run(&dir, &cache);
    assert_eq!(after.hits, 0, "{after:?}");
    assert!(
        after.warnings.iter().any(|w| w.contains(warning)),
        "{after:?}"
    );
    let rebuilt = run(&dir, &cache);
    assert_eq!(rebuilt.hits, ARTIFACTS as u64, "{rebuilt:?}");
    assert!(rebuilt.warnings.is_empty(), "{rebuilt:?}");
}

#[test]
fn a_corrupt_cache_is_ignored_and_rebuilt() {
    broken(
        |file| {
            let mut bytes = std::fs::read(file).unwrap();
            // A digest's hex digit changed: still well-formed, but not what was written.
            let at = bytes.len() - 80;
            bytes[at] = if bytes[at] == b'0' { b'1' } else { b'0' };
            std::fs::write(file, bytes).unwrap();
        },
        "corrupt",
    );
}

#[test]
fn a_truncated_cache_is_ignored_and_rebuilt() {
    broken(
        |file| {
            let bytes = std::fs::read(file).unwrap();
            std::fs::write(file, &bytes[..bytes.len() / 2]).unwrap();
        },
        "corrupt",
    );
}

#[test]
fn an_empty_or_garbage_cache_is_ignored_and_rebuilt() {
    broken(
        |file| std::fs::write(file, b"\xff\xfe garbage").unwrap(),
        "corrupt",
    );
}

#[test]
fn a_cache_of_another_version_is_ignored_and_rebuilt() {
    broken(
        |file| {
            let bytes = std::fs::read(file).unwrap();
            let end = bytes.iter().position(|b| *b == b'\n').unwrap();
            let first = std::str::from_utf8(&bytes[..end]).unwrap();
            let older = first.replace(" 2", " 1");
            assert_ne!(older, first);
            let mut out = older.into_bytes();
            out.extend_from_slice(&bytes[end..]);
            std::fs::write(file, out).unwrap();
        },
        "another version",
    );
}

#[test]
fn a_cache_of_another_program_is_not_read() {
    let (_tmp, dir, cache) = bundle("b");
    warm(&dir, &cache);
    let other = CacheOptions {
        tool: "another build".to_owned(),
        ..options(&cache)
    };
    let (_, stats) = ingest_cached(&dir, &IngestOptions::default(), &other, &NoProgress).unwrap();
    assert_eq!(stats.hits, 0, "{stats:?}");
    assert!(
        stats.warnings.iter().any(|w| w.contains("another version")),
        "{stats:?}"
    );
}

#[cfg(unix)]
#[test]
fn an_unreadable_cache_file_is_a_warning() {
    let (_tmp, dir, cache) = bundle("b");
    let stats = warm(&dir, &cache);
    // A directory where the cache file should be: neither readable as a file nor writable.
    std::fs::remove_file(&stats.file).unwrap();
    std::fs::create_dir(&stats.file).unwrap();
    let after = run(&dir, &cache);
    assert_eq!(after.hits, 0, "{after:?}");
    assert!(after.warnings.len() >= 2, "{after:?}");
}

#[test]
fn a_cache_directory_inside_the_bundle_is_refused() {
    let (_tmp, dir, _) = bundle("b");
    for inside in [dir.join(".cache"), dir.join("dist/a/b"), dir.clone()] {
        let result = ingest_cached(
            &dir,
            &IngestOptions::default(),
            &options(&inside),
            &NoProgress,
        );
        assert!(
            matches!(result, Err(IngestError::CacheInBundle { .. })),
            "{inside:?}: {result:?}"
        );
        if inside != dir {
            assert!(!inside.exists(), "the refused cache directory was created");
        }
    }
    // Through a symlink to the bundle, too.
    #[cfg(unix)]
    {
        let link = dir.parent().unwrap().join("link");
        std::os::unix::fs::symlink(&dir, &link).unwrap();
        let result = ingest_cached(
            &dir,
            &IngestOptions::default(),
            &options(&link.join("c")),
            &NoProgress,
        );
        assert!(matches!(result, Err(IngestError::CacheInBundle { .. })));
    }
}

#[test]
fn concurrent_runs_leave_a_whole_cache() {
    let (_tmp, dir, cache) = bundle("b");
    std::thread::scope(|s| {
        for _ in 0..4 {
            s.spawn(|| run(&dir, &cache));
        }
    });
    let after = run(&dir, &cache);
    assert_eq!(after.hits, ARTIFACTS as u64, "{after:?}");
    assert!(after.warnings.is_empty(), "{after:?}");
    let leftovers: Vec<_> = std::fs::read_dir(&cache)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(leftovers.len(), 1, "{leftovers:?}");
}

/// With `SHA512SUMS` (from `sha512sum`), the sha512 pass reuses the cached sha512 too, and
/// a change made after a cached run is still a mismatch.
#[test]
fn sha512_digests_are_cached_too() {
    let (_tmp, dir, cache) = bundle("b");
    let names: Vec<String> = (0..ARTIFACTS)
        .map(|i| format!("dist/widget-{i:03}.tar.gz"))
        .collect();
    let out = std::process::Command::new("sha512sum")
        .args(&names)
        .current_dir(&dir)
        .output()
        .unwrap();
    assert!(out.status.success());
    std::fs::write(dir.join("SHA512SUMS"), &out.stdout).unwrap();
    settle();
    let cold = run(&dir, &cache);
    assert_eq!(cold.sha512_hits, 0, "{cold:?}");
    let warm = run(&dir, &cache);
    assert_eq!(warm.hits, ARTIFACTS as u64, "{warm:?}");
    assert_eq!(warm.sha512_hits, ARTIFACTS as u64, "{warm:?}");
    assert_eq!(checksum_mismatches(&dir, &cache), 0);
    let path = dir.join("dist/widget-004.tar.gz");
    let mtime = std::fs::metadata(&path).unwrap().modified().unwrap();
    std::fs::write(&path, "artifact 444\n").unwrap();
    std::fs::File::options()
        .write(true)
        .open(&path)
        .unwrap()
        .set_modified(mtime)
        .unwrap();
    let after = run(&dir, &cache);
    assert_eq!(after.sha512_hits, ARTIFACTS as u64 - 1, "{after:?}");
    // Both the sha256 and the sha512 entry of the changed file mismatch.
    assert!(checksum_mismatches(&dir, &cache) >= 2);
}

/// A cache file replaced by a symlink (here to an endless device) is not followed: a warning,
/// and the cache is written afresh in its place.
#[cfg(unix)]
#[test]
fn a_cache_file_that_is_a_symlink_is_not_followed() {
    let (_tmp, dir, cache) = bundle("b");
    let stats = warm(&dir, &cache);
    std::fs::remove_file(&stats.file).unwrap();
    std::os::unix::fs::symlink("/dev/zero", &stats.file).unwrap();
    let after = run(&dir, &cache);
    assert_eq!(after.hits, 0, "{after:?}");
    assert!(
        after.warnings.iter().any(|w| w.contains("cannot read")),
        "{after:?}"
    );
    assert!(!std::fs::symlink_metadata(&stats.file).unwrap().is_symlink());
    let rebuilt = run(&dir, &cache);
    assert_eq!(rebuilt.hits, ARTIFACTS as u64, "{rebuilt:?}");
}

/// `..` after a directory that does not exist cannot be resolved without creating it: the
/// cache is not used (a warning), and nothing is created.
#[test]
fn a_cache_path_with_dot_dot_after_a_missing_directory_is_not_used() {
    let (_tmp, dir, _) = bundle("b");
    let cache = dir.parent().unwrap().join("missing/../b/c");
    let (_, stats) = ingest_cached(
        &dir,
        &IngestOptions::default(),
        &options(&cache),
        &NoProgress,
    )
    .unwrap();
    assert_eq!(stats.stored, 0, "{stats:?}");
    assert!(
        stats.warnings.iter().any(|w| w.contains("`..`")),
        "{stats:?}"
    );
    assert!(!dir.join("c").exists());
    assert!(!dir.parent().unwrap().join("missing").exists());
}
