//! Strict JSON: a document whose object names one key twice is refused.
//!
//! RFC 8259 leaves duplicate names undefined, and readers disagree about them (`serde_json`'s
//! `Value` keeps the last, typed readers fail, other tools keep the first): a VEX `status` of
//! `affected` then `not_affected` would mean one thing to vouch and another to the tool that
//! wrote or checks it. Every JSON evidence reader runs [`duplicate_key`] over the bytes it
//! parses, so all formats share one rule; a duplicate makes the file unreadable, with the
//! line and column of the second occurrence.

use std::borrow::Cow;
use std::collections::BTreeSet;
use std::fmt;

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::Value;

use super::Parsed;
use crate::finding::{Finding, FindingCode};

/// A duplicate key: its name and where its second occurrence ends (1-based).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct DuplicateKey {
    /// The message (`duplicate key `status` at line 3 column 15`).
    pub message: String,
    /// Line of the duplicate.
    pub line: u32,
    /// Column of the duplicate.
    pub column: u32,
}

/// Walks a JSON value, refusing an object that names a key twice.
struct Strict;

impl<'de> Deserialize<'de> for Strict {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(StrictVisitor)
    }
}

struct StrictVisitor;

impl<'de> Visitor<'de> for StrictVisitor {
    type Value = Strict;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Strict, E> {
        Ok(Strict)
    }
    fn visit_i64<E: de::Error>(self, _: i64) -> Result<Strict, E> {
        Ok(Strict)
    }
    fn visit_u64<E: de::Error>(self, _: u64) -> Result<Strict, E> {
        Ok(Strict)
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<Strict, E> {
        Ok(Strict)
    }
    fn visit_str<E: de::Error>(self, _: &str) -> Result<Strict, E> {
        Ok(Strict)
    }
    fn visit_unit<E: de::Error>(self) -> Result<Strict, E> {
        Ok(Strict)
    }
    fn visit_none<E: de::Error>(self) -> Result<Strict, E> {
        Ok(Strict)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Strict, A::Error> {
        while seq.next_element::<Strict>()?.is_some() {}
        Ok(Strict)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Strict, A::Error> {
        let mut seen = Seen::default();
        while let Some(Key(key)) = map.next_key::<Key<'de>>()? {
            if !seen.insert(key.clone()) {
                return Err(de::Error::custom(format!(
                    "{DUPLICATE}`{}`",
                    key.escape_debug()
                )));
            }
            map.next_value::<Strict>()?;
        }
        Ok(Strict)
    }
}

/// A JSON value read as `serde_json::Value` reads it, refusing an object that names a key
/// twice: the check and the value in one pass over the bytes (see [`parse_value`]).
pub(crate) struct StrictValue(pub(crate) Value);

impl<'de> Deserialize<'de> for StrictValue {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(StrictValueVisitor).map(StrictValue)
    }
}

/// `serde_json::Value`'s own visitor, item for item, plus the duplicate check.
struct StrictValueVisitor;

impl<'de> Visitor<'de> for StrictValueVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any valid JSON value")
    }
    fn visit_bool<E: de::Error>(self, b: bool) -> Result<Value, E> {
        Ok(Value::Bool(b))
    }
    fn visit_i64<E: de::Error>(self, n: i64) -> Result<Value, E> {
        Ok(Value::Number(n.into()))
    }
    fn visit_u64<E: de::Error>(self, n: u64) -> Result<Value, E> {
        Ok(Value::Number(n.into()))
    }
    fn visit_f64<E: de::Error>(self, n: f64) -> Result<Value, E> {
        Ok(serde_json::Number::from_f64(n).map_or(Value::Null, Value::Number))
    }
    fn visit_str<E: de::Error>(self, s: &str) -> Result<Value, E> {
        Ok(Value::String(s.to_owned()))
    }
    fn visit_string<E: de::Error>(self, s: String) -> Result<Value, E> {
        Ok(Value::String(s))
    }
    fn visit_unit<E: de::Error>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_none<E: de::Error>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        StrictValue::deserialize(d).map(|v| v.0)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        while let Some(StrictValue(item)) = seq.next_element()? {
            items.push(item);
        }
        Ok(Value::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut object = serde_json::Map::new();
        while let Some(key) = map.next_key::<String>()? {
            match object.entry(key) {
                serde_json::map::Entry::Occupied(seen) => {
                    return Err(de::Error::custom(format!(
                        "{DUPLICATE}`{}`",
                        seen.key().escape_debug()
                    )));
                }
                serde_json::map::Entry::Vacant(slot) => {
                    slot.insert(map.next_value::<StrictValue>()?.0);
                }
            }
        }
        Ok(Value::Object(object))
    }
}

