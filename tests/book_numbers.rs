//! The numbers the book's guides quote from real runs cannot go stale: the waived example's
//! summary in "Run and read an evaluation" and the `vouch std` digests are produced here by
//! running the command the page shows, and compared with the page. `UPDATE_BOOK=1 cargo test
//! --test e2e book_numbers::` rewrites them; then read the diff.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use crate::common;

use common::{root, temp_dir, vouch};

const GUIDE: &str = "book/src/guide/evaluate.md";

/// The text between the first line after `start` (a fence opening, found after `after`) and
/// the closing fence: (byte range of the body).
fn block(page: &str, after: &str, start: &str) -> std::ops::Range<usize> {
    let from = page
        .find(after)
        .unwrap_or_else(|| panic!("{GUIDE}: no `{after}`"));
    let open = from
        + page[from..]
            .find(start)
            .unwrap_or_else(|| panic!("{GUIDE}: no `{start}` after `{after}`"));
    let body = open + start.len();
    let close = body + page[body..].find("```\n").unwrap();
    body..close
}

/// Compares (or, with `UPDATE_BOOK=1`, rewrites) one block of the guide.
fn check(page: &mut String, range: std::ops::Range<usize>, want: &str, what: &str) -> bool {
    if page[range.clone()] == *want {
        return false;
    }
    if std::env::var_os("UPDATE_BOOK").is_some() {
        page.replace_range(range, want);
        return true;
    }
    panic!(
        "{GUIDE}: {what} is stale; run `UPDATE_BOOK=1 cargo test --test e2e book_numbers::`.\n--- page\n{}--- now\n{want}",
        &page[range]
    );
}

#[test]
fn the_evaluate_guide_quotes_real_runs() {
    let path = root().join(GUIDE);
    let mut page = std::fs::read_to_string(&path).unwrap();
    let mut changed = false;

    // The example command, run as the page writes it (its --output-dir in a scratch
    // directory), and its summary on stderr.
    let sh = block(&page, "## Running it", "```sh\n");
    let command = page[sh].replace("\\\n", " ");
    let mut words: Vec<String> = command.split_whitespace().map(str::to_owned).collect();
    assert_eq!(
        words.first().map(String::as_str),
        Some("vouch"),
        "{command}"
    );
    let out_dir = temp_dir("book-numbers-out");
    if let Some(at) = words.iter().position(|w| w == "--output-dir") {
        words[at + 1] = out_dir.display().to_string();
    }
    let args: Vec<&str> = words.iter().skip(1).map(String::as_str).collect();
    let out = vouch(&args);
    assert!(
        out.status.code().is_some_and(|c| c < 2),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let summary = String::from_utf8(out.stderr).unwrap();
    let text = block(&page, "a short summary goes to standard error", "```text\n");
    changed |= check(&mut page, text, &summary, "the waived example's summary");

    // `vouch std`: the standard modules and frameworks with their digests.
    let std = vouch(&["std"]);
    assert!(std.status.success());
    let listing = format!("$ vouch std\n{}", String::from_utf8(std.stdout).unwrap());
    let range = block(&page, "`std.uk_sscop` is embedded in vouch", "```console\n");
    let body = &page[range.clone()];
    let end = body.find("$ vouch std std.uk_sscop").unwrap();
    let listed = range.start..range.start + end;
    changed |= check(&mut page, listed, &listing, "the `vouch std` listing");

    if changed {
        std::fs::write(&path, page).unwrap();
    }
}
