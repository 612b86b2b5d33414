//! The cache's binary encoding: a [`Codec`] trait with impls for the standard types, and two
//! macros, [`record!`](crate::ingest::cache::codec) and `choice!`, that implement it for a
//! struct or an enum by naming every field and variant.
//!
//! Why not serde: the evidence types derive `Serialize` for `vouch graph`'s JSON, with fields
//! skipped or renamed, so that derive cannot stand for them; a second, cache-only derive is
//! not possible on the same type. The macros are written so that the compiler proves the
//! encoding complete: `enc` destructures the value with every field named and no `..` (a
//! field left out of the list does not compile), `dec` builds it with a struct literal (so
//! does a missing field there), and an enum's `enc` is a `match` without a wildcard (a
//! variant left out does not compile). A change of a field's type changes the impl it uses.
//!
//! Integers are LEB128 varints (signed ones zigzagged), floats their exact bits, strings and
//! lists a length and their items. Decoding never trusts a length beyond the bytes left and
//! never panics: anything unexpected is [`Malformed`], which the cache treats as a miss.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

/// A cache entry that does not decode: the cache ignores it and the file is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Malformed;

/// The encoder: the bytes written, the shared texts seen (each written once), and whether a
/// value that cannot be cached was met (then the entry is not stored).
#[derive(Debug, Default)]
pub(crate) struct Writer {
    /// The encoding so far.
    pub bytes: Vec<u8>,
    /// The shared texts written so far, by index: a second `Arc` of one is written as its index.
    shared: Vec<Arc<str>>,
    /// Set when a value has no encoding (a kind of evidence never cached, a static text not
    /// in [`STATIC_TEXTS`]).
    pub failed: bool,
}

/// The decoder: the bytes and the position, and the shared texts read so far.
#[derive(Debug)]
pub(crate) struct Reader<'a> {
    bytes: &'a [u8],
    shared: Vec<Arc<str>>,
}

/// A value with a cache encoding. `dec(enc(x))` is `x`, field for field.
pub(crate) trait Codec: Sized {
    /// Appends the encoding of `self`.
    fn enc(&self, w: &mut Writer);
    /// Reads one value.
    fn dec(r: &mut Reader<'_>) -> Result<Self, Malformed>;
}

impl Writer {
    /// Writes an unsigned integer (LEB128).
    pub fn uint(&mut self, mut n: u64) {
        loop {
            let byte = (n & 0x7f) as u8;
            n >>= 7;
            if n == 0 {
                self.bytes.push(byte);
                return;
            }
            self.bytes.push(byte | 0x80);
        }
    }

    /// Writes raw bytes with their length.
    pub fn blob(&mut self, bytes: &[u8]) {
        self.uint(bytes.len() as u64);
        self.bytes.extend_from_slice(bytes);
    }
}

impl<'a> Reader<'a> {
    /// A reader of `bytes`.
    pub fn new(bytes: &'a [u8]) -> Self {
        Reader {
            bytes,
            shared: Vec::new(),
        }
    }

    /// Whether every byte was read.
    pub fn is_empty(&self) -> bool {
        self.bytes.is_empty()
    }

    /// How many bytes are left.
    pub fn remaining(&self) -> usize {
        self.bytes.len()
    }

    /// The next `n` bytes.
    pub fn take(&mut self, n: usize) -> Result<&'a [u8], Malformed> {
        if n > self.bytes.len() {
            return Err(Malformed);
        }
        let (head, rest) = self.bytes.split_at(n);
        self.bytes = rest;
        Ok(head)
    }

    /// An unsigned integer (LEB128, at most ten bytes, no overflow).
    pub fn uint(&mut self) -> Result<u64, Malformed> {
        let mut n: u64 = 0;
        for shift in (0..64).step_by(7) {
            let byte = *self.take(1)?.first().ok_or(Malformed)?;
            let low = u64::from(byte & 0x7f);
            if shift == 63 && low > 1 {
                return Err(Malformed);
            }
            n |= low << shift;
            if byte & 0x80 == 0 {
                return Ok(n);
            }
        }
        Err(Malformed)
    }