/// Reads the JSON documents in `bytes` with `read`, which refuses duplicate keys as it goes;
/// on an error, the finding the plain reading and then the duplicate check gave: a syntax
/// error anywhere (the error `plain`, reading the bytes as `serde_json::Value`s, meets)
/// comes before a duplicate key.
pub(crate) fn parse_value<T>(
    path: &str,
    bytes: &[u8],
    what: &str,
    read: impl FnOnce(&[u8]) -> Result<T, serde_json::Error>,
    plain: impl FnOnce(&[u8]) -> Option<serde_json::Error>,
    syntax: impl FnOnce(&serde_json::Error) -> Box<Parsed>,
) -> Result<T, Box<Parsed>> {
    let error = match read(bytes) {
        Ok(value) => return Ok(value),
        Err(error) => error,
    };
    if !is_duplicate(&error) {
        return Err(syntax(&error));
    }
    match plain(bytes) {
        Some(syntax_error) => Err(syntax(&syntax_error)),
        None => Err(Box::new(Parsed {
            evidence: None,
            findings: vec![duplicate_finding(path, what, &located(&error))],
        })),
    }
}

/// Whether `e` is the duplicate-key error of [`Strict`] or [`StrictValue`].
fn is_duplicate(e: &serde_json::Error) -> bool {
    e.is_data() && e.to_string().starts_with(DUPLICATE)
}

/// The duplicate-key error `e`, with its place.
fn located(e: &serde_json::Error) -> DuplicateKey {
    DuplicateKey {
        message: e.to_string(),
        line: u32::try_from(e.line()).unwrap_or(u32::MAX),
        column: u32::try_from(e.column()).unwrap_or(u32::MAX),
    }
}

/// An object's key, unescaped: borrowed from the input when it has no escapes, so the check
/// copies only keys written with them.
struct Key<'de>(Cow<'de, str>);

impl<'de> Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_str(KeyVisitor)
    }
}

struct KeyVisitor;

impl<'de> Visitor<'de> for KeyVisitor {
    type Value = Key<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object key")
    }
    fn visit_borrowed_str<E: de::Error>(self, key: &'de str) -> Result<Key<'de>, E> {
        Ok(Key(Cow::Borrowed(key)))
    }
    fn visit_str<E: de::Error>(self, key: &str) -> Result<Key<'de>, E> {
        Ok(Key(Cow::Owned(key.to_owned())))
    }
    fn visit_string<E: de::Error>(self, key: String) -> Result<Key<'de>, E> {
        Ok(Key(Cow::Owned(key)))
    }
}

/// The keys of one object seen so far: a list while the object is small (most are), a set
/// once it is not, so a large object is still checked in `n log n`.
enum Seen<'de> {
    Few(Vec<Cow<'de, str>>),
    Many(BTreeSet<Cow<'de, str>>),
}

impl Default for Seen<'_> {
    fn default() -> Self {
        Seen::Few(Vec::new())
    }
}

/// Objects with more keys than this are checked with a set.
const FEW_KEYS: usize = 16;

impl<'de> Seen<'de> {
    /// Adds `key`; `false` when it was seen before.
    fn insert(&mut self, key: Cow<'de, str>) -> bool {
        match self {
            Seen::Few(keys) if keys.contains(&key) => false,
            Seen::Few(keys) if keys.len() < FEW_KEYS => {
                keys.push(key);
                true
            }
            Seen::Few(keys) => {
                let mut set: BTreeSet<_> = std::mem::take(keys).into_iter().collect();
                set.insert(key);
                *self = Seen::Many(set);
                true
            }
            Seen::Many(set) => set.insert(key),
        }
    }
}

