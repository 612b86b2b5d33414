//! The standard policy packs and framework definitions of vouch, embedded in the binary.
//!
//! Everything here is plain data: `.vouch` policy sources and framework TOML files, also usable
//! as files from the `stdlib-policies/` folder of the repository.

/// A framework definition (a code of practice): its id and TOML source text.
#[derive(Debug, Clone, Copy)]
pub struct EmbeddedFramework {
    /// The framework id that policies name in `framework = "..."`.
    pub id: &'static str,
    /// The path of the file inside `stdlib-policies/`, for diagnostics.
    pub path: &'static str,
    /// The TOML source text.
    pub source: &'static str,
    /// The framework read from `source` when vouch was built, as
    /// `vouch_lang::Framework::encode` stores it (empty if it did not read then).
    /// `vouch_lang::Framework::decode` reads it back and refuses it unless it is intact and
    /// made from exactly `source`, by a build with the same framework types.
    pub read: &'static [u8],
}

include!(concat!(env!("OUT_DIR"), "/embedded.rs"));

/// A standard policy module, imported by `use std.NAME`.
#[derive(Debug, Clone, Copy)]
pub struct EmbeddedModule {
    /// The module name after `std.` (for example `uk_sscop`).
    pub name: &'static str,
    /// The path of the file inside `stdlib-policies/`, for diagnostics.
    pub path: &'static str,
    /// The policy source text.
    pub source: &'static str,
    /// The module parsed when vouch was built, as `vouch_lang::preparsed::encode` stores it
    /// for `source` (empty if it did not parse then). `vouch_lang::preparsed::decode` reads it
    /// back and refuses it unless it is intact and made from exactly `source`, by a build with
    /// the same AST types.
    pub ast: &'static [u8],
    /// The module checked on its own when vouch was built, as `vouch_lang::prechecked::encode`
    /// stores it for `source` against the embedded frameworks (empty if checking it found
    /// anything then). `vouch_lang::prechecked::decode` reads it back, refusing it unless it
    /// is intact and made from exactly `source`; the checker then uses it only when the run
    /// defines the module's framework as the embedded one.
    pub checked: &'static [u8],
}

/// Looks up a framework definition by id.
pub fn framework(id: &str) -> Option<&'static EmbeddedFramework> {
    FRAMEWORKS.iter().find(|f| f.id == id)
}

/// Looks up a standard module by name (the part after `std.`).
pub fn module(name: &str) -> Option<&'static EmbeddedModule> {
    MODULES.iter().find(|m| m.name == name)
}
