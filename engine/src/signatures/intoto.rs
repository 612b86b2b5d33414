//! in-toto statements (v1 and v0.1) and the JSON files that carry them: bare statements,
//! DSSE envelopes ([`super::dsse`]) and Sigstore bundles ([`super::sigstore`]), one per file
//! or one per line of a JSON Lines file (`.intoto.jsonl`), and npm's attestations documents
//! (`{"attestations": [{"predicateType", "bundle"}]}`), and PEP 740 attestation and
//! provenance objects ([`super::pep740`]).
//!
//! ```json
//! {"_type": "https://in-toto.io/Statement/v1",
//!  "subject": [{"name": "widget.tar.gz", "digest": {"sha256": "e3b0..."}}],
//!  "predicateType": "https://slsa.dev/provenance/v1",
//!  "predicate": {"runDetails": {"builder": {"id": "https://github.com/..."}}}}
//! ```
//!
//! The three formats share one parser: a file classified as one of them may hold any mix of
//! the three, each document read for what it is.

use serde_json::Value;

use super::{Malformed, SignatureBody, SignatureFile, SignatureFormat, Subject};
use crate::digest::Sha256Digest;
use crate::finding::{Finding, FindingCode};
use crate::formats::{
    Confidence, DetectInput, Evidence, EvidenceFormat, EvidenceKind, ParseInput, Parsed,
};

/// The DSSE payload type of an in-toto statement.
pub const PAYLOAD_TYPE: &str = "application/vnd.in-toto+json";

/// The statement `_type`s vouch reads.
pub const STATEMENT_TYPES: &[&str] = &[
    "https://in-toto.io/Statement/v1",
    "https://in-toto.io/Statement/v0.1",
];

/// The largest file of the three formats parsed: envelopes may carry a whole SBOM.
pub const MAX_PARSE_SIZE: u64 = 16 * 1024 * 1024;

/// Broken documents reported one by one in a file; the rest are counted in one finding.
const MAX_BAD_DOCUMENTS: usize = 20;

/// An in-toto statement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Statement {
    /// `_type`.
    pub statement_type: String,
    /// `predicateType`.
    pub predicate_type: String,
    /// The builder id of SLSA provenance (v1 `runDetails.builder.id`, v0.1/v0.2
    /// `builder.id`); `None` for other predicates.
    pub builder: Option<String>,
    /// The subjects, in statement order.
    pub subjects: Vec<StatementSubject>,
}

/// One subject of a statement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatementSubject {
    /// `name` (empty when absent).
    pub name: String,
    /// The sha256 digest, when given.
    pub sha256: Option<Sha256Digest>,
    /// The sha512 digest, when given (npm provenance names packages by sha512 only).
    pub sha512: Option<crate::digest::Sha512Digest>,
    /// Every digest algorithm given, sorted.
    pub algorithms: Vec<String>,
}

/// One document of a file: a whole JSON file, or one line of a JSON Lines file.
#[derive(Debug, Clone)]
pub struct Document {
    /// The 1-based line, when the file holds several documents.
    pub line: Option<u32>,
    /// What it is.
    pub content: Content,
}

/// What a document holds.
#[derive(Debug, Clone)]
pub enum Content {
    /// A signature: a DSSE envelope or a Sigstore bundle (or a broken one).
    Signed(Box<SignatureFile>),
    /// A bare, unsigned statement.
    Statement(Statement),
}

impl SignatureFile {
    /// The in-toto statement this signature signs (a DSSE envelope's payload), if any.
    pub fn statement(&self) -> Option<&Statement> {
        match &self.body {
            SignatureBody::Dsse(envelope) => envelope.statement(),
            SignatureBody::Sigstore(bundle) => bundle.statement(),
            _ => None,
        }
    }
}

