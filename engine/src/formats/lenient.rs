//! Lenient typed JSON: serde types that accept a value of the wrong JSON type instead of
//! failing the whole document, so that a reader can deserialize a big document straight into
//! typed structs (fast, strings borrowed from the input) and still report one bad field with
//! its JSON pointer while using the rest.
//!
//! Every leaf is one of these; then the only errors left for `serde_json` to raise are
//! syntax errors, nesting past its limit and duplicate keys.

use std::borrow::Cow;
use std::fmt;
use std::marker::PhantomData;

use serde::de::value::{MapAccessDeserializer, SeqAccessDeserializer};
use serde::de::{self, Deserialize, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};

/// What a JSON value was, for messages (`expected a string, found a number`).
const NUMBER: &str = "a number";
const BOOLEAN: &str = "a boolean";
const STRING: &str = "a string";
const ARRAY: &str = "an array";
const OBJECT: &str = "an object";

/// Reads and drops the rest of an array.
fn drain_seq<'de, A: SeqAccess<'de>>(mut seq: A) -> Result<(), A::Error> {
    while seq.next_element::<IgnoredAny>()?.is_some() {}
    Ok(())
}

/// Reads and drops the rest of an object.
fn drain_map<'de, A: MapAccess<'de>>(mut map: A) -> Result<(), A::Error> {
    while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
    Ok(())
}

/// A value that should be a string.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) enum Text<'a> {
    /// Absent or `null`.
    #[default]
    Absent,
    /// A string (borrowed from the input when it has no escapes).
    Str(Cow<'a, str>),
    /// Something else: what it was.
    Wrong(&'static str),
}

impl<'a> Text<'a> {
    /// The string, trimmed, when it is a non-empty string.
    pub fn get(&self) -> Option<&str> {
        match self {
            Text::Str(s) => Some(s.trim()).filter(|s| !s.is_empty()),
            _ => None,
        }
    }

    /// What it was when it is not a string.
    pub fn wrong(&self) -> Option<&'static str> {
        match self {
            Text::Wrong(found) => Some(found),
            _ => None,
        }
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for Text<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<'a>(PhantomData<&'a ()>);
        impl<'de: 'a, 'a> Visitor<'de> for V<'a> {
            type Value = Text<'a>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("any JSON value")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Text<'a>, E> {
                Ok(Text::Str(Cow::Borrowed(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Text<'a>, E> {
                Ok(Text::Str(Cow::Owned(v.to_owned())))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Text<'a>, E> {
                Ok(Text::Str(Cow::Owned(v)))
            }
            fn visit_unit<E: de::Error>(self) -> Result<Text<'a>, E> {
                Ok(Text::Absent)
            }
            fn visit_none<E: de::Error>(self) -> Result<Text<'a>, E> {
                Ok(Text::Absent)
            }
            fn visit_bool<E: de::Error>(self, _: bool) -> Result<Text<'a>, E> {
                Ok(Text::Wrong(BOOLEAN))
            }
            fn visit_i64<E: de::Error>(self, _: i64) -> Result<Text<'a>, E> {
                Ok(Text::Wrong(NUMBER))
            }
            fn visit_u64<E: de::Error>(self, _: u64) -> Result<Text<'a>, E> {
                Ok(Text::Wrong(NUMBER))
            }
            fn visit_f64<E: de::Error>(self, _: f64) -> Result<Text<'a>, E> {
                Ok(Text::Wrong(NUMBER))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Text<'a>, A::Error> {
                drain_seq(seq).map(|()| Text::Wrong(ARRAY))
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Text<'a>, A::Error> {
                drain_map(map).map(|()| Text::Wrong(OBJECT))
            }
        }
        d.deserialize_any(V(PhantomData))
    }
}

/// A value that should be a number.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub(crate) enum Num {
    /// Absent or `null`.
    #[default]
    Absent,
    /// A number.
    Value(f64),
    /// Something else: what it was.
    Wrong(&'static str),
}

