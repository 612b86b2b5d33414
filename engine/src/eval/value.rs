//! Values at run time, and how they compare and display.
//!
//! Records, lists and tables are shared (`Arc`), so reading `release.artifacts` from a
//! control never copies the evidence.

use std::cmp::Ordering;
use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering as AtomicOrdering};

use vouch_lang::schema::{EnumDef, FieldDef};

pub use jiff::Timestamp;
pub use jiff::civil::Date;
use jiff::tz::Offset;
use rayon::prelude::*;

use super::duration::Duration;
use crate::report::EvidenceRef;

/// A value of the policy language.
#[derive(Debug, Clone)]
pub enum Value {
    /// `none`: the evidence does not say.
    None,
    /// `true`, `false`.
    Bool(bool),
    /// A 64-bit integer.
    Int(i64),
    /// A decimal number.
    Number(f64),
    /// Text.
    Str(Arc<str>),
    /// A length of time (boxed: durations are rare, and every value is as large as the largest
    /// variant).
    Duration(Box<Duration>),
    /// A calendar day.
    Date(Date),
    /// An instant.
    DateTime(Timestamp),
    /// A name of a closed set, e.g. `severity` `high`.
    Enum(EnumValue),
    /// An evidence record.
    Record(Arc<Record>),
    /// An ordered collection.
    List(Arc<[Value]>),
    /// A collection without duplicates, kept sorted by [`Value::total_cmp`].
    Set(Arc<[Value]>),
    /// Keys (as text: a string, or an enum variant's name) to values.
    Table(Arc<BTreeMap<String, Value>>),
}

/// A variant of one of the schema's enums: the enum and the variant's position in it (two words,
/// where the two names would take four).
#[derive(Clone, Copy)]
pub struct EnumValue {
    def: &'static EnumDef,
    index: u32,
}

impl EnumValue {
    /// Variant `variant` of the schema's enum `name`; `None` when either is not in the schema.
    pub fn new(name: &str, variant: &str) -> Option<EnumValue> {
        Self::of(vouch_lang::schema::enum_def(name)?, variant)
    }

    /// Variant `variant` of `def`; `None` when `def` has no such variant.
    pub fn of(def: &'static EnumDef, variant: &str) -> Option<EnumValue> {
        let index = def.variants.iter().position(|v| *v == variant)?;
        Some(EnumValue {
            def,
            index: u32::try_from(index).ok()?,
        })
    }

    /// The enum's definition.
    pub fn def(self) -> &'static EnumDef {
        self.def
    }

    /// The enum's name, e.g. `severity`.
    pub fn name(self) -> &'static str {
        self.def.name
    }

    /// The variant's name, e.g. `high`.
    pub fn variant(self) -> &'static str {
        usize::try_from(self.index)
            .ok()
            .and_then(|i| self.def.variants.get(i))
            .copied()
            .unwrap_or_default()
    }

    /// The variant's position in the enum (for ordered enums, lowest first).
    pub fn position(self) -> u32 {
        self.index
    }
}

impl fmt::Debug for EnumValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}.{:?}", self.name(), self.variant())
    }
}

/// An evidence record: its schema type, where it was read from, and its fields' values.
///
/// A record is one allocation: `Arc<Record>` holds these fields and the values inline (the
/// values are the unsized tail, `[Value; N]` when built), so reading a field from a record
/// the evaluator has not touched yet costs one cache miss, not two.
#[derive(Debug)]
#[repr(C)]
pub struct Record<V: ?Sized = [Value]> {
    /// The schema's fields of this kind: the names, shared by every record of the kind. First,
    /// so it shares a cache line with the first values.
    names: &'static [FieldDef],
    /// The schema record name, e.g. `Artifact`.
    pub kind: &'static str,
    /// What identifies it in messages: a path, a URL, an id.
    pub label: Arc<str>,
    /// The evidence it rests on.
    pub citation: Option<Citation>,
    /// Where its citation stands in the report's order among all the evidence's citations
    /// (set once the evidence is built, see [`super::cite::CitationTable`]).
    rank: AtomicU32,
    /// The values, one per name, in schema order.
    values: V,
}

