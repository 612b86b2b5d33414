//! A module checked on its own, kept as bytes: how the standard modules embedded in vouch are
//! checked once, when vouch is built, instead of on every run.
//!
//! What the checker finds out about one module without its importers (its header, its
//! params' types and its controls with their metadata) depends on the module's text and on
//! the definition of the framework its header names, nothing else. A blob holds those facts,
//! in the layout of [`crate::preparsed`] (another magic, and a fingerprint of the checker's
//! result types), for one exact text and one exact framework definition: the framework's own
//! encoding is stored and compared byte for byte with the one the run has (a `--framework`
//! file that redefines it makes the checker check the module again).
//!
//! A blob is written only for a module that checks without a single diagnostic (warnings and
//! lints allowed by default included), so what it stands for is exactly "no diagnostics, and
//! these facts". Anything else, a damaged blob, another text, another framework, a type name
//! this build does not know, decodes to `None`, and the module is checked as it always was.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::ast::Module;
use crate::check::module::{ModuleFacts, check_module};
use crate::check::{CheckedControl, PolicyInfo};
use crate::framework::{Framework, Frameworks};
use crate::preparsed::{fnv1a, open, seal};
use crate::source::Source;
use crate::span::Span;
use crate::types::Type;

/// The first bytes of every blob.
pub const MAGIC: &[u8; 8] = b"vouchchk";

/// A fingerprint of what the payload's encoding depends on: the types it stores (the checker's
/// results, the framework, types and spans) and this crate's version.
pub const SCHEMA: u64 = fnv1a(
    concat!(
        env!("CARGO_PKG_VERSION"),
        "\0",
        include_str!("check/mod.rs"),
        "\0",
        include_str!("check/module.rs"),
        "\0",
        include_str!("framework.rs"),
        "\0",
        include_str!("types.rs"),
        "\0",
        include_str!("span.rs"),
        "\0",
        include_str!("prechecked.rs"),
    )
    .as_bytes(),
);

/// What checking one module on its own found, read back from a blob; used by the checker only
/// when the run's definition of the module's framework is the one it was checked against.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Prechecked {
    /// The framework the module was checked against, as postcard encodes it.
    framework: Vec<u8>,
    header: PolicyInfo,
    params: Vec<(String, StoredType, Span)>,
    /// Each with module index 0; set to the module's own index when used.
    controls: Vec<CheckedControl>,
}

impl Prechecked {
    /// The facts for the module at `index`, if `frameworks` defines the module's framework
    /// exactly as when it was checked; `None` has the checker check it.
    pub(crate) fn facts(self, frameworks: &Frameworks, index: usize) -> Option<ModuleFacts> {
        let framework = frameworks.get(&self.header.framework)?;
        if postcard::to_allocvec(framework).ok()? != self.framework {
            return None;
        }
        let mut params = BTreeMap::new();
        for (name, ty, span) in self.params {
            params.insert(name, (ty.into_type()?, span));
        }
        let mut controls = self.controls;
        for control in &mut controls {
            control.module = index;
        }
        Some(ModuleFacts {
            header: Some(self.header),
            params,
            controls,
        })
    }
}

/// The blob of `module` (the parse of `source`) checked on its own against `frameworks`;
/// `None` when checking it finds anything at all, its header names no framework of
/// `frameworks`, or it cannot be encoded (then store no blob: the module is checked at run
/// time).
pub fn encode(source: &Source, module: &Module, frameworks: &Frameworks) -> Option<Vec<u8>> {
    let mut diags = Vec::new();
    let facts = check_module(source, module, frameworks, 0, &mut diags);
    let header = facts.header?;
    if !diags.is_empty() {
        return None;
    }
    let framework: &Framework = frameworks.get(&header.framework)?;
    let stored = Prechecked {
        framework: postcard::to_allocvec(framework).ok()?,
        header,
        params: facts
            .params
            .into_iter()
            .map(|(name, (ty, span))| (name, StoredType::of(&ty), span))
            .collect(),
        controls: facts.controls,
    };
    seal(
        MAGIC,
        SCHEMA,
        source.text(),
        &postcard::to_allocvec(&stored).ok()?,
    )
}

