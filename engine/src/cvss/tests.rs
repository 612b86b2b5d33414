//! Unit tests: parsing details, error messages, bands, `score_matches`, and garbage input.

use super::*;

const HEARTBLEED: &str = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N";
const V4_BASE: &str = "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N";

fn err(text: &str) -> CvssError {
    match parse(text) {
        Ok(cvss) => panic!("`{text}` parsed as {cvss}"),
        Err(error) => error,
    }
}

#[test]
fn display_is_canonical() {
    // Any order in, the specification's order out; X values and whitespace dropped.
    let cvss = parse(" CVSS:3.1/A:N/I:N/C:H/S:U/UI:N/PR:N/AC:L/AV:N/E:X/RC:C\n").unwrap();
    assert_eq!(cvss.to_string(), format!("{HEARTBLEED}/RC:C"));
    assert_eq!(cvss.metric("AV"), Some("N"));
    assert_eq!(cvss.metric("E"), None);
    assert_eq!(cvss.metric("RC"), Some("C"));
    assert_eq!(cvss.metric("nope"), None);
    assert_eq!(cvss.metrics().count(), 9);
    let again: Cvss = cvss.to_string().parse().unwrap();
    assert_eq!(again, cvss);

    let v4 = parse(&format!("{V4_BASE}/U:Amber/E:X/CR:H")).unwrap();
    assert_eq!(v4.to_string(), format!("{V4_BASE}/CR:H/U:Amber"));
    assert_eq!(v4.version(), Version::V4_0);
    assert_eq!(v4.temporal_score(), None);
    assert_eq!(v4.environmental_score(), None);
}

#[test]
fn error_messages_are_precise() {
    let cases: &[(&str, &str)] = &[
        ("", "empty CVSS vector"),
        ("  \t\n", "empty CVSS vector"),
        ("CVSS:3.1/", "CVSS:3.1 vector has no metrics"),
        ("CVSS:4.0", "CVSS:4.0 vector has no metrics"),
        (
            "CVSS:2.0/AV:N/AC:L/Au:N/C:P/I:N/A:N",
            "unsupported CVSS version `2.0` (supported: 3.0, 3.1, 4.0)",
        ),
        (
            "AV:N/AC:L/Au:N/C:P/I:N/A:N",
            "not a CVSS vector: it starts with `AV:N`, not `CVSS:3.0/`, `CVSS:3.1/` or `CVSS:4.0/`",
        ),
        (
            "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N/XX:Y",
            "unknown metric `XX` in a CVSS:3.1 vector",
        ),
        (
            "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N/AT:N",
            "unknown metric `AT` in a CVSS:3.1 vector",
        ),
        (
            "CVSS:3.1/av:n/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N",
            "unknown metric `av` in a CVSS:3.1 vector",
        ),
        (
            "CVSS:3.1/AV:N/AV:L/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N",
            "metric AV appears more than once in a CVSS:3.1 vector",
        ),
        (
            "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N/E:X/E:X",
            "metric E appears more than once in a CVSS:3.1 vector",
        ),
        (
            "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N",
            "CVSS:3.1 vector lacks mandatory metric(s) A",
        ),
        (
            "CVSS:4.0/AV:N/AC:L/PR:N/UI:N",
            "CVSS:4.0 vector lacks mandatory metric(s) AT, VC, VI, VA, SC, SI, SA",
        ),
        (
            "CVSS:3.1/AV:Q/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N",
            "invalid value `Q` for metric AV in a CVSS:3.1 vector (allowed: N, A, L, P)",
        ),
        (
            "CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:X/C:H/I:N/A:N",
            "invalid value `X` for metric S in a CVSS:3.0 vector (allowed: U, C)",
        ),
        (
            "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N/U:amber",
            "invalid value `amber` for metric U in a CVSS:4.0 vector \
             (allowed: X, Clear, Green, Amber, Red)",
        ),
        (
            "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:S/SA:N",
            "invalid value `S` for metric SI in a CVSS:4.0 vector (allowed: H, L, N)",
        ),
        (
            "CVSS:3.1/AV:N//AC:L",
            "CVSS:3.1 vector has an empty component (a doubled or trailing `/`)",
        ),
        (
            "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N/",
            "CVSS:3.1 vector has an empty component (a doubled or trailing `/`)",
        ),
        (
            "CVSS:3.1/AVN/AC:L",
            "CVSS:3.1 vector component `AVN` is not a METRIC:VALUE pair",
        ),
        (
            "CVSS:3.1/AV:N:L/AC:L",
            "invalid value `N:L` for metric AV in a CVSS:3.1 vector (allowed: N, A, L, P)",
        ),
    ];
    for (text, message) in cases {
        assert_eq!(err(text).to_string(), *message, "for `{text}`");
    }
}