/// Whether two texts are the same, compared inline eight bytes at a time, the last eight
/// first: texts compared in loops are short (paths, digests, versions) and those that differ
/// mostly differ at the end (`file-00001.txt`, `file-00002.txt`), where a call to `memcmp`
/// costs more than the comparison.
#[inline]
fn same_text(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    let word = |bytes: &[u8], at: usize| {
        bytes
            .get(at..at + 8)
            .and_then(|w| <[u8; 8]>::try_from(w).ok())
            .map(u64::from_ne_bytes)
    };
    if a.len() < 8 {
        return a.iter().zip(b).all(|(x, y)| x == y);
    }
    let last = a.len() - 8;
    word(a, last) == word(b, last) && (0..last).step_by(8).all(|at| word(a, at) == word(b, at))
}

/// The rank of a record not ranked yet (see [`Record::rank`]).
pub(crate) const UNRANKED: u32 = u32::MAX;

/// Where a record comes from: a bundle file, its digest, and the line when known. Cheap to
/// hold (its text is shared with the record's own fields); turned into the report's
/// [`EvidenceRef`] only when a finding cites it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Citation {
    /// Bundle-relative path.
    pub path: Arc<str>,
    /// sha256 of the file (lowercase hex).
    pub sha256: Arc<str>,
    /// 1-based line inside the file.
    pub line: Option<u32>,
}

impl Citation {
    /// The report's form of this citation.
    pub fn to_ref(&self) -> EvidenceRef {
        EvidenceRef {
            path: self.path.to_string(),
            sha256: self.sha256.to_string(),
            location: self.line.map(|l| format!("line {l}")),
        }
    }
}