/// Reads a statement out of a JSON value.
pub fn statement_from_value(value: &Value) -> Result<Statement, String> {
    let object = value
        .as_object()
        .ok_or_else(|| "the statement is not a JSON object".to_owned())?;
    let text = |key: &str| object.get(key).and_then(Value::as_str);
    let statement_type = text("_type").ok_or_else(|| "the statement has no `_type`".to_owned())?;
    if !STATEMENT_TYPES.contains(&statement_type) {
        return Err(format!(
            "`_type` is `{statement_type}`, not an in-toto statement v1 or v0.1"
        ));
    }
    let predicate_type =
        text("predicateType").ok_or_else(|| "the statement has no `predicateType`".to_owned())?;
    let list = object
        .get("subject")
        .and_then(Value::as_array)
        .ok_or_else(|| "the statement has no `subject` list".to_owned())?;
    if list.is_empty() {
        return Err("the statement's `subject` list is empty".to_owned());
    }
    let subjects = list
        .iter()
        .enumerate()
        .map(|(i, s)| subject(i.saturating_add(1), s))
        .collect::<Result<Vec<_>, _>>()?;
    let predicate = object.get("predicate");
    let id = |path: &[&str]| {
        path.iter()
            .try_fold(predicate?, |v, key| v.get(key))
            .and_then(Value::as_str)
            .map(str::to_owned)
    };
    let builder = match predicate_type {
        "https://slsa.dev/provenance/v1" => id(&["runDetails", "builder", "id"]),
        "https://slsa.dev/provenance/v0.2" | "https://slsa.dev/provenance/v0.1" => {
            id(&["builder", "id"])
        }
        _ => None,
    };
    Ok(Statement {
        statement_type: statement_type.to_owned(),
        predicate_type: predicate_type.to_owned(),
        builder,
        subjects,
    })
}

fn subject(n: usize, value: &Value) -> Result<StatementSubject, String> {
    let name = value
        .get("name")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned();
    let digests = value
        .get("digest")
        .and_then(Value::as_object)
        .filter(|d| !d.is_empty())
        .ok_or_else(|| format!("subject {n} (`{name}`) has no digest"))?;
    let sha256 = match digests.get("sha256") {
        None => None,
        Some(v) => Some(
            v.as_str()
                .and_then(Sha256Digest::from_hex)
                .ok_or_else(|| format!("subject {n} (`{name}`): sha256 is not 64 hex digits"))?,
        ),
    };
    let sha512 = match digests.get("sha512") {
        None => None,
        Some(v) => Some(
            v.as_str()
                .and_then(crate::digest::Sha512Digest::from_hex)
                .ok_or_else(|| format!("subject {n} (`{name}`): sha512 is not 128 hex digits"))?,
        ),
    };
    let mut algorithms: Vec<String> = digests.keys().cloned().collect();
    algorithms.sort();
    Ok(StatementSubject {
        name,
        sha256,
        sha512,
        algorithms,
    })
}

/// What one JSON document is, by its top-level keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Shape {
    /// A Sigstore bundle (`mediaType`), or npm's attestations document of bundles.
    Sigstore,
    /// A DSSE envelope (`payloadType`, `payload`, `signatures`).
    Dsse,
    /// An in-toto statement (`_type`).
    Statement,
}

fn shape(value: &Value) -> Option<(Shape, bool)> {
    let object = value.as_object()?;
    let text = |key: &str| object.get(key).and_then(Value::as_str);
    if text("mediaType").is_some_and(super::sigstore::is_bundle_media_type) {
        return Some((Shape::Sigstore, false));
    }
    if ["payloadType", "payload", "signatures"]
        .iter()
        .all(|k| object.contains_key(*k))
    {
        return Some((Shape::Dsse, false));
    }
    if text("_type").is_some_and(|t| t.starts_with("https://in-toto.io/Statement/")) {
        return Some((Shape::Statement, false));
    }
    let npm = object
        .get("attestations")
        .and_then(Value::as_array)
        .is_some_and(|list| list.iter().any(|a| a.get("bundle").is_some()));
    (npm || super::pep740::is_pep740(value)).then_some((Shape::Sigstore, true))
}

