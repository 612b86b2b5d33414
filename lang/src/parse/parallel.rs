//! Parsing a large file on several cores: the text is cut where top-level items start, each
//! piece is parsed on its own thread, and the items are joined in order.
//!
//! The result is the one a single parse gives: items are context-free (a top-level item never
//! reaches past a line that starts with an item keyword at column 0 in a file that parses),
//! and if any piece fails to parse, the caller parses the whole file the ordinary way, so
//! syntax errors are always reported as a single parse reports them.

use pest::Parser as _;

use super::build::Builder;
use super::{PolicyParser, Rule, item_starts};
use crate::ast::{Comment, Item};
use crate::diagnostic::Diagnostic;
use crate::source::Source;

/// Files smaller than this are parsed on one thread: starting threads would cost more.
const MIN_BYTES: usize = 64 * 1024;

/// The most threads one parse uses.
const MAX_THREADS: usize = 8;

/// Parses `source` in pieces on several threads. `None` when the file is small, the machine
/// has one core, or a piece does not parse (the caller then parses it whole).
pub(super) fn parse(
    source: &Source,
    comments: &[Comment],
) -> Option<Result<Vec<Item>, Vec<Diagnostic>>> {
    let text = source.text();
    if text.len() < MIN_BYTES {
        return None;
    }
    // Asked only for a large file: it reads the cgroup's CPU quota from /proc and /sys.
    let threads = std::thread::available_parallelism()
        .map_or(1, usize::from)
        .min(MAX_THREADS);
    if threads < 2 {
        return None;
    }
    let pieces = pieces(text, &item_starts(text), threads);
    if pieces.len() < 2 {
        return None;
    }
    let results: Vec<Option<(Vec<Item>, Vec<Diagnostic>)>> = std::thread::scope(|scope| {
        let handles: Vec<_> = pieces
            .iter()
            .map(|&(start, end)| scope.spawn(move || parse_piece(source, comments, start, end)))
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().ok().flatten())
            .collect()
    });
    let mut items = Vec::new();
    let mut diags = Vec::new();
    for result in results {
        let (piece_items, piece_diags) = result?;
        items.extend(piece_items);
        diags.extend(piece_diags);
    }
    Some(if diags.is_empty() {
        Ok(items)
    } else {
        Err(diags)
    })
}

/// Parses `text[start..end]` and builds its items with spans in the whole text.
fn parse_piece(
    source: &Source,
    comments: &[Comment],
    start: usize,
    end: usize,
) -> Option<(Vec<Item>, Vec<Diagnostic>)> {
    let piece = source.text().get(start..end)?;
    let mut pairs = PolicyParser::parse(Rule::file, piece).ok()?;
    let builder = Builder::new(source, comments, start);
    let items = builder.items(pairs.next()?);
    Some((items, builder.finish()))
}

/// Cuts the text at item starts into about `count` pieces of similar size.
fn pieces(text: &str, starts: &[usize], count: usize) -> Vec<(usize, usize)> {
    let target = text.len() / count;
    let mut out = Vec::new();
    let mut from = 0;
    for &at in starts.iter().skip(1) {
        if at - from >= target {
            out.push((from, at));
            from = at;
        }
    }
    out.push((from, text.len()));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pieces_cover_the_text_in_order() {
        let text = "a".repeat(100);
        let starts = [0, 10, 30, 55, 80];
        let got = pieces(&text, &starts, 2);
        assert_eq!(got, [(0, 55), (55, 100)]);
        assert_eq!(pieces(&text, &[0], 4), [(0, 100)]);
    }
}