impl Num {
    /// The number, when it is one.
    pub fn get(self) -> Option<f64> {
        match self {
            Num::Value(n) => Some(n),
            _ => None,
        }
    }
}

impl<'de> Deserialize<'de> for Num {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Num;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("any JSON value")
            }
            fn visit_str<E: de::Error>(self, _: &str) -> Result<Num, E> {
                Ok(Num::Wrong(STRING))
            }
            fn visit_unit<E: de::Error>(self) -> Result<Num, E> {
                Ok(Num::Absent)
            }
            fn visit_none<E: de::Error>(self) -> Result<Num, E> {
                Ok(Num::Absent)
            }
            fn visit_bool<E: de::Error>(self, _: bool) -> Result<Num, E> {
                Ok(Num::Wrong(BOOLEAN))
            }
            #[allow(clippy::cast_precision_loss, reason = "scores are small numbers")]
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Num, E> {
                Ok(Num::Value(v as f64))
            }
            #[allow(clippy::cast_precision_loss, reason = "scores are small numbers")]
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Num, E> {
                Ok(Num::Value(v as f64))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Num, E> {
                Ok(Num::Value(v))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Num, A::Error> {
                drain_seq(seq).map(|()| Num::Wrong(ARRAY))
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Num, A::Error> {
                drain_map(map).map(|()| Num::Wrong(OBJECT))
            }
        }
        d.deserialize_any(V)
    }
}

/// A value that should be an object, read as `T`.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) enum Obj<T> {
    /// Absent or `null`.
    #[default]
    Absent,
    /// An object.
    Ok(T),
    /// Something else: what it was.
    Wrong(&'static str),
}

impl<T> Obj<T> {
    /// The object, when it is one.
    pub fn get(&self) -> Option<&T> {
        match self {
            Obj::Ok(t) => Some(t),
            _ => None,
        }
    }

    /// What it was when it is not an object.
    pub fn wrong(&self) -> Option<&'static str> {
        match self {
            Obj::Wrong(found) => Some(found),
            _ => None,
        }
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Obj<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<T>(PhantomData<T>);
        impl<'de, T: Deserialize<'de>> Visitor<'de> for V<T> {
            type Value = Obj<T>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("any JSON value")
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Obj<T>, A::Error> {
                T::deserialize(MapAccessDeserializer::new(map)).map(Obj::Ok)
            }
            fn visit_str<E: de::Error>(self, _: &str) -> Result<Obj<T>, E> {
                Ok(Obj::Wrong(STRING))
            }
            fn visit_unit<E: de::Error>(self) -> Result<Obj<T>, E> {
                Ok(Obj::Absent)
            }
            fn visit_none<E: de::Error>(self) -> Result<Obj<T>, E> {
                Ok(Obj::Absent)
            }
            fn visit_bool<E: de::Error>(self, _: bool) -> Result<Obj<T>, E> {
                Ok(Obj::Wrong(BOOLEAN))
            }
            fn visit_i64<E: de::Error>(self, _: i64) -> Result<Obj<T>, E> {
                Ok(Obj::Wrong(NUMBER))
            }
            fn visit_u64<E: de::Error>(self, _: u64) -> Result<Obj<T>, E> {
                Ok(Obj::Wrong(NUMBER))
            }
            fn visit_f64<E: de::Error>(self, _: f64) -> Result<Obj<T>, E> {
                Ok(Obj::Wrong(NUMBER))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Obj<T>, A::Error> {
                drain_seq(seq).map(|()| Obj::Wrong(ARRAY))
            }
        }
        d.deserialize_any(V(PhantomData))
    }
}