/// How the error of a duplicate starts (serde_json appends the position).
const DUPLICATE: &str = "duplicate key ";

/// The first duplicate key of the JSON documents in `bytes` (one, or several one after
/// another); `None` when there is none or the bytes are not JSON (the reader reports that).
pub(crate) fn duplicate_key(bytes: &[u8]) -> Option<DuplicateKey> {
    let bytes = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
    for item in serde_json::Deserializer::from_slice(bytes).into_iter::<Strict>() {
        match item {
            Ok(Strict) => {}
            Err(e) if is_duplicate(&e) => return Some(located(&e)),
            Err(_) => return None,
        }
    }
    None
}

/// The finding for a duplicate key in a `what` (e.g. "OpenVEX document").
pub(crate) fn duplicate_finding(path: &str, what: &str, duplicate: &DuplicateKey) -> Finding {
    let mut finding = Finding::new(
        FindingCode::JsonDuplicateKey,
        Some(path),
        format!("{what} cannot be read: {}", duplicate.message),
    )
    .with_help(
        "give each key once per object; readers disagree about which of two values counts, so \
         vouch reads neither",
    )
    .at_line(duplicate.line);
    finding.column = Some(duplicate.column);
    finding
}

/// Refuses `bytes` when a JSON object in them names a key twice: the unreadable result, with
/// the located finding.
pub(crate) fn refuse_duplicates(path: &str, bytes: &[u8], what: &str) -> Result<(), Box<Parsed>> {
    match duplicate_key(bytes) {
        None => Ok(()),
        Some(duplicate) => Err(Box::new(Parsed {
            evidence: None,
            findings: vec![duplicate_finding(path, what, &duplicate)],
        })),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_given_twice_is_found_with_its_place() {
        let text = "{\n  \"statements\": [\n    {\"status\": \"affected\",\n     \"status\": \"not_affected\"}\n  ]\n}";
        let d = duplicate_key(text.as_bytes()).unwrap();
        assert!(
            d.message.contains("duplicate key `status`"),
            "{}",
            d.message
        );
        assert_eq!((d.line, d.column), (4, 13));
    }

    #[test]
    fn keys_of_different_objects_may_repeat() {
        let text = r#"{"a": {"x": 1}, "b": {"x": 2}, "c": [{"x": 1}, {"x": 2}]}"#;
        assert_eq!(duplicate_key(text.as_bytes()), None);
    }

    #[test]
    fn escaped_spellings_of_one_key_are_one_key() {
        let text = r#"{"status": 1, "st\u0061tus": 2}"#;
        assert!(duplicate_key(text.as_bytes()).is_some());
    }

    #[test]
    fn a_large_object_is_checked_past_the_small_list() {
        let keys: Vec<String> = (0..40).map(|i| format!("\"k{i}\": {i}")).collect();
        let unique = format!("{{{}}}", keys.join(", "));
        assert_eq!(duplicate_key(unique.as_bytes()), None);
        for dup in [1, 17, 39] {
            let text = format!("{{{}, \"k{dup}\": 0}}", keys.join(", "));
            let d = duplicate_key(text.as_bytes()).unwrap();
            assert!(d.message.contains(&format!("`k{dup}`")), "{}", d.message);
        }
        // An escaped spelling past the list is still the same key.
        let text = format!("{{{}, \"k\\u0033\": 0}}", keys.join(", "));
        assert!(duplicate_key(text.as_bytes()).is_some());
    }

    #[test]
    fn several_documents_are_each_checked() {
        let text = "{\"a\": 1}\n{\"b\": 1, \"b\": 2}\n";
        assert_eq!(duplicate_key(text.as_bytes()).map(|d| d.line), Some(2));
    }

    #[test]
    fn broken_json_is_left_to_the_reader() {
        assert_eq!(duplicate_key(b"{\"a\": 1"), None);
        assert_eq!(duplicate_key(b"not json"), None);
    }
}