    /// A length, which cannot exceed the bytes left (each item takes at least one byte).
    pub fn count(&mut self) -> Result<usize, Malformed> {
        let n = usize::try_from(self.uint()?).map_err(|_| Malformed)?;
        if n > self.bytes.len() {
            return Err(Malformed);
        }
        Ok(n)
    }

    /// Raw bytes with their length.
    pub fn blob(&mut self) -> Result<&'a [u8], Malformed> {
        let n = self.count()?;
        self.take(n)
    }

    /// A variant tag.
    pub fn tag(&mut self) -> Result<u64, Malformed> {
        self.uint()
    }
}

impl Codec for u64 {
    fn enc(&self, w: &mut Writer) {
        w.uint(*self);
    }
    fn dec(r: &mut Reader<'_>) -> Result<Self, Malformed> {
        r.uint()
    }
}

/// Unsigned integers narrower than `u64`: a wider value read is malformed.
macro_rules! narrow_uint {
    ($($ty:ty),*) => {$(
        impl Codec for $ty {
            fn enc(&self, w: &mut Writer) {
                w.uint(*self as u64);
            }
            fn dec(r: &mut Reader<'_>) -> Result<Self, Malformed> {
                <$ty>::try_from(r.uint()?).map_err(|_| Malformed)
            }
        }
    )*};
}
narrow_uint!(u8, u16, u32, usize);

impl Codec for i64 {
    fn enc(&self, w: &mut Writer) {
        w.uint(((*self << 1) ^ (*self >> 63)) as u64);
    }
    fn dec(r: &mut Reader<'_>) -> Result<Self, Malformed> {
        let n = r.uint()?;
        Ok(((n >> 1) as i64) ^ -((n & 1) as i64))
    }
}

/// Signed integers narrower than `i64`.
macro_rules! narrow_int {
    ($($ty:ty),*) => {$(
        impl Codec for $ty {
            fn enc(&self, w: &mut Writer) {
                i64::from(*self).enc(w);
            }
            fn dec(r: &mut Reader<'_>) -> Result<Self, Malformed> {
                <$ty>::try_from(i64::dec(r)?).map_err(|_| Malformed)
            }
        }
    )*};
}
narrow_int!(i8, i16, i32);

impl Codec for f64 {
    fn enc(&self, w: &mut Writer) {
        // The exact bits: NaNs, signed zeros and every rounding survive.
        w.bytes.extend_from_slice(&self.to_bits().to_le_bytes());
    }
    fn dec(r: &mut Reader<'_>) -> Result<Self, Malformed> {
        let bytes: [u8; 8] = r.take(8)?.try_into().map_err(|_| Malformed)?;
        Ok(f64::from_bits(u64::from_le_bytes(bytes)))
    }
}

impl Codec for f32 {
    fn enc(&self, w: &mut Writer) {
        w.bytes.extend_from_slice(&self.to_bits().to_le_bytes());
    }
    fn dec(r: &mut Reader<'_>) -> Result<Self, Malformed> {
        let bytes: [u8; 4] = r.take(4)?.try_into().map_err(|_| Malformed)?;
        Ok(f32::from_bits(u32::from_le_bytes(bytes)))
    }
}

impl Codec for bool {
    fn enc(&self, w: &mut Writer) {
        w.bytes.push(u8::from(*self));
    }
    fn dec(r: &mut Reader<'_>) -> Result<Self, Malformed> {
        match r.take(1)? {
            [0] => Ok(false),
            [1] => Ok(true),
            _ => Err(Malformed),
        }
    }
}

impl Codec for char {
    fn enc(&self, w: &mut Writer) {
        w.uint(u64::from(u32::from(*self)));
    }
    fn dec(r: &mut Reader<'_>) -> Result<Self, Malformed> {
        char::from_u32(u32::dec(r)?).ok_or(Malformed)
    }
}