/// A value that should be an array whose elements are read as `T` (each lenient itself:
/// `T` is usually [`Obj`] or [`Text`]).
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) enum Many<T> {
    /// Absent or `null`.
    #[default]
    Absent,
    /// An array.
    List(Vec<T>),
    /// Something else: what it was.
    Wrong(&'static str),
}

impl<T> Many<T> {
    /// The elements (none when it is not an array).
    pub fn items(&self) -> &[T] {
        match self {
            Many::List(items) => items,
            _ => &[],
        }
    }

    /// What it was when it is not an array.
    pub fn wrong(&self) -> Option<&'static str> {
        match self {
            Many::Wrong(found) => Some(found),
            _ => None,
        }
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Many<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<T>(PhantomData<T>);
        impl<'de, T: Deserialize<'de>> Visitor<'de> for V<T> {
            type Value = Many<T>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("any JSON value")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Many<T>, A::Error> {
                Vec::<T>::deserialize(SeqAccessDeserializer::new(seq)).map(Many::List)
            }
            fn visit_str<E: de::Error>(self, _: &str) -> Result<Many<T>, E> {
                Ok(Many::Wrong(STRING))
            }
            fn visit_unit<E: de::Error>(self) -> Result<Many<T>, E> {
                Ok(Many::Absent)
            }
            fn visit_none<E: de::Error>(self) -> Result<Many<T>, E> {
                Ok(Many::Absent)
            }
            fn visit_bool<E: de::Error>(self, _: bool) -> Result<Many<T>, E> {
                Ok(Many::Wrong(BOOLEAN))
            }
            fn visit_i64<E: de::Error>(self, _: i64) -> Result<Many<T>, E> {
                Ok(Many::Wrong(NUMBER))
            }
            fn visit_u64<E: de::Error>(self, _: u64) -> Result<Many<T>, E> {
                Ok(Many::Wrong(NUMBER))
            }
            fn visit_f64<E: de::Error>(self, _: f64) -> Result<Many<T>, E> {
                Ok(Many::Wrong(NUMBER))
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Many<T>, A::Error> {
                drain_map(map).map(|()| Many::Wrong(OBJECT))
            }
        }
        d.deserialize_any(V(PhantomData))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Default, serde::Deserialize)]
    #[serde(default)]
    struct Doc<'a> {
        #[serde(borrow)]
        name: Text<'a>,
        score: Num,
        #[serde(borrow)]
        items: Many<Obj<Item<'a>>>,
    }

    #[derive(Debug, Default, serde::Deserialize)]
    #[serde(default)]
    struct Item<'a> {
        #[serde(borrow)]
        id: Text<'a>,
    }

    #[test]
    fn wrong_types_are_values_not_errors() {
        let doc: Doc<'_> = serde_json::from_str(
            r#"{"name": {"a": [1, 2]}, "score": "high", "items": [{"id": "x"}, 3, {"id": 4}, null],
                "other": [1, {"deep": true}]}"#,
        )
        .unwrap();
        assert_eq!(doc.name.wrong(), Some(OBJECT));
        assert_eq!(doc.score, Num::Wrong(STRING));
        let items = doc.items.items();
        assert_eq!(items.len(), 4);
        assert_eq!(items[0].get().and_then(|i| i.id.get()), Some("x"));
        assert_eq!(items[1].wrong(), Some(NUMBER));
        assert_eq!(items[2].get().and_then(|i| i.id.wrong()), Some(NUMBER));
        assert!(matches!(items[3], Obj::Absent));
    }

    #[test]
    fn strings_without_escapes_are_borrowed() {
        let doc: Doc<'_> = serde_json::from_str(r#"{"name": "plain", "items": "no"}"#).unwrap();
        assert!(matches!(doc.name, Text::Str(Cow::Borrowed("plain"))));
        assert_eq!(doc.items.wrong(), Some(STRING));
        let doc: Doc<'_> = serde_json::from_str(r#"{"name": "a\u0026b"}"#).unwrap();
        assert_eq!(doc.name.get(), Some("a&b"));
    }

    #[test]
    fn syntax_errors_and_deep_nesting_are_errors() {
        assert!(serde_json::from_str::<Doc<'_>>(r#"{"name": "x""#).is_err());
        let deep = format!("{{\"name\": {}", "[".repeat(10_000));
        assert!(serde_json::from_str::<Doc<'_>>(&deep).is_err());
    }
}
