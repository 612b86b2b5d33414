//! The built-in functions and their typing rules.
//!
//! Every function is total: on `none` arguments it returns `none` (the result type is then
//! optional), never an error.

use crate::types::Type;

/// A built-in function.
#[derive(Debug, Clone, Copy)]
pub struct Builtin {
    /// Its name.
    pub name: &'static str,
    /// How it is written, for help lines.
    pub signature: &'static str,
    /// What it does.
    pub doc: &'static str,
    /// How many arguments it takes.
    pub arity: usize,
}

/// Every built-in function, sorted by name.
pub const BUILTINS: &[Builtin] = &[
    Builtin {
        name: "contains",
        signature: "contains(text: string, part: string) -> bool, contains(items: list<T>, item: T) -> bool",
        doc: "whether `text` contains `part`, or `items` contains `item`",
        arity: 2,
    },
    Builtin {
        name: "days",
        signature: "days(d: duration) -> int",
        doc: "the whole days in `d`",
        arity: 1,
    },
    Builtin {
        name: "ends_with",
        signature: "ends_with(text: string, suffix: string) -> bool",
        doc: "whether `text` ends with `suffix`",
        arity: 2,
    },
    Builtin {
        name: "len",
        signature: "len(x: list<T> | set<T> | table<K, V> | string) -> int",
        doc: "the number of elements, entries or characters",
        arity: 1,
    },
    Builtin {
        name: "lower",
        signature: "lower(text: string) -> string",
        doc: "`text` in lowercase",
        arity: 1,
    },
    Builtin {
        name: "matches",
        signature: "matches(text: string, glob: string) -> bool",
        doc: "whether `text` matches the glob (`*` any run of characters except `/`, `**` any run, `?` one character)",
        arity: 2,
    },
    Builtin {
        name: "starts_with",
        signature: "starts_with(text: string, prefix: string) -> bool",
        doc: "whether `text` starts with `prefix`",
        arity: 2,
    },
    Builtin {
        name: "upper",
        signature: "upper(text: string) -> string",
        doc: "`text` in uppercase",
        arity: 1,
    },
];

/// Looks up a built-in by name.
pub fn builtin(name: &str) -> Option<&'static Builtin> {
    BUILTINS.iter().find(|b| b.name == name)
}

/// Why a call does not type-check: the index of the offending argument and what it needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArgError {
    /// Which argument (0-based).
    pub index: usize,
    /// What it should be, in words.
    pub expected: String,
}

/// The result type of calling `f` with arguments of these types.
pub fn result_type(f: &Builtin, args: &[Type]) -> Result<Type, ArgError> {
    let lifted = args.iter().any(Type::is_optional);
    let plain: Vec<&Type> = args.iter().map(Type::unwrap_optional).collect();
    let need = |index: usize, expected: &str| ArgError {
        index,
        expected: expected.to_string(),
    };
    let is = |index: usize, want: &Type| {
        plain
            .get(index)
            .is_some_and(|t| t.fits(want) || t.is_wildcard())
    };
    let result = match f.name {
        "len" => match plain.first() {
            Some(
                Type::List(_)
                | Type::Set(_)
                | Type::Table(..)
                | Type::String
                | Type::Error
                | Type::Unknown,
            ) => Type::Int,
            _ => return Err(need(0, "a list, set, table or string")),
        },
        "days" => {
            if !is(0, &Type::Duration) {
                return Err(need(0, "a `duration`"));
            }
            Type::Int
        }
        "lower" | "upper" => {
            if !is(0, &Type::String) {
                return Err(need(0, "a `string`"));
            }
            Type::String
        }
        "starts_with" | "ends_with" | "matches" => {
            for i in 0..2 {
                if !is(i, &Type::String) {
                    return Err(need(i, "a `string`"));
                }
            }
            Type::Bool
        }
        "contains" => match plain.first() {
            Some(Type::String) => {
                if !is(1, &Type::String) {
                    return Err(need(1, "a `string`"));
                }
                Type::Bool
            }
            Some(Type::List(elem) | Type::Set(elem)) => {
                if !is(1, elem) {
                    return Err(need(1, &format!("a `{elem}`")));
                }
                Type::Bool
            }
            Some(Type::Error | Type::Unknown) => Type::Bool,
            _ => return Err(need(0, "a string, list or set")),
        },
        _ => Type::Error,
    };
    Ok(if lifted { result.optional() } else { result })
}