impl Codec for String {
    fn enc(&self, w: &mut Writer) {
        w.blob(self.as_bytes());
    }
    fn dec(r: &mut Reader<'_>) -> Result<Self, Malformed> {
        let bytes = r.blob()?;
        std::str::from_utf8(bytes)
            .map(str::to_owned)
            .map_err(|_| Malformed)
    }
}

impl Codec for Arc<str> {
    /// A text shared between values (a source the findings of one file point into) is
    /// written once; the decoded values share one `Arc` again.
    fn enc(&self, w: &mut Writer) {
        match w.shared.iter().position(|s| Arc::ptr_eq(s, self)) {
            Some(index) => w.uint(index as u64 + 1),
            None => {
                w.uint(0);
                w.blob(self.as_bytes());
                w.shared.push(Arc::clone(self));
            }
        }
    }
    fn dec(r: &mut Reader<'_>) -> Result<Self, Malformed> {
        match r.uint()? {
            0 => {
                let text = std::str::from_utf8(r.blob()?).map_err(|_| Malformed)?;
                let shared: Arc<str> = Arc::from(text);
                r.shared.push(Arc::clone(&shared));
                Ok(shared)
            }
            n => {
                let index = usize::try_from(n - 1).map_err(|_| Malformed)?;
                r.shared.get(index).cloned().ok_or(Malformed)
            }
        }
    }
}

/// The static texts evidence holds (a document's `format`, a CSAF status list's name): a
/// static text is written as itself and read back as the one of this list it equals. One
/// that is not here cannot be cached (the entry is not stored), so a new one costs a re-parse,
/// never a wrong text.
pub(crate) const STATIC_TEXTS: &[&str] = &[
    "",
    "cargo-audit",
    "csaf",
    "cyclonedx",
    "dependabot",
    "github-advisory",
    "grype",
    "npm-audit",
    "openvex",
    "osv",
    "osv-scanner",
    "pip-audit",
    "rustsec",
    "spdx",
    "trivy",
    "vouch-register",
    "known_affected",
    "first_affected",
    "last_affected",
    "under_investigation",
    "fixed",
    "first_fixed",
    "known_not_affected",
    "recommended",
];

impl Codec for &'static str {
    fn enc(&self, w: &mut Writer) {
        if !STATIC_TEXTS.contains(self) {
            w.failed = true;
        }
        w.blob(self.as_bytes());
    }
    fn dec(r: &mut Reader<'_>) -> Result<Self, Malformed> {
        let bytes = r.blob()?;
        STATIC_TEXTS
            .iter()
            .find(|s| s.as_bytes() == bytes)
            .copied()
            .ok_or(Malformed)
    }
}

impl<T: Codec> Codec for Option<T> {
    fn enc(&self, w: &mut Writer) {
        match self {
            None => w.bytes.push(0),
            Some(value) => {
                w.bytes.push(1);
                value.enc(w);
            }
        }
    }
    fn dec(r: &mut Reader<'_>) -> Result<Self, Malformed> {
        match r.take(1)? {
            [0] => Ok(None),
            [1] => Ok(Some(T::dec(r)?)),
            _ => Err(Malformed),
        }
    }
}

impl<T: Codec> Codec for Box<T> {
    fn enc(&self, w: &mut Writer) {
        (**self).enc(w);
    }
    fn dec(r: &mut Reader<'_>) -> Result<Self, Malformed> {
        T::dec(r).map(Box::new)
    }
}

impl<T: Codec> Codec for Vec<T> {
    fn enc(&self, w: &mut Writer) {
        w.uint(self.len() as u64);
        for item in self {
            item.enc(w);
        }
    }
    fn dec(r: &mut Reader<'_>) -> Result<Self, Malformed> {
        let n = r.count()?;
        let mut out = Vec::with_capacity(n);
        for _ in 0..n {
            out.push(T::dec(r)?);
        }
        Ok(out)
    }
}

