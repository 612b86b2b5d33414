//! vouch-lang: the vouch policy language.
