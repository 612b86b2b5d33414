//! Tests of the JSON helpers (kept beside them to keep `json_util.rs` short).
use super::*;

/// What [`parse`] and [`parse_many`] gave when the value was read and the duplicate check
/// ran after it, over the bytes again: the oracle of the one-pass reading.
fn two_passes(bytes: &[u8], many: bool) -> Result<Vec<Value>, Vec<Finding>> {
    let bytes = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
    let values = if many {
        serde_json::Deserializer::from_slice(bytes)
            .into_iter::<Value>()
            .collect::<Result<Vec<Value>, _>>()
    } else {
        serde_json::from_slice(bytes).map(|v| vec![v])
    };
    let values = values.map_err(|e| syntax("f.json", "doc", &e).findings)?;
    json_strict::refuse_duplicates("f.json", bytes, "doc").map_err(|p| p.findings)?;
    Ok(values)
}

fn one_pass(bytes: &[u8], many: bool) -> Result<Vec<Value>, Vec<Finding>> {
    if many {
        parse_many("f.json", bytes, "doc")
    } else {
        parse("f.json", bytes, "doc").map(|v| vec![v])
    }
    .map_err(|p| p.findings)
}

/// The one-pass reading gives the values and findings the two passes gave: on every JSON
/// file of the examples and `../shared/corpus`, on each with a key given twice, cut short,
/// or both, and on documents made to mix a duplicate with a later syntax error.
#[test]
fn one_pass_reads_as_two_passes_did() {
    let mut inputs: Vec<Vec<u8>> = [
        &br#"{"a": 1, "a": 2}"#[..],
        br#"{"a": 1, "a": 2} {"b": "\xff"#,
        br#"{"a": {"b": 1, "b": 2}, "c": [1, 2,]}"#,
        br#"{"a": 1, "b": 2} x"#,
        b"{\"a\": \"\xff\xfe\", \"a\": 1}",
        br#"{"a": 1, "\u0061": 2}"#,
        b"\xef\xbb\xbf{\"k\": [1, 2.5, -3, 1e400, null, true, \"s\"]}",
        b"{\"a\": 1}\n{\"a\": 2, \"a\": 3}\n[1,\n",
        b"",
        b"   ",
    ]
    .iter()
    .map(|b| b.to_vec())
    .collect();
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    for dir in [root.join("examples"), root.join("../shared/corpus")] {
        for entry in walkdir::WalkDir::new(dir).into_iter().flatten() {
            let name = entry.file_name().to_string_lossy();
            if !(name.ends_with(".json") || name.ends_with(".jsonl")) {
                continue;
            }
            let Ok(bytes) = std::fs::read(entry.path()) else {
                continue;
            };
            let text = String::from_utf8_lossy(&bytes).into_owned();
            if let Some(at) = text.find("\":") {
                // The first key given again right after itself.
                let start = text[..at].rfind('"').unwrap_or(0);
                let key = &text[start..at + 2];
                let twice = format!("{}{key} 0, {}", &text[..start], &text[start..]);
                inputs.push(twice.clone().into_bytes());
                inputs.push(twice.as_bytes()[..twice.len() * 2 / 3].to_vec());
            }
            inputs.push(bytes[..bytes.len() / 2].to_vec());
            inputs.push(bytes);
        }
    }
    assert!(inputs.len() > 40, "{}", inputs.len());
    for bytes in &inputs {
        for many in [false, true] {
            assert_eq!(
                one_pass(bytes, many),
                two_passes(bytes, many),
                "{} (many: {many})",
                String::from_utf8_lossy(bytes)
            );
        }
    }
}

#[test]
fn dates_with_and_without_zones() {
    assert!(matches!(when("2026-10-01T12:00:00Z"), Some(When::Exact(_))));
    assert!(matches!(
        when("2026-10-01T12:00:00+01:00"),
        Some(When::Exact(_))
    ));
    assert!(matches!(
        when("2026-10-01T12:00:00"),
        Some(When::AssumedUtc(_))
    ));
    assert!(matches!(when("2026-10-01"), Some(When::AssumedUtc(_))));
    assert_eq!(when("yesterday"), None);
}

#[test]
fn heads_end_on_character_boundaries() {
    assert_eq!(head("aé", 2), "a");
    assert_eq!(head("aé", 3), "aé");
    assert_eq!(head("abc", 10), "abc");
    assert_eq!(pointer_segment("a/b~c"), "a~1b~0c");
}