impl<K: Codec + Ord, V: Codec> Codec for BTreeMap<K, V> {
    fn enc(&self, w: &mut Writer) {
        w.uint(self.len() as u64);
        for (key, value) in self {
            key.enc(w);
            value.enc(w);
        }
    }
    fn dec(r: &mut Reader<'_>) -> Result<Self, Malformed> {
        let n = r.count()?;
        let mut out = BTreeMap::new();
        for _ in 0..n {
            let key = K::dec(r)?;
            let value = V::dec(r)?;
            // Written from a map: a key twice is not what was written.
            if out.insert(key, value).is_some() {
                return Err(Malformed);
            }
        }
        Ok(out)
    }
}

impl<T: Codec + Ord> Codec for BTreeSet<T> {
    fn enc(&self, w: &mut Writer) {
        w.uint(self.len() as u64);
        for item in self {
            item.enc(w);
        }
    }
    fn dec(r: &mut Reader<'_>) -> Result<Self, Malformed> {
        let n = r.count()?;
        let mut out = BTreeSet::new();
        for _ in 0..n {
            if !out.insert(T::dec(r)?) {
                return Err(Malformed);
            }
        }
        Ok(out)
    }
}

impl<A: Codec, B: Codec> Codec for (A, B) {
    fn enc(&self, w: &mut Writer) {
        self.0.enc(w);
        self.1.enc(w);
    }
    fn dec(r: &mut Reader<'_>) -> Result<Self, Malformed> {
        Ok((A::dec(r)?, B::dec(r)?))
    }
}

impl<A: Codec, B: Codec, C: Codec> Codec for (A, B, C) {
    fn enc(&self, w: &mut Writer) {
        self.0.enc(w);
        self.1.enc(w);
        self.2.enc(w);
    }
    fn dec(r: &mut Reader<'_>) -> Result<Self, Malformed> {
        Ok((A::dec(r)?, B::dec(r)?, C::dec(r)?))
    }
}

impl<const N: usize> Codec for [u8; N] {
    fn enc(&self, w: &mut Writer) {
        w.bytes.extend_from_slice(self);
    }
    fn dec(r: &mut Reader<'_>) -> Result<Self, Malformed> {
        r.take(N)?.try_into().map_err(|_| Malformed)
    }
}

impl Codec for jiff::Timestamp {
    fn enc(&self, w: &mut Writer) {
        self.as_second().enc(w);
        self.subsec_nanosecond().enc(w);
    }
    fn dec(r: &mut Reader<'_>) -> Result<Self, Malformed> {
        let seconds = i64::dec(r)?;
        let nanos = i32::dec(r)?;
        jiff::Timestamp::new(seconds, nanos).map_err(|_| Malformed)
    }
}

/// Implements [`Codec`] for structs by naming each field: `record!(Type { a, b, c })`. The
/// compiler rejects a list that misses a field (exhaustive destructuring in `enc`, a struct
/// literal in `dec`). Also defines `SHAPE`, the text of the lists, for the cache's fingerprint.
macro_rules! record {
    ($shape:ident: $($ty:ident { $($field:ident),* $(,)? })*) => {
        $(
            impl $crate::ingest::cache::codec::Codec for $ty {
                fn enc(&self, w: &mut $crate::ingest::cache::codec::Writer) {
                    let $ty { $($field),* } = self;
                    $( $crate::ingest::cache::codec::Codec::enc($field, w); )*
                }
                fn dec(
                    r: &mut $crate::ingest::cache::codec::Reader<'_>,
                ) -> Result<Self, $crate::ingest::cache::codec::Malformed> {
                    Ok($ty { $($field: $crate::ingest::cache::codec::Codec::dec(r)?),* })
                }
            }
        )*
        /// The field lists of these impls, part of the cache's fingerprint.
        pub(crate) const $shape: &str = stringify!($($ty { $($field),* })*);
    };
}

