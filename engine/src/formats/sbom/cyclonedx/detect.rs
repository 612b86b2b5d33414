//! Recognising CycloneDX JSON (and XML, which is recognised and not read).

use crate::formats::{Confidence, DetectInput};

/// Whether a file is a CycloneDX document, by name and by content.
pub(super) fn detect(input: &DetectInput<'_>) -> Confidence {
    let name = input.file_name();
    let by_name = [".cdx.json", ".cyclonedx.json", "bom.json"]
        .iter()
        .any(|s| name.ends_with(s));
    let Some(text) = input.text.as_deref() else {
        return Confidence::of(false, by_name);
    };
    let keys = input.json_keys();
    let declared = keys.contains(&"bomFormat") && text.contains("CycloneDX");
    // Writers that order keys (cyclonedx-py `--output-reproducible`) put `bomFormat` after
    // `components`: in an SBOM of a real environment it is past the head. A head cut off
    // with only CycloneDX keys so far and `bom-ref`s in them is CycloneDX's shape (the
    // parse then requires `bomFormat`).
    let cut_before_format = !input.head_is_whole_file()
        && !keys.is_empty()
        && keys.iter().all(|k| LEADING_KEYS.contains(k))
        && text.contains("\"bom-ref\"");
    let by_content = declared || cut_before_format || is_xml(text);
    Confidence::of(by_content, by_name)
}

/// Top-level CycloneDX keys a writer may put before `bomFormat`.
const LEADING_KEYS: &[&str] = &[
    "$schema",
    "annotations",
    "components",
    "compositions",
    "dependencies",
    "externalReferences",
    "metadata",
    "serialNumber",
    "services",
    "version",
];

/// A CycloneDX XML document (recognised, not read).
pub(super) fn is_xml(text: &str) -> bool {
    let text = text.trim_start_matches('\u{feff}').trim_start();
    text.starts_with('<') && text.contains("<bom") && text.contains("cyclonedx.org/schema/bom")
}