/// The facts in `blob` if it was made by [`encode`] from exactly `text` by a build with this
/// one's types and is intact; `None` otherwise (check the module then).
pub fn decode(blob: &[u8], text: &str) -> Option<Prechecked> {
    match postcard::take_from_bytes::<Prechecked>(open(MAGIC, SCHEMA, blob, text)?) {
        Ok((prechecked, [])) => Some(prechecked),
        _ => None,
    }
}

/// A [`Type`] with its record and enum names as text (a [`Type`] holds the schema's own
/// `&'static str`, found again by name when read back).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
enum StoredType {
    Bool,
    Int,
    Number,
    String,
    Duration,
    Date,
    DateTime,
    Enum(String),
    Record(String),
    List(Box<StoredType>),
    Set(Box<StoredType>),
    Table(Box<StoredType>, Box<StoredType>),
    Optional(Box<StoredType>),
    NoneLit,
    Unknown,
    Error,
}

impl StoredType {
    fn of(ty: &Type) -> StoredType {
        let boxed = |t: &Type| Box::new(StoredType::of(t));
        match ty {
            Type::Bool => StoredType::Bool,
            Type::Int => StoredType::Int,
            Type::Number => StoredType::Number,
            Type::String => StoredType::String,
            Type::Duration => StoredType::Duration,
            Type::Date => StoredType::Date,
            Type::DateTime => StoredType::DateTime,
            Type::Enum(name) => StoredType::Enum((*name).to_owned()),
            Type::Record(name) => StoredType::Record((*name).to_owned()),
            Type::List(t) => StoredType::List(boxed(t)),
            Type::Set(t) => StoredType::Set(boxed(t)),
            Type::Table(k, v) => StoredType::Table(boxed(k), boxed(v)),
            Type::Optional(t) => StoredType::Optional(boxed(t)),
            Type::NoneLit => StoredType::NoneLit,
            Type::Unknown => StoredType::Unknown,
            Type::Error => StoredType::Error,
        }
    }

    /// The type, or `None` for a record or enum name this build's schema does not have.
    fn into_type(self) -> Option<Type> {
        let boxed = |t: Box<StoredType>| Some(Box::new(t.into_type()?));
        Some(match self {
            StoredType::Bool => Type::Bool,
            StoredType::Int => Type::Int,
            StoredType::Number => Type::Number,
            StoredType::String => Type::String,
            StoredType::Duration => Type::Duration,
            StoredType::Date => Type::Date,
            StoredType::DateTime => Type::DateTime,
            StoredType::Enum(name) => Type::Enum(crate::schema::enum_def(&name)?.name),
            StoredType::Record(name) => Type::Record(crate::schema::record(&name)?.name),
            StoredType::List(t) => Type::List(boxed(t)?),
            StoredType::Set(t) => Type::Set(boxed(t)?),
            StoredType::Table(k, v) => Type::Table(boxed(k)?, boxed(v)?),
            StoredType::Optional(t) => Type::Optional(boxed(t)?),
            StoredType::NoneLit => Type::NoneLit,
            StoredType::Unknown => Type::Unknown,
            StoredType::Error => Type::Error,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_schema_type_is_stored_and_read_back() {
        let mut types = vec![
            Type::Bool,
            Type::Int,
            Type::Number,
            Type::String,
            Type::Duration,
        ];
        types.extend([
            Type::Date,
            Type::DateTime,
            Type::NoneLit,
            Type::Unknown,
            Type::Error,
        ]);
        for record in crate::schema::records() {
            types.push(Type::Record(record.name));
        }
        for e in crate::schema::ENUMS {
            types.push(Type::Enum(e.name));
        }
        let nested = Type::Table(
            Box::new(Type::Enum("severity")),
            Box::new(Type::Optional(Box::new(Type::List(Box::new(Type::Set(
                Box::new(Type::Duration),
            )))))),
        );
        types.push(nested);
        for ty in types {
            let stored = StoredType::of(&ty);
            let bytes = postcard::to_allocvec(&stored).unwrap_or_default();
            let read: StoredType = postcard::from_bytes(&bytes).unwrap_or(StoredType::Bool);
            assert_eq!(read.into_type(), Some(ty.clone()), "{ty}");
        }
    }

    #[test]
    fn an_unknown_record_or_enum_name_is_refused() {
        assert_eq!(StoredType::Record("NoSuchRecord".into()).into_type(), None);
        let inner = StoredType::Enum("no_such_enum".into());
        assert_eq!(StoredType::List(Box::new(inner)).into_type(), None);
    }
}
