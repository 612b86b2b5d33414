//! Prints the AST dump or the diagnostics of a policy file (a development aid).
#![allow(missing_docs)]
fn main() {
    let path = std::env::args().nth(1).unwrap_or_default();
    let bytes = std::fs::read(&path).unwrap_or_default();
    let source = match vouch_lang::Source::from_bytes(path.as_str(), &bytes) {
        Ok(s) => s,
        Err(d) => return println!("{d:?}"),
    };
    match vouch_lang::parse(&source) {
        Ok(m) => print!("{}", vouch_lang::dump::module(&m)),
        Err(ds) => ds
            .iter()
            .for_each(|d| println!("{} {:?} {}", d.code, d.span(), d.message)),
    }
}
