//! Where policies come from on disk: reading files, finding `.vouch` files in directories,
//! resolving imports, and the frameworks and standard modules embedded in the binary.

use std::path::{Path, PathBuf};

use vouch_engine::input_file::{InputFileError, MAX_INPUT_FILE, read_input_file};
use vouch_lang::{Diagnostic, Framework, Frameworks, ImportTarget, Loader, Source};

/// Loads imports: `import "x.vouch"` relative to the importing file, `use std.NAME` from the
/// embedded standard library.
#[derive(Debug, Default, Clone, Copy)]
pub struct FileLoader;

impl Loader for FileLoader {
    fn load(&self, from: &Source, target: &ImportTarget) -> Result<Source, String> {
        match target {
            ImportTarget::Std(name) => match vouch_stdlib::module(name) {
                Some(m) => Ok(Source::new(format!("std.{}", m.name), m.source)),
                None => {
                    let known: Vec<String> = vouch_stdlib::MODULES
                        .iter()
                        .map(|m| format!("`std.{}`", m.name))
                        .collect();
                    Err(match known.as_slice() {
                        [] => "no standard module has this name".to_string(),
                        [one] => format!("no standard module has this name (there is {one})"),
                        many => format!(
                            "no standard module has this name (there are {})",
                            many.join(", ")
                        ),
                    })
                }
            },
            ImportTarget::Path(rel) => {
                if from.name().starts_with("std.") {
                    return Err("standard modules cannot import files".to_string());
                }
                let base = Path::new(from.name()).parent().unwrap_or(Path::new(""));
                let path = normalise(&base.join(rel));
                read_source(&path).map_err(|d| d.message)
            }
        }
    }

    fn preparsed(&self, source: &Source) -> Option<vouch_lang::ast::Module> {
        preparsed(source)
    }

    fn prechecked(&self, source: &Source) -> Option<vouch_lang::prechecked::Prechecked> {
        let text = source.text();
        let module = vouch_stdlib::MODULES.iter().find(|m| m.source == text)?;
        vouch_lang::prechecked::decode(module.checked, text)
    }
}

/// The build-time parse of `source` when its text is exactly that of an embedded standard
/// module (`use std.NAME`, or the pack's file read from disk, `vouch check
/// stdlib-policies/uk-sscop`); `None` for any other text, or if the stored parse is refused
/// ([`vouch_lang::preparsed::decode`]): then the text is parsed.
pub fn preparsed(source: &Source) -> Option<vouch_lang::ast::Module> {
    let text = source.text();
    let module = vouch_stdlib::MODULES.iter().find(|m| m.source == text)?;
    vouch_lang::preparsed::decode(module.ast, text)
}

/// Parses `source`, or reads its build-time parse if it is a standard module's text: what
/// [`vouch_lang::parse`] gives, sooner.
pub fn parse(source: &Source) -> Result<vouch_lang::ast::Module, Vec<Diagnostic>> {
    match preparsed(source) {
        Some(module) => Ok(module),
        None => vouch_lang::parse(source),
    }
}

