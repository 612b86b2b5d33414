//! The types of the policy language, shared by the checker, the evidence schema and the engine.

use std::fmt;

/// A type of a value in a policy.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Type {
    /// `true` / `false`
    Bool,
    /// 64-bit integers
    Int,
    /// decimal numbers, e.g. a CVSS score
    Number,
    /// text
    String,
    /// a length of time (`48h`, `12 months`)
    Duration,
    /// a calendar date
    Date,
    /// an instant (date and time with a zone offset)
    DateTime,
    /// one of a fixed set of names, e.g. `severity`
    Enum(&'static str),
    /// an evidence record, e.g. `Artifact`
    Record(&'static str),
    /// an ordered collection
    List(Box<Type>),
    /// an unordered collection without duplicates
    Set(Box<Type>),
    /// a map from keys to values
    Table(Box<Type>, Box<Type>),
    /// a value that may be `none`
    Optional(Box<Type>),
    /// the type of the literal `none`
    NoneLit,
    /// the element type of an empty list or table: fits any type
    Unknown,
    /// the type of an expression that already has an error: fits any type and reports nothing
    /// more, so one mistake never cascades
    Error,
}

impl Type {
    /// `T?`, without nesting optionals.
    pub fn optional(self) -> Type {
        match self {
            Type::Optional(_) | Type::NoneLit | Type::Error | Type::Unknown => self,
            other => Type::Optional(Box::new(other)),
        }
    }

    /// The type without its `?`.
    pub fn unwrap_optional(&self) -> &Type {
        match self {
            Type::Optional(inner) => inner,
            other => other,
        }
    }

    /// Whether the value may be `none`.
    pub fn is_optional(&self) -> bool {
        matches!(self, Type::Optional(_) | Type::NoneLit)
    }

    /// Whether this is [`Type::Error`] or [`Type::Unknown`], which fit anywhere.
    pub fn is_wildcard(&self) -> bool {
        matches!(self, Type::Error | Type::Unknown)
    }

    /// The element type, if this is a list or set (through `?`).
    pub fn element(&self) -> Option<&Type> {
        match self.unwrap_optional() {
            Type::List(t) | Type::Set(t) => Some(t),
            _ => None,
        }
    }

    /// Whether a value of type `self` can be used where `expected` is needed.
    pub fn fits(&self, expected: &Type) -> bool {
        if self == expected || self.is_wildcard() || expected.is_wildcard() {
            return true;
        }
        match (self, expected) {
            (Type::NoneLit, Type::Optional(_)) => true,
            (Type::Int, Type::Number) => true,
            (Type::Optional(a), Type::Optional(b)) => a.fits(b),
            (a, Type::Optional(b)) => a.fits(b),
            (Type::List(a) | Type::Set(a), Type::List(b) | Type::Set(b)) => a.fits(b),
            (Type::Table(ka, va), Type::Table(kb, vb)) => ka.fits(kb) && va.fits(vb),
            _ => false,
        }
    }
}

impl fmt::Display for Type {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Type::Bool => f.write_str("bool"),
            Type::Int => f.write_str("int"),
            Type::Number => f.write_str("number"),
            Type::String => f.write_str("string"),
            Type::Duration => f.write_str("duration"),
            Type::Date => f.write_str("date"),
            Type::DateTime => f.write_str("datetime"),
            Type::Enum(name) | Type::Record(name) => f.write_str(name),
            Type::List(t) => write!(f, "list<{t}>"),
            Type::Set(t) => write!(f, "set<{t}>"),
            Type::Table(k, v) => write!(f, "table<{k}, {v}>"),
            Type::Optional(t) => write!(f, "{t}?"),
            Type::NoneLit => f.write_str("none"),
            Type::Unknown => f.write_str("_"),
            Type::Error => f.write_str("{error}"),
        }
    }
}

/// A problem resolving a type name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TypeNameError {
    /// No type has this name.
    Unknown(String),
    /// The type takes `expected` arguments, not `found`.
    Arity {
        /// The type name.
        name: String,
        /// How many it takes.
        expected: usize,
        /// How many were given.
        found: usize,
    },
}

/// Resolves a type name with its arguments (already resolved) into a [`Type`].
///
/// `lookup` resolves names that are not built in (enums and records of the schema).
pub fn resolve_type_name(
    name: &str,
    args: Vec<Type>,
    lookup: impl Fn(&str) -> Option<Type>,
) -> Result<Type, TypeNameError> {
    let found = args.len();
    let arity = |expected: usize| TypeNameError::Arity {
        name: name.to_string(),
        expected,
        found,
    };
    let simple = match name {
        "bool" => Some(Type::Bool),
        "int" => Some(Type::Int),
        "number" => Some(Type::Number),
        "string" => Some(Type::String),
        "duration" => Some(Type::Duration),
        "date" => Some(Type::Date),
        "datetime" => Some(Type::DateTime),
        _ => None,
    };
    if let Some(t) = simple.or_else(|| match name {
        "list" | "set" | "table" => None,
        other => lookup(other),
    }) {
        return if args.is_empty() {
            Ok(t)
        } else {
            Err(arity(0))
        };
    }
    let mut args = args.into_iter();
    match (name, found) {
        ("list", 1) => Ok(Type::List(Box::new(args.next().unwrap_or(Type::Error)))),
        ("set", 1) => Ok(Type::Set(Box::new(args.next().unwrap_or(Type::Error)))),
        ("table", 2) => {
            let k = args.next().unwrap_or(Type::Error);
            let v = args.next().unwrap_or(Type::Error);
            Ok(Type::Table(Box::new(k), Box::new(v)))
        }
        ("list" | "set", _) => Err(arity(1)),
        ("table", _) => Err(arity(2)),
        _ => Err(TypeNameError::Unknown(name.to_string())),
    }
}

/// The names of the built-in types, for suggestions.
pub const BUILTIN_TYPE_NAMES: &[&str] = &[
    "bool", "int", "number", "string", "duration", "date", "datetime", "list", "set", "table",
];