#[test]
fn wrong_types_are_located_findings() {
    let value = serde_json::json!({"s": 1, "n": "x", "a": {}, "o": [], "ok": null});
    let mut notes = Notes::new("x.json");
    assert_eq!(notes.text(&value, "s", "/v"), None);
    assert_eq!(notes.number(&value, "n", "/v"), None);
    assert!(notes.list(&value, "a", "/v").is_empty());
    assert!(notes.object(&value, "o", "/v").is_none());
    assert_eq!(notes.text(&value, "ok", "/v"), None);
    assert_eq!(notes.text(&value, "absent", "/v"), None);
    let messages: Vec<&str> = notes.findings.iter().map(|f| f.message.as_str()).collect();
    assert_eq!(
        messages,
        [
            "/v/s: expected a string, found a number",
            "/v/n: expected a number, found a string",
            "/v/a: expected an array, found an object",
            "/v/o: expected an object, found an array",
        ]
    );
}

#[test]
fn several_documents_one_after_another() {
    let values = parse_many("x.json", b"[1]\n[2, 3] {\"a\": 4}", "x").unwrap();
    assert_eq!(values.len(), 3);
    let broken = parse_many("x.json", b"[1]\n[2,", "x").unwrap_err();
    assert_eq!(broken.findings[0].line, Some(2));
    assert!(parse_many("x.json", b"  ", "x").unwrap().is_empty());
}

#[test]
fn deep_nesting_is_a_finding_not_a_crash() {
    let deep = "[".repeat(100_000);
    let parsed = parse("x.json", deep.as_bytes(), "scan").unwrap_err();
    assert_eq!(parsed.findings.len(), 1);
}

/// [`top_level_keys`] as it was written before strings were skipped with memchr: the
/// reference the faster one must agree with.
fn top_level_keys_bytewise(text: &str, max: usize) -> Vec<&str> {
    let text = text.trim_start_matches('\u{feff}').trim_start();
    let bytes = text.as_bytes();
    let mut keys = Vec::new();
    if bytes.first() != Some(&b'{') {
        return keys;
    }
    let mut depth = 0usize;
    let mut i = 0usize;
    while let Some(&b) = bytes.get(i) {
        match b {
            b'"' => {
                let start = i + 1;
                let mut j = start;
                loop {
                    match bytes.get(j) {
                        None => return keys,
                        Some(b'\\') => j += 2,
                        Some(b'"') => break,
                        Some(_) => j += 1,
                    }
                }
                if depth == 1 {
                    let after = bytes.get(j + 1..).unwrap_or_default();
                    let is_key = after
                        .iter()
                        .find(|c| !c.is_ascii_whitespace())
                        .is_some_and(|c| *c == b':');
                    if is_key && let Some(key) = text.get(start..j) {
                        keys.push(key);
                        if keys.len() >= max {
                            return keys;
                        }
                    }
                }
                i = j + 1;
                continue;
            }
            b'{' | b'[' => depth += 1,
            b'}' | b']' => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    return keys;
                }
            }
            _ => {}
        }
        i += 1;
    }
    keys
}

#[test]
fn top_level_keys_agree_with_the_bytewise_scan() {
    let mut texts: Vec<String> = [
        r#"{"a\\": 1, "b\"": "x\\\"y", "c": "\\"}"#,
        r#"{"a": "ends in a backslash\"#,
        r#"{"a": "ends in a backslash and a quote\""#,
        r#"{"a" "#,
        "{\"\u{e9}t\u{e9}\": {\"\u{1f600}\": 1}, \"z\": 2}",
    ]
    .iter()
    .map(|t| (*t).to_owned())
    .collect();
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    for dir in ["examples/bundles", "../shared/corpus"] {
        for entry in walkdir::WalkDir::new(root.join(dir)).into_iter().flatten() {
            let path = entry.path();
            if path.extension().is_some_and(|e| e == "json")
                && let Ok(text) = std::fs::read_to_string(path)
            {
                texts.push(text);
            }
        }
    }
    assert!(texts.len() > 20, "only {} texts", texts.len());
    for text in &texts {
        // Every cut of the first 300 bytes, and cuts all through the rest.
        let step = (text.len() / 97).max(1);
        let cuts = (0..text.len().min(300)).chain((300..text.len()).step_by(step));
        for cut in cuts.chain([text.len()]) {
            let Some(part) = text.get(..cut) else {
                continue;
            };
            for max in [1, 16, 64] {
                assert_eq!(
                    top_level_keys(part, max),
                    top_level_keys_bytewise(part, max),
                    "{cut} of {:?}",
                    text.get(..80)
                );
            }
        }
    }
}

#[test]
fn top_level_keys_skip_nested_ones_and_strings() {
    let text = r#" {"a": {"b": 1, "c": [{"d": 2}]}, "e\"x": "f: \"g\"", "h" : [1, "i"], "j"#;
    assert_eq!(top_level_keys(text, 10), ["a", r#"e\"x"#, "h"]);
    assert_eq!(top_level_keys(text, 1), ["a"]);
    assert!(top_level_keys("[1]", 10).is_empty());
    assert_eq!(top_level_keys("{\"a\": 1} {\"b\": 2}", 10), ["a"]);
}