/// Implements [`Codec`] for an enum by naming each variant with its tag and fields:
/// `choice!(Type { 0 => Unit, 1 => Tuple(a, b), 2 => Struct { x, y } })`. The `match` in
/// `enc` has no wildcard, so a variant left out does not compile; a tag read that is not
/// listed is [`Malformed`].
macro_rules! choice {
    ($ty:ident { $($tag:literal => $variant:ident $(( $($tf:ident),* ))? $({ $($sf:ident),* })?),* $(,)? }) => {
        impl $crate::ingest::cache::codec::Codec for $ty {
            fn enc(&self, w: &mut $crate::ingest::cache::codec::Writer) {
                match self {
                    $(
                        $ty::$variant $(( $($tf),* ))? $({ $($sf),* })? => {
                            w.uint($tag);
                            $($( $crate::ingest::cache::codec::Codec::enc($tf, w); )*)?
                            $($( $crate::ingest::cache::codec::Codec::enc($sf, w); )*)?
                        }
                    )*
                }
            }
            fn dec(
                r: &mut $crate::ingest::cache::codec::Reader<'_>,
            ) -> Result<Self, $crate::ingest::cache::codec::Malformed> {
                Ok(match r.tag()? {
                    $(
                        $tag => $ty::$variant
                            $(( $({
                                let $tf = $crate::ingest::cache::codec::Codec::dec(r)?;
                                $tf
                            }),* ))?
                            $({ $($sf: $crate::ingest::cache::codec::Codec::dec(r)?),* })?,
                    )*
                    _ => return Err($crate::ingest::cache::codec::Malformed),
                })
            }
        }
    };
}

pub(crate) use {choice, record};

#[cfg(test)]
mod tests {
    use super::*;

    fn round<T: Codec + PartialEq + std::fmt::Debug>(value: T) {
        let mut w = Writer::default();
        value.enc(&mut w);
        let mut r = Reader::new(&w.bytes);
        assert_eq!(T::dec(&mut r), Ok(value));
        assert!(r.is_empty());
    }

    #[test]
    fn standard_types_round_trip() {
        for n in [0u64, 1, 127, 128, 300, u64::MAX] {
            round(n);
        }
        for n in [0i64, -1, 1, i64::MIN, i64::MAX] {
            round(n);
        }
        round(-0.0f64);
        round(1.5f64);
        round(String::from("é\u{0}x"));
        round(Some(vec![(1u32, true), (2, false)]));
        round(BTreeMap::from([(String::from("a"), 1u8)]));
        round(jiff::Timestamp::new(1_700_000_000, 123).unwrap_or_default());
    }

    #[test]
    fn bad_input_is_malformed() {
        assert_eq!(u64::dec(&mut Reader::new(&[0xff; 11])), Err(Malformed));
        assert_eq!(bool::dec(&mut Reader::new(&[2])), Err(Malformed));
        assert_eq!(String::dec(&mut Reader::new(&[5, b'a'])), Err(Malformed));
        assert_eq!(
            Vec::<u8>::dec(&mut Reader::new(&[0xff, 0xff, 0x7f])),
            Err(Malformed)
        );
        assert_eq!(<&str>::dec(&mut Reader::new(&[1, b'z'])), Err(Malformed));
    }

    #[test]
    fn shared_texts_are_written_once() {
        let text: Arc<str> = Arc::from("the source");
        let mut w = Writer::default();
        vec![Arc::clone(&text), Arc::clone(&text)].enc(&mut w);
        let mut r = Reader::new(&w.bytes);
        let back = Vec::<Arc<str>>::dec(&mut r).unwrap_or_default();
        assert_eq!(back.len(), 2);
        assert!(Arc::ptr_eq(&back[0], &back[1]));
        assert_eq!(&*back[0], "the source");
    }
}