#[test]
fn long_input_is_quoted_short() {
    let long = "x".repeat(10_000);
    let message = err(&long).to_string();
    assert!(message.len() < 200, "{message}");
    assert!(
        message.contains(&format!("`{}…`", "x".repeat(40))),
        "{message}"
    );
    let value = format!("CVSS:3.1/AV:{}", "é".repeat(5_000));
    let message = err(&value).to_string();
    assert!(
        message.contains(&format!("`{}…`", "é".repeat(40))),
        "{message}"
    );
}

#[test]
fn severity_bands() {
    let cases = [
        (0.0, Severity::None),
        (0.04, Severity::None),
        (0.1, Severity::Low),
        (3.9, Severity::Low),
        (3.999_999_9, Severity::Medium),
        (4.0, Severity::Medium),
        (6.9, Severity::Medium),
        (7.0, Severity::High),
        (8.9, Severity::High),
        (9.0, Severity::Critical),
        (10.0, Severity::Critical),
        (-1.0, Severity::None),
        (f64::NAN, Severity::None),
    ];
    for (score, band) in cases {
        assert_eq!(Severity::from_score(score), band, "{score}");
    }
    assert_eq!(Severity::High.to_string(), "High");
    assert_eq!(parse(HEARTBLEED).unwrap().severity(), Severity::High);
}

#[test]
fn score_matches_compares_one_decimal() {
    assert!(score_matches(7.5, 7.5));
    assert!(score_matches(7.5, 7.500_000_000_001));
    assert!(score_matches(9.2, 10.0 * 0.92));
    assert!(score_matches(0.0, 0.0));
    assert!(!score_matches(7.4, 7.5));
    assert!(!score_matches(10.0, 9.9));
    assert!(!score_matches(f64::NAN, 7.5));
    assert!(!score_matches(f64::INFINITY, 10.0));
    let stated = 6.4;
    let computed = parse("CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:C/C:L/I:L/A:N")
        .unwrap()
        .base_score();
    assert!(score_matches(stated, computed));
    assert!(!score_matches(7.4, computed));
}

/// A small deterministic xorshift generator, so the garbage is the same on every run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
}

#[test]
fn garbage_never_panics() {
    let pieces = [
        "CVSS:",
        "3.1",
        "4.0",
        "3.0",
        "/",
        ":",
        "AV",
        "N",
        "X",
        "S",
        "MSI",
        "U",
        "Red",
        "é",
        "\0",
        " ",
        "//",
        "::",
        "CVSS:3.1/",
        "CVSS:4.0/",
        "A:H",
        "SA:N",
        "E:P",
        "💥",
        "\u{202e}",
    ];
    let mut rng = Rng(0x5eed_cafe_f00d_1234);
    for _ in 0..20_000 {
        let len = rng.below(30);
        let text: String = (0..len).map(|_| rng.pick(&pieces)).collect();
        if let Ok(cvss) = parse(&text) {
            assert!((0.0..=10.0).contains(&cvss.base_score()), "{text}");
            assert!((0.0..=10.0).contains(&cvss.score()), "{text}");
        }
    }
    // Raw random bytes, lossily decoded.
    for _ in 0..2_000 {
        let len = rng.below(200);
        let bytes: Vec<u8> = (0..len).map(|_| rng.next() as u8).collect();
        let _ = parse(&String::from_utf8_lossy(&bytes));
    }
    // Very long inputs of every shape.
    let long_value = format!("CVSS:3.1/AV:{}", "N".repeat(100_000));
    let long_metrics = format!("CVSS:4.0{}", "/AV:N".repeat(20_000));
    let many_slashes = format!("CVSS:3.1{}", "/".repeat(50_000));
    for text in [
        long_value,
        long_metrics,
        many_slashes,
        "CVSS:".repeat(10_000),
    ] {
        assert!(parse(&text).is_err());
    }
}

/// Every combination of values a version allows, drawn at random, scores within 0..=10 and
/// its canonical form reads back the same.
#[test]
fn random_valid_vectors_score_in_range() {
    let mut rng = Rng(0x0123_4567_89ab_cdef);
    for version in [Version::V3_0, Version::V3_1, Version::V4_0] {
        for _ in 0..3_000 {
            let mut text = format!("CVSS:{version}");
            for def in version.metrics() {
                if def.mandatory || rng.below(2) == 0 {
                    text.push_str(&format!("/{}:{}", def.name, rng.pick(def.values)));
                }
            }
            let cvss = parse(&text).unwrap_or_else(|e| panic!("{text}: {e}"));
            for score in [cvss.base_score(), cvss.score()] {
                assert!((0.0..=10.0).contains(&score), "{text}: {score}");
                assert_eq!((score * 10.0).round() / 10.0, score, "{text}: {score}");
            }
            assert_eq!(parse(&cvss.to_string()).unwrap(), cvss, "{text}");
        }
    }
}