/// Resolves `.` and `..` components without touching the file system, so one file imported by
/// two spellings of its path has one name.
fn normalise(path: &Path) -> PathBuf {
    use std::path::Component;
    let mut out = PathBuf::new();
    for part in path.components() {
        match part {
            Component::CurDir => {}
            Component::ParentDir
                if matches!(out.components().next_back(), Some(Component::Normal(_))) =>
            {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

/// Reads a policy file into a source named by its path: a regular file of at most
/// [`vouch_lang::MAX_SOURCE_BYTES`].
pub fn read_source(path: &Path) -> Result<Source, Box<Diagnostic>> {
    let name = display_path(path);
    match read_input_file(path, vouch_lang::MAX_SOURCE_BYTES as u64) {
        Ok(bytes) => Source::from_bytes(name, &bytes),
        Err(err) => Err(Box::new(input_diagnostic(path, &err))),
    }
}

/// The diagnostic for an input file that was not read: not a regular file, too large, or
/// unreadable.
pub fn input_diagnostic(path: &Path, err: &InputFileError) -> Diagnostic {
    let name = display_path(path);
    let code = match err {
        InputFileError::NotRegular { .. } => vouch_lang::Code::NotRegularFile,
        InputFileError::TooLarge { .. } => vouch_lang::Code::TooLarge,
        InputFileError::Io(e) => return unreadable(path, &io_reason(e)),
    };
    Diagnostic::unlocated(
        code,
        Source::new(name.clone(), ""),
        format!("cannot read `{name}`: {}", err.reason()),
    )
    .with_help(err.help())
}

/// The diagnostic for an input that cannot be read.
pub fn unreadable(path: &Path, reason: &str) -> Diagnostic {
    let name = display_path(path);
    Diagnostic::unlocated(
        vouch_lang::Code::Unreadable,
        Source::new(name.clone(), ""),
        format!("cannot read `{name}`: {reason}"),
    )
}

/// A short reason for an I/O error, without the OS error number.
pub fn io_reason(err: &std::io::Error) -> String {
    match err.kind() {
        std::io::ErrorKind::NotFound => "no such file".to_string(),
        std::io::ErrorKind::PermissionDenied => "permission denied".to_string(),
        std::io::ErrorKind::IsADirectory => "it is a directory".to_string(),
        _ => err.to_string(),
    }
}

/// A path as shown in diagnostics: `/`-separated, without a leading `./`.
pub fn display_path(path: &Path) -> String {
    let text = path.to_string_lossy().replace('\\', "/");
    text.strip_prefix("./").map(str::to_string).unwrap_or(text)
}

/// The `.vouch` files named by `inputs`: files as given, directories searched recursively,
/// sorted; and a diagnostic for each input that does not exist or holds no policy.
pub fn policy_files(inputs: &[PathBuf]) -> (Vec<PathBuf>, Vec<Diagnostic>) {
    let mut files = Vec::new();
    let mut errors = Vec::new();
    for input in inputs {
        if input.is_dir() {
            let before = files.len();
            collect_dir(input, &mut files, 0);
            if files.len() == before {
                errors.push(unreadable(input, "the directory holds no `.vouch` file"));
            }
        } else if input.exists() {
            files.push(input.clone());
        } else {
            errors.push(unreadable(input, "no such file or directory"));
        }
    }
    files.sort();
    files.dedup();
    (files, errors)
}

fn collect_dir(dir: &Path, out: &mut Vec<PathBuf>, depth: usize) {
    if depth > 32 {
        return;
    }
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<PathBuf> = entries.flatten().map(|e| e.path()).collect();
    entries.sort();
    for path in entries {
        let is_link = path
            .symlink_metadata()
            .map(|m| m.file_type().is_symlink())
            .unwrap_or(true);
        if path.is_dir() && !is_link {
            collect_dir(&path, out, depth + 1);
        } else if path.extension().and_then(|e| e.to_str()) == Some("vouch") {
            out.push(path);
        }
    }
}

/// The embedded frameworks plus those in the given TOML files.
pub fn frameworks(extra: &[PathBuf]) -> Result<Frameworks, Vec<Diagnostic>> {
    let mut set = Frameworks::new();
    let mut diags = Vec::new();
    for embedded in vouch_stdlib::FRAMEWORKS {
        // Read when vouch was built, unless that read does not hold for this text.
        if let Some(fw) = Framework::decode(embedded.read, embedded.source) {
            set.insert(fw);
            continue;
        }
        let source = Source::new(format!("std:{}", embedded.path), embedded.source);
        match Framework::from_toml(&source) {
            Ok(fw) => set.insert(fw),
            Err(d) => diags.push(*d),
        }
    }
    for path in extra {
        let source = match read_input_file(path, MAX_INPUT_FILE) {
            Ok(bytes) => match Source::from_bytes(display_path(path), &bytes) {
                Ok(s) => s,
                Err(d) => {
                    diags.push(*d);
                    continue;
                }
            },
            Err(err) => {
                diags.push(input_diagnostic(path, &err));
                continue;
            }
        };
        match Framework::from_toml(&source) {
            Ok(fw) => set.insert(fw),
            Err(d) => diags.push(*d),
        }
    }
    if diags.is_empty() {
        Ok(set)
    } else {
        Err(diags)
    }
}

/// The root file of a policy given as `path`: the file itself, or, for a directory, the one
/// `.vouch` file in it (searched recursively) that no other file there imports. Zero or
/// several roots is an error that lists them.
pub fn policy_root(path: &Path) -> Result<PathBuf, String> {
    if !path.is_dir() {
        return if path.exists() {
            Ok(path.to_path_buf())
        } else {
            Err(format!("policy `{}` does not exist", display_path(path)))
        };
    }
    let (files, _) = policy_files(&[path.to_path_buf()]);
    let mut imported = std::collections::BTreeSet::new();
    for file in &files {
        let Ok(source) = read_source(file) else {
            continue;
        };
        let Ok(module) = parse(&source) else {
            continue;
        };
        let base = file.parent().unwrap_or(Path::new(""));
        for item in &module.items {
            if let vouch_lang::ast::Item::Import(i) = item {
                imported.insert(normalise(&base.join(&i.path.value)));
            }
        }
    }
    let roots: Vec<&PathBuf> = files
        .iter()
        .filter(|f| !imported.contains(&normalise(f)))
        .collect();
    match roots.as_slice() {
        [root] => Ok((*root).clone()),
        [] if files.is_empty() => Err(format!("`{}` holds no `.vouch` file", display_path(path))),
        [] => Err(format!(
            "every `.vouch` file in `{}` is imported by another, so none is the root",
            display_path(path)
        )),
        several => {
            let names: Vec<String> = several
                .iter()
                .map(|p| format!("`{}`", display_path(p)))
                .collect();
            Err(format!(
                "`{}` holds {} root policies ({}); name one file with `--policy`",
                display_path(path),
                several.len(),
                names.join(", ")
            ))
        }
    }
}
