//! Embeds every framework file (`frameworks/*.toml`) and standard module (`*/*.vouch` under a
//! pack folder) so that adding one is adding a file, each framework as read
//! (`vouch_lang::Framework::encode`), and each module's parse
//! (`vouch_lang::preparsed`) and its check on its own against the embedded frameworks
//! (`vouch_lang::prechecked`), so vouch neither parses nor checks the standard pack on every
//! run.

use std::fmt::Write as _;
use std::path::Path;

fn main() {
    // Read at run time: a build script binary reused from another checkout must still look
    // in this one.
    let manifest_dir = std::env::var("CARGO_MANIFEST_DIR").unwrap_or_else(|_| ".".to_string());
    let root = Path::new(&manifest_dir);
    if !root.join("frameworks").is_dir() {
        eprintln!("error: no frameworks/ folder in {}", root.display());
        std::process::exit(1);
    }
    let out_dir_var = std::env::var("OUT_DIR").unwrap_or_default();
    let out_dir = Path::new(&out_dir_var);
    let mut out = String::new();
    out.push_str("/// Every framework vouch ships, sorted by file name.\npub const FRAMEWORKS: &[EmbeddedFramework] = &[\n");
    // Each framework read once here: kept for vouch to read back (`Framework::encode`), and
    // in the set each module is checked against (`prechecked`).
    let mut frameworks = vouch_lang::Frameworks::new();
    for path in sorted_files(&root.join("frameworks"), "toml") {
        let stem = path
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or_default()
            .to_string();
        let text = std::fs::read_to_string(&path).unwrap_or_default();
        let source = vouch_lang::Source::new(path.display().to_string(), text.as_str());
        // A file that does not read gets an empty blob: vouch reads it at run time and
        // reports what it finds there.
        let read = match vouch_lang::Framework::from_toml(&source) {
            Ok(framework) => {
                let blob = framework.encode(&text).map_or_else(
                    || "&[]".to_string(),
                    |blob| write_blob(out_dir, &format!("{stem}.framework"), &blob),
                );
                frameworks.insert(framework);
                blob
            }
            Err(_) => "&[]".to_string(),
        };
        let _ = writeln!(
            out,
            "    EmbeddedFramework {{ id: {stem:?}, path: \"frameworks/{stem}.toml\", source: include_str!({:?}), read: {read} }},",
            path.display()
        );
    }
    out.push_str("];\n\n/// Every standard policy module, sorted by name.\npub const MODULES: &[EmbeddedModule] = &[\n");
    let mut packs: Vec<_> = std::fs::read_dir(root)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            p.is_dir()
                && !matches!(
                    p.file_name().and_then(|n| n.to_str()),
                    Some("frameworks" | "src" | "tests")
                )
        })
        .collect();
    packs.sort();
    for pack in packs {
        let pack_name = pack
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default()
            .to_string();
        println!("cargo:rerun-if-changed={}", pack.display());
        for path in sorted_files(&pack, "vouch") {
            let stem = path
                .file_stem()
                .and_then(|s| s.to_str())
                .unwrap_or_default();
            // `uk-sscop/uk_sscop.vouch` is `std.uk_sscop`; other files are `std.PACK_FILE`.
            let pack_ident = pack_name.replace('-', "_");
            let name = if stem == pack_ident {
                pack_ident.clone()
            } else {
                format!("{pack_ident}_{stem}")
            };
            let (ast, checked) = preparse(&path, &name, out_dir, &frameworks);
            let _ = writeln!(
                out,
                "    EmbeddedModule {{ name: {name:?}, path: \"{pack_name}/{stem}.vouch\", source: include_str!({:?}), ast: {ast}, checked: {checked} }},",
                path.display()
            );
        }
    }
    out.push_str("];\n");
    println!(
        "cargo:rerun-if-changed={}",
        root.join("frameworks").display()
    );
    let dest = out_dir.join("embedded.rs");
    if let Err(err) = std::fs::write(&dest, out) {
        println!("cargo:warning=cannot write {}: {err}", dest.display());
    }
}

fn sorted_files(dir: &Path, ext: &str) -> Vec<std::path::PathBuf> {
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().and_then(|e| e.to_str()) == Some(ext))
        .collect();
    files.sort();
    files
}

/// Parses the module at `path`, checks it on its own against `frameworks`, and writes both
/// blobs next to `embedded.rs`; the Rust expressions of the blobs for `EmbeddedModule::ast` and
/// `EmbeddedModule::checked`. A module that does not parse, or does not check without a
/// diagnostic, (or a blob that cannot be written) gets an empty blob: vouch then parses or
/// checks it at run time and reports what it finds there.
fn preparse(
    path: &Path,
    name: &str,
    out_dir: &Path,
    frameworks: &vouch_lang::Frameworks,
) -> (String, String) {
    let empty = || "&[]".to_string();
    let Ok(text) = std::fs::read_to_string(path) else {
        return (empty(), empty());
    };
    let source = vouch_lang::Source::new(format!("std.{name}"), text.as_str());
    let Ok(module) = vouch_lang::parse(&source) else {
        return (empty(), empty());
    };
    let ast = vouch_lang::preparsed::encode(&module, &text).map_or_else(empty, |blob| {
        write_blob(out_dir, &format!("{name}.ast"), &blob)
    });
    let checked = vouch_lang::prechecked::encode(&source, &module, frameworks)
        .map_or_else(empty, |blob| {
            write_blob(out_dir, &format!("{name}.checked"), &blob)
        });
    (ast, checked)
}

/// Writes `blob` to `file` in `out_dir`; the expression that embeds it (an empty blob if it
/// cannot be written).
fn write_blob(out_dir: &Path, file: &str, blob: &[u8]) -> String {
    let dest = out_dir.join(file);
    match std::fs::write(&dest, blob) {
        Ok(()) => format!("include_bytes!({:?})", dest.display()),
        Err(err) => {
            println!("cargo:warning=cannot write {}: {err}", dest.display());
            "&[]".to_string()
        }
    }
}