impl Record {
    /// A record of schema type `kind` from `(field, value)` pairs, in one allocation. The
    /// evidence builder gives exactly the schema's fields, in its order (a test checks it);
    /// otherwise the values are put in schema order, with `none` for a field not given, and
    /// fields the schema does not declare are dropped.
    pub fn new<const N: usize>(
        kind: &'static str,
        label: Arc<str>,
        citation: Option<Citation>,
        fields: [(&'static str, Value); N],
    ) -> Arc<Record> {
        let names = vouch_lang::schema::record(kind).map_or(&[][..], |def| def.fields);
        let in_order = names.len() == N
            && names
                .iter()
                .zip(&fields)
                .all(|(def, (name, _))| def.name == *name);
        // The evidence builder must follow the schema; debug builds (the tests) say where not.
        debug_assert!(
            in_order,
            "`{kind}` record built with fields out of schema order"
        );
        let values: [Value; N] = if in_order {
            fields.map(|(_, value)| value)
        } else {
            // A record holds as many values as it was given (`N`): a schema field beyond
            // those reads as `none` anyway.
            let mut given = fields.map(|(name, value)| (name, Some(value)));
            std::array::from_fn(|i| {
                names
                    .get(i)
                    .and_then(|def| given.iter_mut().find(|(name, _)| *name == def.name))
                    .and_then(|(_, value)| value.take())
                    .unwrap_or(Value::None)
            })
        };
        Arc::new(Record {
            names,
            kind,
            label,
            citation,
            rank: AtomicU32::new(UNRANKED),
            values,
        })
    }

    /// Where its citation stands among the evidence's ([`UNRANKED`] until ranked).
    #[inline]
    pub(crate) fn rank(&self) -> u32 {
        self.rank.load(AtomicOrdering::Relaxed)
    }

    /// Sets where its citation stands among the evidence's.
    pub(crate) fn set_rank(&self, rank: u32) {
        self.rank.store(rank, AtomicOrdering::Relaxed);
    }

    /// The values, to be taken apart by [`Value::drop_parallel`].
    fn values_mut(&mut self) -> &mut [Value] {
        &mut self.values
    }

    /// The fields, as the schema names them, with their values.
    pub fn fields(&self) -> impl Iterator<Item = (&'static str, &Value)> {
        self.names.iter().map(|def| def.name).zip(&self.values)
    }

    /// The value of a field; `none` for a field the record does not have.
    pub fn get(&self, field: &str) -> Value {
        self.field(field).map_or(Value::None, Value::clone)
    }

    /// The value of a field, borrowed. The evaluator's hottest lookup: the names searched are
    /// the schema's (the same few cache lines for every record of a kind), and only the value
    /// found is read from the record itself.
    pub fn field(&self, field: &str) -> Option<&Value> {
        let index = self
            .names
            .iter()
            .position(|def| super::interp::same_name(def.name, field))?;
        self.values.get(index)
    }

    /// [`Record::field`], trying position `hint` first and leaving there the position it was
    /// found at: a loop reading one field of many records of one kind finds it at once.
    #[inline]
    pub fn field_hinted(&self, field: &str, hint: &std::cell::Cell<usize>) -> Option<&Value> {
        let at = hint.get();
        if let Some(def) = self.names.get(at)
            && super::interp::same_name(def.name, field)
        {
            return self.values.get(at);
        }
        let index = self
            .names
            .iter()
            .position(|def| super::interp::same_name(def.name, field))?;
        hint.set(index);
        self.values.get(index)
    }
}

impl Value {
    /// A string value.
    pub fn str(text: impl AsRef<str>) -> Value {
        Value::Str(Arc::from(text.as_ref()))
    }

    /// A duration.
    pub fn duration(d: Duration) -> Value {
        Value::Duration(Box::new(d))
    }

    /// Variant `variant` of the schema's enum `name`; `none` when either is not in the schema.
    pub fn enumerated(name: &str, variant: &str) -> Value {
        EnumValue::new(name, variant).map_or(Value::None, Value::Enum)
    }

    /// A string, or `none`.
    pub fn opt_str(text: Option<impl AsRef<str>>) -> Value {
        text.map_or(Value::None, Value::str)
    }

    /// A list.
    pub fn list(items: Vec<Value>) -> Value {
        Value::List(Self::items(items))
    }

    /// A set: sorted and without duplicates.
    pub fn set(mut items: Vec<Value>) -> Value {
        items.sort_by(Value::total_cmp);
        items.dedup_by(|a, b| a.total_cmp(b) == Ordering::Equal);
        Value::Set(Self::items(items))
    }

    /// The elements of a list or set; no elements share one allocation (evidence records
    /// have many empty lists: no date conflicts, no mitigations, no signatures).
    fn items(items: Vec<Value>) -> Arc<[Value]> {
        static NO_ITEMS: std::sync::LazyLock<Arc<[Value]>> =
            std::sync::LazyLock::new(|| Arc::from(Vec::new()));
        if items.is_empty() {
            Arc::clone(&NO_ITEMS)
        } else {
            Arc::from(items)
        }
    }

    /// Drops the value. The elements of a long list or set that nothing else holds are dropped
    /// across the rayon pool, as are those of such lists in a record's fields: the evidence
    /// values of a large bundle are many small allocations, cold in the cache by the time
    /// an evaluation is over, and freeing them is as much work as building them.
    pub fn drop_parallel(mut self) {
        /// Shorter collections are dropped in place.
        const PARALLEL: usize = 4096;
        match &mut self {
            Value::List(items) | Value::Set(items) if items.len() >= PARALLEL => {
                if let Some(items) = Arc::get_mut(items) {
                    items
                        .par_iter_mut()
                        .with_min_len(PARALLEL / 4)
                        .for_each(|v| drop(std::mem::replace(v, Value::None)));
                }
            }
            Value::Record(record) => {
                if let Some(record) = Arc::get_mut(record) {
                    for v in record.values_mut() {
                        std::mem::replace(v, Value::None).drop_parallel();
                    }
                }
            }
            _ => {}
        }
    }

    /// Whether this is `none`.
    pub fn is_none(&self) -> bool {
        matches!(self, Value::None)
    }

    /// The elements of a list or set.
    pub fn elements(&self) -> Option<&[Value]> {
        match self {
            Value::List(items) | Value::Set(items) => Some(items),
            _ => None,
        }
    }

    /// The text a table key of this value is stored under.
    pub fn key_text(&self) -> Option<&str> {
        match self {
            Value::Str(s) => Some(s),
            Value::Enum(e) => Some(e.variant()),
            _ => None,
        }
    }

    /// `==` of the language: numbers compare across `int` and `number`, dates and datetimes
    /// as instants, durations by [`Duration::compare`], `none` equals only `none`.
    pub fn equals(&self, other: &Value) -> bool {
        match (self, other) {
            (Value::None, Value::None) => true,
            (Value::None, _) | (_, Value::None) => false,
            (Value::List(a) | Value::Set(a), Value::List(b) | Value::Set(b)) => {
                a.len() == b.len() && a.iter().zip(b.iter()).all(|(x, y)| x.equals(y))
            }
            (Value::Table(a), Value::Table(b)) => {
                a.len() == b.len()
                    && a.iter()
                        .zip(b.iter())
                        .all(|((ka, va), (kb, vb))| ka == kb && va.equals(vb))
            }
            (Value::Record(a), Value::Record(b)) => {
                Arc::ptr_eq(a, b) || (a.kind == b.kind && a.label == b.label)
            }
            // Equal lengths, then the bytes: no ordering needed.
            (Value::Str(a), Value::Str(b)) => Arc::ptr_eq(a, b) || same_text(a, b),
            _ => self.order(other) == Some(Ordering::Equal),
        }
    }

    /// `==` of the language when neither operand is the literal `none`: `None` (unknown) when
    /// a `none` decides it. Lists and tables are compared part by part, so ones that differ in
    /// length, keys or a known part are unequal whatever their unknown parts; a set holding
    /// `none` is unknown (its `none` might be any of the other's elements).
    pub fn known_equals(&self, other: &Value) -> Option<bool> {
        match (self, other) {
            (Value::None, _) | (_, Value::None) => None,
            (Value::Set(a), Value::List(b) | Value::Set(b)) | (Value::List(a), Value::Set(b))
                if a.iter().chain(b.iter()).any(Value::is_none) =>
            {
                None
            }
            (Value::List(a) | Value::Set(a), Value::List(b) | Value::Set(b)) => {
                if a.len() != b.len() {
                    return Some(false);
                }
                all_known(a.iter().zip(b.iter()).map(|(x, y)| x.known_equals(y)))
            }
            (Value::Table(a), Value::Table(b)) => {
                if a.len() != b.len() || a.keys().ne(b.keys()) {
                    return Some(false);
                }
                all_known(a.values().zip(b.values()).map(|(x, y)| x.known_equals(y)))
            }
            _ => Some(self.equals(other)),
        }
    }

    /// `<` and friends: numbers, durations, strings, dates and datetimes, ordered enums.
    /// `None` when the two do not order (or a duration is out of range).
    pub fn order(&self, other: &Value) -> Option<Ordering> {
        match (self, other) {
            (Value::Int(a), Value::Int(b)) => Some(a.cmp(b)),
            (Value::Int(a), Value::Number(b)) => Some((*a as f64).total_cmp(b)),
            (Value::Number(a), Value::Int(b)) => Some(a.total_cmp(&(*b as f64))),
            (Value::Number(a), Value::Number(b)) => Some(a.total_cmp(b)),
            (Value::Str(a), Value::Str(b)) => Some(a.cmp(b)),
            (Value::Bool(a), Value::Bool(b)) => Some(a.cmp(b)),
            (Value::Duration(a), Value::Duration(b)) => a.compare(**b),
            (Value::Date(_) | Value::DateTime(_), Value::Date(_) | Value::DateTime(_)) => {
                Some(self.instant()?.cmp(&other.instant()?))
            }
            (Value::Enum(a), Value::Enum(b)) if a.name() == b.name() => {
                if !a.def().ordered {
                    return (a.variant() == b.variant()).then_some(Ordering::Equal);
                }
                Some(a.position().cmp(&b.position()))
            }
            _ => None,
        }
    }

    /// The instant of a date (00:00 UTC) or datetime.
    pub fn instant(&self) -> Option<Timestamp> {
        match self {
            Value::DateTime(t) => Some(*t),
            Value::Date(d) => date_instant(*d),
            _ => None,
        }
    }

    /// A total order over all values, for sorting sets deterministically.
    pub fn total_cmp(&self, other: &Value) -> Ordering {
        let rank = |v: &Value| match v {
            Value::None => 0,
            Value::Bool(_) => 1,
            Value::Int(_) | Value::Number(_) => 2,
            Value::Str(_) => 3,
            Value::Duration(_) => 4,
            Value::Date(_) | Value::DateTime(_) => 5,
            Value::Enum(..) => 6,
            Value::Record(_) => 7,
            Value::List(_) | Value::Set(_) => 8,
            Value::Table(_) => 9,
        };
        rank(self)
            .cmp(&rank(other))
            .then_with(|| match (self, other) {
                (Value::Record(a), Value::Record(b)) => (a.kind, &a.label).cmp(&(b.kind, &b.label)),
                (Value::List(a) | Value::Set(a), Value::List(b) | Value::Set(b)) => {
                    for (x, y) in a.iter().zip(b.iter()) {
                        let o = x.total_cmp(y);
                        if o != Ordering::Equal {
                            return o;
                        }
                    }
                    a.len().cmp(&b.len())
                }
                (Value::Table(a), Value::Table(b)) => a.len().cmp(&b.len()),
                (Value::Enum(a), Value::Enum(b)) => {
                    (a.name(), a.variant()).cmp(&(b.name(), b.variant()))
                }
                _ => self
                    .order(other)
                    .unwrap_or_else(|| self.to_string().cmp(&other.to_string())),
            })
    }

    /// The name of the value's type, for error messages.
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::None => "none",
            Value::Bool(_) => "bool",
            Value::Int(_) => "int",
            Value::Number(_) => "number",
            Value::Str(_) => "string",
            Value::Duration(_) => "duration",
            Value::Date(_) => "date",
            Value::DateTime(_) => "datetime",
            Value::Enum(e) => e.name(),
            Value::Record(r) => r.kind,
            Value::List(_) => "list",
            Value::Set(_) => "set",
            Value::Table(_) => "table",
        }
    }
}

