//! The generated bundle of the memory and cache benchmarks: many tiny OSV advisories.

use std::path::Path;

/// `n` files of about 280 bytes under `osv/NNN/` (1,000 a directory): OSV advisories, each
/// of one npm vulnerability fixed in 2.4.1, when `osv`; otherwise plain text of the same
/// length (the benchmarks' baseline of files that are not evidence).
pub fn write_advisories(dir: &Path, n: usize, osv: bool) {
    for i in 0..n {
        let sub = dir.join(format!("osv/{:03}", i / 1000));
        if i % 1000 == 0 {
            std::fs::create_dir_all(&sub).unwrap();
        }
        let text = format!(
            "{{\"id\":\"GHSA-{i:06}\",\"modified\":\"2026-01-01T00:00:00Z\",\
             \"published\":\"2026-01-01T00:00:00Z\",\"aliases\":[\"CVE-2026-{i:06}\"],\
             \"affected\":[{{\"package\":{{\"ecosystem\":\"npm\",\"name\":\"widget\"}},\
             \"ranges\":[{{\"type\":\"SEMVER\",\"events\":[{{\"introduced\":\"0\"}},\
             {{\"fixed\":\"2.4.1\"}}]}}]}}]}}\n"
        );
        let text = if osv {
            text
        } else {
            "x".repeat(text.len() - 1) + "\n"
        };
        std::fs::write(sub.join(format!("GHSA-{i:06}.json")), text).unwrap();
    }
}