/// The shape of the first document of a file, from its first bytes: parsed when the first
/// document is complete in them, else guessed from the keys it starts with.
pub(crate) fn detect_shape(input: &DetectInput<'_>) -> Option<Shape> {
    let text = input.text.as_deref()?;
    let text = text.trim_start_matches('\u{feff}').trim_start();
    if !text.starts_with('{') {
        return None;
    }
    let markers = [
        "\"mediaType\"",
        "\"payloadType\"",
        "\"_type\"",
        "\"attestations\"",
        "\"payload\"",
        "\"verification_material\"",
        "\"attestation_bundles\"",
    ];
    if !markers.iter().any(|m| text.contains(m)) {
        return None;
    }
    let first = serde_json::Deserializer::from_str(text)
        .into_iter::<Value>()
        .next()
        .and_then(Result::ok);
    if let Some(value) = first {
        return shape(&value).map(|(s, _)| s);
    }
    // The first document is longer than the head: guess from its opening.
    let compact: String = text
        .chars()
        .take(4096)
        .filter(|c| !c.is_whitespace())
        .collect();
    if compact.contains("\"mediaType\":\"application/vnd.dev.sigstore.bundle")
        || compact.contains("\"verification_material\":{")
        || compact.contains("\"attestation_bundles\":[")
    {
        Some(Shape::Sigstore)
    } else if compact.contains("\"payloadType\":") || compact.starts_with("{\"payload\":\"") {
        Some(Shape::Dsse)
    } else if compact.contains("\"_type\":\"https://in-toto.io/Statement/") {
        Some(Shape::Statement)
    } else {
        None
    }
}

/// One document of a file as read: its line (JSON Lines), and the value or why it is none.
type RawDocument = (Option<u32>, Result<Value, String>);

/// The documents of a file: the whole file as one JSON value, or one per non-blank line
/// (JSON Lines) when the first line is a value by itself.
/// `Err` says why the file is not JSON, and the line of the first error.
fn split(text: &str) -> Result<Vec<RawDocument>, (String, Option<u32>)> {
    let whole_error = match serde_json::from_str::<Value>(text) {
        Ok(value) => return Ok(vec![(None, Ok(value))]),
        Err(e) => e,
    };
    let mut lines = text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty());
    let first_is_value = lines
        .next()
        .is_some_and(|(_, l)| serde_json::from_str::<Value>(l).is_ok());
    if !first_is_value {
        let line = u32::try_from(whole_error.line()).ok().filter(|l| *l > 0);
        return Err((format!("invalid JSON: {whole_error}"), line));
    }
    Ok(text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, l)| {
            let line = u32::try_from(i.saturating_add(1)).unwrap_or(u32::MAX);
            let value = serde_json::from_str::<Value>(l).map_err(|e| format!("invalid JSON: {e}"));
            (Some(line), value)
        })
        .collect())
}

/// Parses a file of Sigstore bundles, DSSE envelopes or statements; `kind` is what the file
/// was classified as, and decides what a broken document stands for.
pub(crate) fn parse_file(path: &str, bytes: &[u8], kind: EvidenceKind) -> Parsed {
    let mut out = Parsed::default();
    let mut documents = Vec::new();
    let bytes = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
    let what = match kind {
        EvidenceKind::SigstoreBundle => "Sigstore bundle",
        EvidenceKind::DsseEnvelope => "DSSE envelope",
        _ => "in-toto statement",
    };
    if let Err(parsed) = crate::formats::json_strict::refuse_duplicates(path, bytes, what) {
        return *parsed;
    }
    let split = std::str::from_utf8(bytes)
        .map_err(|_| ("not UTF-8 text".to_owned(), None))
        .and_then(split);
    let mut bad = 0usize;
    let mut broken = |line: Option<u32>, reason: String, out: &mut Parsed, docs: &mut Vec<_>| {
        bad = bad.saturating_add(1);
        if bad <= MAX_BAD_DOCUMENTS {
            broken_document(path, line, reason, kind, out, docs);
        }
    };
    match split {
        Err((reason, line)) => broken(line, reason, &mut out, &mut documents),
        Ok(values) => {
            for (line, value) in values {
                match value {
                    Ok(value) => {
                        if let Err(reason) = read_document(line, &value, &mut documents) {
                            broken(line, reason, &mut out, &mut documents);
                        }
                    }
                    Err(reason) => broken(line, reason, &mut out, &mut documents),
                }
            }
        }
    }
    if bad > MAX_BAD_DOCUMENTS {
        out.findings.push(Finding::new(
            code_for(kind),
            Some(path),
            format!(
                "{} more broken documents not reported one by one",
                bad - MAX_BAD_DOCUMENTS
            ),
        ));
    }
    for document in &documents {
        if let Content::Signed(signature) = &document.content
            && let Some(reason) = statement_error(signature)
        {
            let finding = Finding::new(
                FindingCode::StatementInvalid,
                Some(path),
                format!("the signed in-toto payload is not a valid statement: {reason}"),
            );
            out.findings.push(at(finding, document.line));
        }
    }
    if !documents.is_empty() {
        out.evidence = Some(Evidence::Envelopes(documents));
    }
    out
}