/// Kleene `and` of part-by-part equalities: `false` if any part is unequal, else unknown if
/// any part is unknown, else `true`.
fn all_known(parts: impl Iterator<Item = Option<bool>>) -> Option<bool> {
    let mut unknown = false;
    for part in parts {
        match part {
            Some(false) => return Some(false),
            None => unknown = true,
            Some(true) => {}
        }
    }
    (!unknown).then_some(true)
}

/// 00:00 UTC of `date`.
pub fn date_instant(date: Date) -> Option<Timestamp> {
    Offset::UTC
        .to_timestamp(date.to_datetime(jiff::civil::Time::midnight()))
        .ok()
}

/// The UTC calendar date of an instant.
pub fn utc_date(instant: Timestamp) -> Date {
    Offset::UTC.to_datetime(instant).date()
}

/// Up to this many elements of a collection are shown in messages.
const SHOWN_ELEMENTS: usize = 5;

impl fmt::Display for Value {
    /// As shown in messages: durations human-friendly, dates ISO, datetimes RFC 3339 UTC,
    /// `none` as `none`, records by their label, long collections shortened.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::None => f.write_str("none"),
            Value::Bool(b) => write!(f, "{b}"),
            Value::Int(i) => write!(f, "{i}"),
            Value::Number(n) if n.is_finite() && n.fract() == 0.0 && n.abs() < 1e15 => {
                write!(f, "{n:.1}")
            }
            Value::Number(n) => write!(f, "{n}"),
            Value::Str(s) => f.write_str(s),
            Value::Duration(d) => write!(f, "{d}"),
            Value::Date(d) => write!(f, "{d}"),
            Value::DateTime(t) => write!(f, "{t}"),
            Value::Enum(e) => f.write_str(e.variant()),
            Value::Record(r) => f.write_str(&r.label),
            Value::List(items) | Value::Set(items) => {
                f.write_str("[")?;
                for (i, item) in items.iter().take(SHOWN_ELEMENTS).enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    match item {
                        Value::Str(s) => write!(f, "\"{s}\"")?,
                        other => write!(f, "{other}")?,
                    }
                }
                if items.len() > SHOWN_ELEMENTS {
                    write!(f, ", ... ({} in all)", items.len())?;
                }
                f.write_str("]")
            }
            Value::Table(entries) => {
                f.write_str("{")?;
                for (i, (k, v)) in entries.iter().take(SHOWN_ELEMENTS).enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{k}: {v}")?;
                }
                if entries.len() > SHOWN_ELEMENTS {
                    write!(f, ", ... ({} in all)", entries.len())?;
                }
                f.write_str("}")
            }
        }
    }
}

#[cfg(test)]
#[path = "value_tests.rs"]
mod tests;
