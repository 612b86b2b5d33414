//! The `files` root: one `File` record per regular file, and the text other records share
//! with it (each evidence record cites its file with the `File` record's path and digest).

use std::sync::Arc;

use super::strings::Strings;
use super::{cite, map_chunks, record, size};
use crate::eval::value::{Citation, Record, Value};
use crate::graph::{EvidenceGraph, FileNode, NodeId, Source};

/// The `files` root's records, and where each file's is.
pub(super) struct Files {
    /// Every regular file's record, in path order.
    pub(super) values: Vec<Value>,
    /// By node index: the position of the node's record in `values`, plus one (0: none).
    by_node: Vec<u32>,
}

impl Files {
    pub(super) fn build(graph: &EvidenceGraph) -> Files {
        let listed: Vec<(NodeId, &FileNode)> = graph.files().collect();
        let values = map_chunks(&listed, |chunk| {
            let mut strings = Strings::default();
            chunk
                .iter()
                .map(|(_, f)| file(f, &mut strings))
                .collect::<Vec<_>>()
        });
        let mut by_node = vec![0; graph.node_count()];
        for (position, (id, _)) in (1..).zip(&listed) {
            if let Some(slot) = usize::try_from(id.index())
                .ok()
                .and_then(|i| by_node.get_mut(i))
            {
                *slot = position;
            }
        }
        Files { values, by_node }
    }

    /// The citation of `source`, sharing its file record's path and digest text: a bundle of
    /// many small evidence files cites each from a record or two besides its `File` record,
    /// and each citation would otherwise hold copies of both.
    pub(super) fn cite(&self, graph: &EvidenceGraph, source: &Source) -> Citation {
        let shared = graph
            .file(&source.path)
            .filter(|(_, f)| f.sha256 == source.sha256)
            .and_then(|(id, _)| self.record(id)?.citation.as_ref());
        match shared {
            Some(c) => Citation {
                path: Arc::clone(&c.path),
                sha256: Arc::clone(&c.sha256),
                line: source.line,
            },
            None => cite(source),
        }
    }

    /// The path text of the file at `path`, shared with its record.
    pub(super) fn path(&self, graph: &EvidenceGraph, path: &str) -> Option<Arc<str>> {
        let (id, _) = graph.file(path)?;
        Some(Arc::clone(&self.record(id)?.citation.as_ref()?.path))
    }

    /// The record of the file `id`.
    pub(super) fn record(&self, id: NodeId) -> Option<&Record> {
        let position = *self.by_node.get(usize::try_from(id.index()).ok()?)?;
        let index = usize::try_from(position.checked_sub(1)?).ok()?;
        match self.values.get(index)? {
            Value::Record(r) => Some(r),
            _ => None,
        }
    }
}

fn file(f: &FileNode, strings: &mut Strings) -> Value {
    let kind = f.kind.map_or("unclassified", |k| k.as_str());
    let path: Arc<str> = Arc::from(f.path.as_str());
    let sha256: Arc<str> = Arc::from(f.sha256.hex_in(&mut [0; 64]));
    let citation = Citation {
        path: Arc::clone(&path),
        sha256: Arc::clone(&sha256),
        line: None,
    };
    record(
        "File",
        Arc::clone(&path),
        Some(citation),
        [
            ("path", Value::Str(path)),
            ("size", size(f.size)),
            ("sha256", Value::Str(sha256)),
            ("kind", strings.value(kind)),
        ],
    )
}