fn statement_error(signature: &SignatureFile) -> Option<&str> {
    match &signature.body {
        SignatureBody::Dsse(envelope) => envelope.statement_error(),
        SignatureBody::Sigstore(bundle) => bundle.statement_error(),
        _ => None,
    }
}

/// Reads one document into `out`; `Err` when it is none of the three.
fn read_document(line: Option<u32>, value: &Value, out: &mut Vec<Document>) -> Result<(), String> {
    let signed = |signature| Document {
        line,
        content: Content::Signed(Box::new(signature)),
    };
    match shape(value) {
        Some((Shape::Sigstore, false)) => {
            out.push(signed(super::sigstore::signature_file(value)?));
        }
        Some((Shape::Sigstore, true)) if super::pep740::is_pep740(value) => {
            for (i, bundle) in super::pep740::bundles(value)?.iter().enumerate() {
                let file = super::sigstore::signature_file(bundle)
                    .map_err(|e| format!("PEP 740 attestation {}: {e}", i + 1))?;
                out.push(signed(file));
            }
        }
        Some((Shape::Sigstore, true)) => {
            let list = value
                .get("attestations")
                .and_then(Value::as_array)
                .map(Vec::as_slice)
                .unwrap_or_default();
            for (i, item) in list.iter().enumerate() {
                let bundle = item.get("bundle").ok_or_else(|| {
                    format!("attestation {} of the npm document has no `bundle`", i + 1)
                })?;
                let file = super::sigstore::signature_file(bundle)
                    .map_err(|e| format!("attestation {} of the npm document: {e}", i + 1))?;
                out.push(signed(file));
            }
        }
        Some((Shape::Dsse, _)) => out.push(signed(super::dsse::signature_file(value)?)),
        Some((Shape::Statement, _)) => out.push(Document {
            line,
            content: Content::Statement(statement_from_value(value)?),
        }),
        None => {
            return Err("not a Sigstore bundle, DSSE envelope or in-toto statement".to_owned());
        }
    }
    Ok(())
}

fn code_for(kind: EvidenceKind) -> FindingCode {
    match kind {
        EvidenceKind::InTotoStatement => FindingCode::StatementInvalid,
        _ => FindingCode::SignatureMalformed,
    }
}

fn at(finding: Finding, line: Option<u32>) -> Finding {
    match line {
        Some(line) => finding.at_line(line),
        None => finding,
    }
}

/// A broken document: a finding, and for signature formats a signature that verifies as
/// `malformed` (so a policy sees the artifact's broken signature).
fn broken_document(
    path: &str,
    line: Option<u32>,
    reason: String,
    kind: EvidenceKind,
    out: &mut Parsed,
    documents: &mut Vec<Document>,
) {
    let (what, help, signature) = match kind {
        EvidenceKind::SigstoreBundle => (
            "not a valid Sigstore bundle",
            "write the bundle again, e.g. `cosign sign-blob --bundle FILE.sigstore.json`",
            Some((SignatureFormat::Sigstore, Subject::Detached)),
        ),
        EvidenceKind::DsseEnvelope => (
            "not a valid DSSE envelope",
            "a DSSE envelope is JSON with `payloadType`, base64 `payload` and `signatures`",
            Some((SignatureFormat::Dsse, Subject::Itself)),
        ),
        _ => (
            "not a valid in-toto statement",
            "a statement has `_type`, `subject` (with digests) and `predicateType`",
            None,
        ),
    };
    let finding = Finding::new(code_for(kind), Some(path), format!("{what}: {reason}"));
    out.findings.push(at(finding.with_help(help), line));
    if let Some((format, subject)) = signature {
        documents.push(Document {
            line,
            content: Content::Signed(Box::new(SignatureFile {
                format,
                subject,
                body: SignatureBody::Malformed(Malformed(reason)),
            })),
        });
    }
}

/// The in-toto statement format (bare, unsigned statements).
#[derive(Debug, Clone, Copy, Default)]
pub struct InTotoFormat;

impl EvidenceFormat for InTotoFormat {
    fn kind(&self) -> EvidenceKind {
        EvidenceKind::InTotoStatement
    }

    fn detect(&self, input: &DetectInput<'_>) -> Confidence {
        let name = input.file_name();
        let by_name = name.ends_with(".intoto.json") || name.ends_with(".statement.json");
        Confidence::of(input.intoto_shape() == Some(Shape::Statement), by_name)
    }

    fn parse(&self, input: &ParseInput<'_>) -> Parsed {
        parse_file(input.path, input.bytes, self.kind())
    }

    fn max_parse_size(&self) -> u64 {
        MAX_PARSE_SIZE
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slsa_builders_by_version() {
        let v1 = serde_json::json!({
            "_type": "https://in-toto.io/Statement/v1",
            "subject": [{"name": "a", "digest": {"sha256": "A".repeat(64), "sha512": "b".repeat(128)}}],
            "predicateType": "https://slsa.dev/provenance/v1",
            "predicate": {"runDetails": {"builder": {"id": "https://ci.example/b"}}}
        });
        let s = statement_from_value(&v1).unwrap_or_else(|e| unreachable!("{e}"));
        assert_eq!(s.builder.as_deref(), Some("https://ci.example/b"));
        assert_eq!(s.subjects.first().map(|s| s.algorithms.len()), Some(2));
        let v02 = serde_json::json!({
            "_type": "https://in-toto.io/Statement/v0.1",
            "subject": [{"name": "a", "digest": {"sha1": "ab"}}],
            "predicateType": "https://slsa.dev/provenance/v0.2",
            "predicate": {"builder": {"id": "gh"}}
        });
        let s = statement_from_value(&v02).unwrap_or_else(|e| unreachable!("{e}"));
        assert_eq!(s.builder.as_deref(), Some("gh"));
        assert_eq!(s.subjects.first().and_then(|s| s.sha256), None);
    }

    #[test]
    fn broken_statements_say_why() {
        for (value, why) in [
            (serde_json::json!([]), "not a JSON object"),
            (serde_json::json!({"_type": "x"}), "not an in-toto"),
            (
                serde_json::json!({"_type": STATEMENT_TYPES[0], "predicateType": "p", "subject": []}),
                "empty",
            ),
            (
                serde_json::json!({"_type": STATEMENT_TYPES[0], "predicateType": "p",
                    "subject": [{"name": "a", "digest": {"sha256": "zz"}}]}),
                "64 hex",
            ),
        ] {
            let err = statement_from_value(&value).err().unwrap_or_default();
            assert!(err.contains(why), "{err}");
        }
    }

    #[test]
    fn never_panics_on_truncated_or_mangled_input() {
        let bundle = include_str!(
            "../../tests/fixtures/signatures/dsse/bundle/widget-1.0.provenance.sigstore.json"
        );
        let envelope =
            include_str!("../../tests/fixtures/signatures/dsse/bundle/widget-1.0.intoto.jsonl");
        let kinds = [
            EvidenceKind::SigstoreBundle,
            EvidenceKind::DsseEnvelope,
            EvidenceKind::InTotoStatement,
        ];
        for text in [bundle, envelope] {
            let bytes = text.as_bytes();
            for cut in 0..bytes.len() {
                let head = bytes.get(..cut).unwrap_or_default();
                for kind in kinds {
                    let parsed = parse_file("x", head, kind);
                    assert!(parsed.evidence.is_some() || !parsed.findings.is_empty());
                }
                let _ = detect_shape(&DetectInput::new("x", head, cut as u64));
                let mut mangled = bytes.to_vec();
                if let Some(b) = mangled.get_mut(cut) {
                    *b = b.wrapping_add(1);
                }
                let parsed = parse_file("x", &mangled, EvidenceKind::SigstoreBundle);
                assert!(parsed.evidence.is_some() || !parsed.findings.is_empty());
            }
        }
    }

    #[test]
    fn json_lines_keep_their_line_numbers() {
        let text = "{\"a\":1}\n\n{\"b\":\n";
        let docs = split(text).unwrap_or_default();
        let lines: Vec<_> = docs.iter().map(|(l, v)| (*l, v.is_ok())).collect();
        assert_eq!(lines, vec![(Some(1), true), (Some(3), false)]);
        assert!(split("{\n\"a\": ").is_err());
        assert_eq!(split("{\n\"a\": 1\n}\n").map(|d| d.len()), Ok(1));
    }
}
