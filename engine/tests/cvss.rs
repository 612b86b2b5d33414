//! CVSS scoring against published scores: FIRST's v3.1 and v4.0 example documents, the
//! reference calculators' test data (Red Hat's `cvss` test vectors, which FIRST's calculators
//! agree with), every base vector against the `cvss` crate's v3 scorer, the vectors in the
//! shared corpus, and bad input.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "test code"
)]

use crate::common;

use std::str::FromStr;

use vouch_engine::cvss::{Cvss, CvssError, Severity, Version, parse, score_matches};

fn scored(vector: &str) -> Cvss {
    parse(vector).unwrap_or_else(|e| panic!("{vector}: {e}"))
}

/// The rows of a table: `SCORE VECTOR NOTE...`, blank lines skipped.
fn rows(table: &str) -> impl Iterator<Item = (f64, &str, &str)> {
    table.lines().filter(|l| !l.trim().is_empty()).map(|line| {
        let mut fields = line.trim().splitn(3, ' ');
        let score = fields.next().unwrap().parse().unwrap();
        let vector = fields.next().unwrap();
        (score, vector, fields.next().unwrap_or("").trim())
    })
}

/// FIRST, "CVSS v3.1: Examples" (the same vectors and base scores as the v3.0 examples),
/// then the v3.1 column of FIRST's "CVSS v4.0 Examples"; each base score is also in Red
/// Hat's `vectors_simple31` test data. `BASE-SCORE METRICS BAND NAME`.
const V3_EXAMPLES: &str = "
6.1 AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N Medium CVE-2013-1937 phpMyAdmin reflected XSS
6.4 AV:N/AC:L/PR:L/UI:N/S:C/C:L/I:L/A:N Medium CVE-2013-0375 MySQL stored SQL injection
3.1 AV:N/AC:H/PR:N/UI:R/S:U/C:L/I:N/A:N Low CVE-2014-3566 SSLv3 POODLE
9.9 AV:N/AC:L/PR:L/UI:N/S:C/C:H/I:H/A:H Critical CVE-2012-1516 VMware guest to host escape
4.2 AV:L/AC:L/PR:H/UI:N/S:U/C:L/I:L/A:L Medium CVE-2009-0783 Apache Tomcat XML parser
8.8 AV:N/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H High CVE-2012-0384 Cisco IOS command injection
7.8 AV:L/AC:L/PR:N/UI:R/S:U/C:H/I:H/A:H High CVE-2015-1098 iWork denial of service
7.5 AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N High CVE-2014-0160 OpenSSL Heartbleed
9.8 AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H Critical CVE-2014-6271 GNU Bash Shellshock
6.8 AV:N/AC:H/PR:N/UI:N/S:C/C:N/I:H/A:N Medium CVE-2008-1447 DNS Kaminsky bug
6.8 AV:P/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H Medium CVE-2014-2005 Sophos login screen bypass
5.8 AV:N/AC:L/PR:N/UI:N/S:C/C:L/I:N/A:N Medium CVE-2010-0467 Joomla directory traversal
5.8 AV:N/AC:L/PR:N/UI:N/S:C/C:N/I:L/A:N Medium CVE-2012-1342 Cisco ACL bypass
4.3 AV:N/AC:L/PR:N/UI:R/S:U/C:N/I:L/A:N Medium CVE-2023-5602 (v4.0 examples)
6.0 AV:L/AC:L/PR:H/UI:N/S:U/C:H/I:H/A:N Medium CVE-2021-34724 (v4.0 examples)
6.4 AV:P/AC:H/PR:N/UI:N/S:U/C:H/I:H/A:H Medium CVE-2022-20826 (v4.0 examples)
4.9 AV:N/AC:L/PR:H/UI:N/S:U/C:H/I:N/A:N Medium CVE-2021-32570 (v4.0 examples)
7.3 AV:N/AC:L/PR:N/UI:N/S:U/C:L/I:L/A:L High CVE-2024-1233 (v4.0 examples)
0.0 AV:N/AC:L/PR:N/UI:N/S:C/C:N/I:N/A:N None no impact
10.0 AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H Critical maximum
";

#[test]
fn v3_specification_examples() {
    for (score, metrics, note) in rows(V3_EXAMPLES) {
        let band = note.split(' ').next().unwrap();
        for version in ["3.0", "3.1"] {
            let vector = format!("CVSS:{version}/{metrics}");
            let cvss = scored(&vector);
            assert_eq!(cvss.base_score(), score, "{note}: {vector}");
            assert_eq!(cvss.severity().as_str(), band, "{note}: {vector}");
            // No temporal or environmental metric: the vector's score is its base score.
            assert_eq!(cvss.score(), score, "{note}: {vector}");
            assert_eq!(cvss.temporal_score(), Some(score), "{note}: {vector}");
            assert_eq!(cvss.to_string(), vector);
        }
    }
    assert_eq!(rows(V3_EXAMPLES).count(), 20);
}

/// Temporal and environmental scores from Red Hat's test data: `vectors_calculator3` (taken
/// from FIRST's v3.0 calculator) and `vectors_simple31`.
#[test]
fn v3_temporal_and_environmental() {
    // (vector, base, temporal, environmental)
    let cases = [
        (
            "CVSS:3.0/S:U/AV:N/AC:L/PR:H/UI:N/C:L/I:L/A:N/E:F/RL:X",
            3.8,
            3.7,
            3.7,
        ),
        (
            "CVSS:3.0/AV:N/AC:L/PR:N/UI:R/S:C/C:H/I:H/A:N/E:H/RL:O/RC:C/CR:H/IR:H/AR:H/MAV:N/\
             MAC:L/MPR:L/MUI:N/MS:C/MC:H/MI:H/MA:H",
            9.3,
            8.9,
            9.5,
        ),
        // v3.1's environmental equation differs from its base equation under changed scope,
        // so with no environmental metric at all the two can still differ.
        (
            "CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:H/I:H/A:H",
            9.6,
            9.6,
            9.7,
        ),
        (
            "CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:C/C:H/I:H/A:H",
            9.9,
            9.9,
            10.0,
        ),
        (
            "CVSS:3.1/AV:N/AC:L/PR:L/UI:R/S:C/C:H/I:H/A:H",
            9.0,
            9.0,
            9.1,
        ),
    ];
    for (vector, base, temporal, environmental) in cases {
        let cvss = scored(vector);
        assert_eq!(cvss.base_score(), base, "{vector}");
        assert_eq!(cvss.temporal_score(), Some(temporal), "{vector}");
        assert_eq!(cvss.environmental_score(), Some(environmental), "{vector}");
    }
    // score(): the most specific group the vector defines.
    assert_eq!(scored(cases[0].0).score(), 3.7);
    assert_eq!(scored(cases[1].0).score(), 9.5);
    assert_eq!(scored(cases[2].0).score(), 9.6);
    // The corpus's BSI CSAF example (csaf/bsi-2022-0001.json) states base 6.1 for this vector.
    let bsi = scored("CVSS:3.1/AV:L/AC:L/PR:N/UI:R/S:U/C:H/I:N/A:L/E:F/RL:O/RC:C");
    assert_eq!(bsi.base_score(), 6.1);
    assert_eq!(bsi.score(), bsi.temporal_score().unwrap());
}

/// v3.1's Appendix A `Roundup` against v3.0's plain ceiling: 10.0 * 0.92 is
/// 9.200000000000001 in floating point, which v3.0 rounds up to 9.3 and v3.1 to 9.2.
/// (No base vector is affected: `v3_base_scores_agree_with_the_cvss_crate` compares all of
/// them under both versions.)
#[test]
fn v31_roundup_differs_from_v30_ceiling() {
    let metrics = "AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H/RC:U";
    let v31 = scored(&format!("CVSS:3.1/{metrics}"));
    let v30 = scored(&format!("CVSS:3.0/{metrics}"));
    assert_eq!(v31.base_score(), 10.0);
    assert_eq!(v30.base_score(), 10.0);
    assert_eq!(v31.temporal_score(), Some(9.2));
    assert_eq!(v31.score(), 9.2);
    assert_eq!(v30.temporal_score(), Some(9.3));
    assert_eq!(v30.score(), 9.3);
}

/// Every v3.0 and v3.1 base vector (2,592 each): our base score equals the `cvss` crate's,
/// and v3.0 and v3.1 agree on every base score.
#[test]
fn v3_base_scores_agree_with_the_cvss_crate() {
    let mut count = 0;
    for av in ["N", "A", "L", "P"] {
        for ac in ["L", "H"] {
            for pr in ["N", "L", "H"] {
                for ui in ["N", "R"] {
                    for s in ["U", "C"] {
                        for c in ["H", "L", "N"] {
                            for i in ["H", "L", "N"] {
                                for a in ["H", "L", "N"] {
                                    let metrics = format!(
                                        "AV:{av}/AC:{ac}/PR:{pr}/UI:{ui}/S:{s}/C:{c}/I:{i}/A:{a}"
                                    );
                                    let v31 = format!("CVSS:3.1/{metrics}");
                                    let v30 = format!("CVSS:3.0/{metrics}");
                                    let ours = scored(&v31).base_score();
                                    assert_eq!(ours, crate_v3(&v31).0, "{v31}");
                                    assert_eq!(scored(&v30).base_score(), ours, "{v30}");
                                    assert_eq!(crate_v3(&v30).0, ours, "{v30}");
                                    count += 1;
                                }
                            }
                        }
                    }
                }
            }
        }
    }
    assert_eq!(count, 2_592);
}

/// Random vectors with temporal and environmental metrics: our three scores equal the `cvss`
/// crate's (which rounds v3.1 by truncating instead of rounding to five decimals first; the
/// two agree on all of these).
#[test]
fn v3_temporal_and_environmental_agree_with_the_cvss_crate() {
    let groups: &[(&str, &[&str])] = &[
        ("E", &["X", "H", "F", "P", "U"]),
        ("RL", &["X", "U", "W", "T", "O"]),
        ("RC", &["X", "C", "R", "U"]),
        ("CR", &["X", "H", "M", "L"]),
        ("IR", &["X", "H", "M", "L"]),
        ("AR", &["X", "H", "M", "L"]),
        ("MAV", &["X", "N", "A", "L", "P"]),
        ("MAC", &["X", "L", "H"]),
        ("MPR", &["X", "N", "L", "H"]),
        ("MUI", &["X", "N", "R"]),
        ("MS", &["X", "U", "C"]),
        ("MC", &["X", "H", "L", "N"]),
        ("MI", &["X", "H", "L", "N"]),
        ("MA", &["X", "H", "L", "N"]),
    ];
    let base: &[(&str, &[&str])] = &[
        ("AV", &["N", "A", "L", "P"]),
        ("AC", &["L", "H"]),
        ("PR", &["N", "L", "H"]),
        ("UI", &["N", "R"]),
        ("S", &["U", "C"]),
        ("C", &["H", "L", "N"]),
        ("I", &["H", "L", "N"]),
        ("A", &["H", "L", "N"]),
    ];
    let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = |n: usize| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state % n as u64) as usize
    };
    for version in ["3.0", "3.1"] {
        for _ in 0..20_000 {
            let mut vector = format!("CVSS:{version}");
            for (name, values) in base.iter().chain(groups) {
                vector.push_str(&format!("/{name}:{}", values[next(values.len())]));
            }
            let ours = scored(&vector);
            let (b, t, e) = crate_v3(&vector);
            assert_eq!(ours.base_score(), b, "base of {vector}");
            assert_eq!(ours.temporal_score(), Some(t), "temporal of {vector}");
            assert_eq!(
                ours.environmental_score(),
                Some(e),
                "environmental of {vector}"
            );
        }
    }
}

/// (base, temporal, environmental) from the `cvss` crate's v3 scorer.
fn crate_v3(vector: &str) -> (f64, f64, f64) {
    let v = cvss::v3::Vector::from_str(vector).unwrap();
    (
        v.base_score().value(),
        v.temporal_score().value(),
        v.environmental_score().value(),
    )
}

/// FIRST, "CVSS v4.0 Examples": `SCORE VECTOR CVE`, the score the document gives for that
/// vector (CVSS-B unless the note says otherwise).
const V4_EXAMPLES: &str = "
5.1 CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:A/VC:N/VI:L/VA:N/SC:N/SI:N/SA:N CVE-2023-5602
7.7 CVSS:4.0/AV:N/AC:L/AT:P/PR:L/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N CVE-2022-20759
8.3 CVSS:4.0/AV:L/AC:L/AT:N/PR:H/UI:N/VC:H/VI:H/VA:N/SC:N/SI:N/SA:N CVE-2021-34724
5.6 CVSS:4.0/AV:L/AC:L/AT:N/PR:H/UI:N/VC:H/VI:H/VA:N/SC:N/SI:N/SA:N/E:U CVE-2021-34724 BT
8.5 CVSS:4.0/AV:L/AC:L/AT:N/PR:N/UI:P/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N CVE-2023-28311
5.7 CVSS:4.0/AV:L/AC:L/AT:N/PR:N/UI:P/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N/E:U/MUI:A CVE-2023-28311 BTE
9.2 CVSS:4.0/AV:N/AC:L/AT:P/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N/E:A CVE-2022-22965 BT
5.4 CVSS:4.0/AV:P/AC:L/AT:P/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N CVE-2022-20826
8.7 CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:N/VA:N/SC:N/SI:N/SA:N CVE-2022-21500
6.9 CVSS:4.0/AV:N/AC:L/AT:N/PR:H/UI:N/VC:H/VI:N/VA:N/SC:N/SI:N/SA:N CVE-2021-32570
9.3 CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N CVE-2022-26134
6.9 CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:N/VI:N/VA:N/SC:N/SI:L/SA:N CVE-2023-20245
2.7 CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:N/VI:N/VA:N/SC:N/SI:L/SA:N/E:U/CR:L/IR:L/AR:L CVE-2023-20245 BTE
7.8 CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:N/VI:L/VA:N/SC:L/SI:N/SA:H CVE-2023-20245 variation
6.9 CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:N/VI:L/VA:N/SC:L/SI:L/SA:L CVE-2024-1233
";

#[test]
fn v4_specification_examples() {
    for (score, vector, note) in rows(V4_EXAMPLES) {
        let cvss = scored(vector);
        assert_eq!(cvss.version(), Version::V4_0);
        assert_eq!(cvss.score(), score, "{note}: {vector}");
        assert_eq!(cvss.to_string(), vector, "{note}");
    }
    assert_eq!(rows(V4_EXAMPLES).count(), 15);
    // base_score() is CVSS-B: threat and environmental metrics left out.
    let bte = scored(
        "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:N/VI:N/VA:N/SC:N/SI:L/SA:N/E:U/CR:L/IR:L/AR:L",
    );
    assert_eq!((bte.base_score(), bte.score()), (6.9, 2.7));
    assert_eq!(bte.severity(), Severity::Medium);
    assert_eq!(Severity::from_score(bte.score()), Severity::Low);
    let sandboxed =
        scored("CVSS:4.0/AV:L/AC:L/AT:N/PR:N/UI:P/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N/E:U/MUI:A");
    assert_eq!((sandboxed.base_score(), sandboxed.score()), (8.5, 5.7));
    let critical = scored("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N");
    assert_eq!(critical.severity(), Severity::Critical);
    let none = scored("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:N/VI:N/VA:N/SC:N/SI:N/SA:N");
    assert_eq!((none.base_score(), none.severity()), (0.0, Severity::None));
}

/// Red Hat's `cvss` test data (`vectors_simple4`, `vectors_threat4`, `vectors_security4`),
/// generated by the reference implementation FIRST's calculator is checked against.
const V4_REFERENCE: &str = "
9.2 CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:L/VI:H/VA:L/SC:N/SI:H/SA:L
7.9 CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:N/VI:N/VA:N/SC:H/SI:L/SA:H
5.3 CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:P/VC:L/VI:N/VA:N/SC:L/SI:N/SA:L
8.6 CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:A/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N
5.1 CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:A/VC:L/VI:L/VA:N/SC:N/SI:N/SA:N
8.3 CVSS:4.0/AV:N/AC:L/AT:N/PR:L/UI:N/VC:H/VI:N/VA:N/SC:H/SI:N/SA:N
9.3 CVSS:4.0/AV:N/AC:L/AT:N/PR:L/UI:A/VC:H/VI:H/VA:H/SC:H/SI:N/SA:H
4.8 CVSS:4.0/AV:N/AC:L/AT:N/PR:H/UI:P/VC:L/VI:L/VA:N/SC:L/SI:N/SA:N
9.5 CVSS:4.0/AV:N/AC:L/AT:P/PR:N/UI:N/VC:H/VI:H/VA:H/SC:H/SI:N/SA:H
2.1 CVSS:4.0/AV:N/AC:L/AT:P/PR:N/UI:A/VC:N/VI:N/VA:N/SC:L/SI:N/SA:N
2.3 CVSS:4.0/AV:N/AC:L/AT:P/PR:L/UI:N/VC:N/VI:N/VA:N/SC:N/SI:L/SA:N
1.8 CVSS:4.0/AV:N/AC:L/AT:P/PR:H/UI:A/VC:N/VI:L/VA:L/SC:L/SI:N/SA:N
9.4 CVSS:4.0/AV:N/AC:H/AT:N/PR:N/UI:N/VC:H/VI:H/VA:N/SC:L/SI:H/SA:L
4.0 CVSS:4.0/AV:N/AC:H/AT:N/PR:H/UI:A/VC:N/VI:N/VA:N/SC:N/SI:H/SA:N
9.5 CVSS:4.0/AV:N/AC:H/AT:P/PR:N/UI:N/VC:H/VI:H/VA:H/SC:H/SI:L/SA:N
7.3 CVSS:4.0/AV:P/AC:H/AT:P/PR:H/UI:A/VC:H/VI:H/VA:H/SC:H/SI:H/SA:H/E:A
5.9 CVSS:4.0/AV:P/AC:H/AT:P/PR:H/UI:A/VC:H/VI:H/VA:H/SC:H/SI:H/SA:H/E:P
4.1 CVSS:4.0/AV:P/AC:H/AT:P/PR:H/UI:A/VC:H/VI:H/VA:H/SC:H/SI:H/SA:H/E:U
7.1 CVSS:4.0/AV:P/AC:H/AT:P/PR:H/UI:A/VC:H/VI:H/VA:H/SC:H/SI:H/SA:H/CR:H/IR:M/AR:L
5.5 CVSS:4.0/AV:P/AC:H/AT:P/PR:H/UI:A/VC:H/VI:H/VA:H/SC:H/SI:H/SA:H/CR:M/IR:M/AR:M
5.4 CVSS:4.0/AV:P/AC:H/AT:P/PR:H/UI:A/VC:H/VI:H/VA:H/SC:H/SI:H/SA:H/CR:L/IR:L/AR:L
0.0 CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:N/VI:N/VA:N/SC:N/SI:N/SA:N/E:U
";

#[test]
fn v4_reference_test_vectors() {
    for (score, vector, _) in rows(V4_REFERENCE) {
        assert_eq!(scored(vector).score(), score, "{vector}");
    }
    // E:A is the default: the threat vectors' CVSS-B score is the E:A score.
    let unreported = scored("CVSS:4.0/AV:P/AC:H/AT:P/PR:H/UI:A/VC:H/VI:H/VA:H/SC:H/SI:H/SA:H/E:U");
    assert_eq!(unreported.base_score(), 7.3);
}

/// Modified subsequent-system Safety (MSI:S / MSA:S) and supplemental metrics parse; the
/// supplemental ones do not change the score.
#[test]
fn v4_environmental_and_supplemental_metrics() {
    let base = "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N";
    let plain = scored(base).score();
    let supplemental = scored(&format!("{base}/S:P/AU:Y/R:I/V:C/RE:H/U:Red"));
    assert_eq!(supplemental.score(), plain);
    assert_eq!(supplemental.metric("U"), Some("Red"));
    let safety = scored(&format!("{base}/MSI:S/MSA:S"));
    assert!(safety.score() >= plain, "{}", safety.score());
    assert_eq!(safety.base_score(), plain);
    // Every explicit X is the same as leaving the metric out.
    let all_x = format!(
        "{base}/E:X/CR:X/IR:X/AR:X/MAV:X/MAC:X/MAT:X/MPR:X/MUI:X/MVC:X/MVI:X/MVA:X/MSC:X/MSI:X/\
         MSA:X/S:X/AU:X/R:X/V:X/RE:X/U:X"
    );
    let x = scored(&all_x);
    assert_eq!(x.to_string(), base);
    assert_eq!(x.score(), plain);
}

#[test]
fn bad_input_is_a_precise_error() {
    let base31 = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H";
    let cases: Vec<(String, CvssError)> = vec![
        (String::new(), CvssError::Empty),
        (
            "CVSS:3.1/".to_owned(),
            CvssError::NoMetrics {
                version: Version::V3_1,
            },
        ),
        (
            format!("{base31}/XX:Y"),
            CvssError::UnknownMetric {
                version: Version::V3_1,
                metric: "XX".to_owned(),
            },
        ),
        (
            format!("{base31}/AV:N"),
            CvssError::DuplicateMetric {
                version: Version::V3_1,
                metric: "AV",
            },
        ),
        (
            "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H".to_owned(),
            CvssError::MissingMetrics {
                version: Version::V3_1,
                missing: "A".to_owned(),
            },
        ),
        (
            base31.replace("AV:N", "AV:Q"),
            CvssError::InvalidValue {
                version: Version::V3_1,
                metric: "AV",
                value: "Q".to_owned(),
                allowed: "N, A, L, P".to_owned(),
            },
        ),
        (
            "CVSS:2.0/AV:N/AC:L/Au:N/C:C/I:C/A:C".to_owned(),
            CvssError::UnsupportedVersion {
                version: "2.0".to_owned(),
            },
        ),
        (
            "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N".to_owned(),
            CvssError::MissingMetrics {
                version: Version::V4_0,
                missing: "SA".to_owned(),
            },
        ),
    ];
    for (text, expected) in cases {
        assert_eq!(parse(&text).unwrap_err(), expected, "{text}");
    }
    // 10,000 characters of garbage: an error quoting at most 40 of them, no panic.
    let garbage: String = (0..10_000u32)
        .map(|i| char::from(b'!' + (i * 7919 % 90) as u8))
        .collect();
    let error = parse(&garbage).unwrap_err();
    assert!(matches!(error, CvssError::MissingPrefix { .. }), "{error}");
    assert!(error.to_string().chars().count() < 150, "{error}");
    let long = format!("{base31}/{}", "E:X/".repeat(2_500));
    assert!(matches!(
        parse(&long).unwrap_err(),
        CvssError::DuplicateMetric { metric: "E", .. }
    ));
}

#[test]
fn stated_scores_are_compared_to_one_decimal() {
    let cvss = scored("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:L");
    assert!(score_matches(5.3, cvss.score()));
    assert!(!score_matches(5.4, cvss.score()));
    assert!(!score_matches(3.5, cvss.score()));
}

/// Every `CVSS:3.x` / `CVSS:4.x` token in the shared corpus parses; where a JSON object
/// states a score beside the vector, it matches.
#[test]
fn corpus_vectors_parse_and_match_their_stated_scores() {
    let Some(corpus) = common::corpus() else {
        eprintln!(
            "skipping corpus_vectors_parse_and_match_their_stated_scores: no ../shared/corpus"
        );
        return;
    };
    let mut files: Vec<_> = walkdir::WalkDir::new(&corpus)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|entry| entry.file_type().is_file())
        .map(walkdir::DirEntry::into_path)
        .collect();
    files.sort();
    let (mut tokens, mut stated) = (0, 0);
    for path in &files {
        let bytes = std::fs::read(path).unwrap();
        let text = String::from_utf8_lossy(&bytes);
        for token in cvss_tokens(&text) {
            tokens += 1;
            if let Err(e) = parse(token) {
                panic!("{}: `{token}`: {e}", path.display());
            }
        }
        if path.extension().is_some_and(|ext| ext == "json")
            && let Ok(json) = serde_json::from_str::<serde_json::Value>(&text)
        {
            stated += check_stated_scores(&json, path);
        }
    }
    eprintln!("corpus: {tokens} CVSS vectors parsed, {stated} stated scores matched");
    assert!(tokens >= 30, "only {tokens} vectors found in the corpus");
    assert!(
        stated >= 15,
        "only {stated} stated scores found in the corpus"
    );

    // A few by hand, read off the files.
    for (vector, score) in [
        // csaf/icsa-24-081-01.json
        ("CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:C/C:L/I:L/A:N", 6.4),
        // csaf/va-24-262-01.json
        ("CVSS:3.1/AV:A/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", 8.8),
        // cyclonedx/trivy-npm-vulns.cdx.1.7.json
        ("CVSS:3.0/AV:N/AC:H/PR:N/UI:N/S:U/C:L/I:L/A:L", 5.6),
        // scans/trivy-alpine-310.json
        ("CVSS:3.0/AV:N/AC:H/PR:N/UI:N/S:U/C:L/I:L/A:N", 4.8),
    ] {
        assert_eq!(scored(vector).base_score(), score, "{vector}");
    }
}

/// The `CVSS:3.` and `CVSS:4.` tokens of a text, each up to the first character that cannot
/// be part of a vector (a quote, whitespace, a comma, a bracket...).
fn cvss_tokens(text: &str) -> Vec<&str> {
    let mut tokens = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("CVSS:") {
        let candidate = &rest[start..];
        let end = candidate
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == ':' || c == '/' || c == '.'))
            .unwrap_or(candidate.len());
        let token = candidate[..end].trim_end_matches('.');
        if token.starts_with("CVSS:3.") || token.starts_with("CVSS:4.") {
            tokens.push(token);
        }
        rest = &candidate["CVSS:".len()..];
    }
    tokens
}

/// Walks a JSON document; in every object holding a CVSS vector string and a numeric score
/// beside it (CSAF/NVD `vectorString` + `baseScore`, Trivy `V3Vector` + `V3Score`,
/// CycloneDX/Dependabot `vector` + `score`, Grype `vector` + `metrics.baseScore`), checks
/// the score against the vector's base score. Returns how many it checked.
fn check_stated_scores(value: &serde_json::Value, path: &std::path::Path) -> usize {
    use serde_json::Value;
    match value {
        Value::Array(items) => items.iter().map(|v| check_stated_scores(v, path)).sum(),
        Value::Object(map) => {
            let mut checked: usize = map.values().map(|v| check_stated_scores(v, path)).sum();
            let vector = ["vectorString", "V3Vector", "vector", "vector_string"]
                .iter()
                .filter_map(|key| map.get(*key)?.as_str())
                .find(|v| v.starts_with("CVSS:3.") || v.starts_with("CVSS:4."));
            let score = ["baseScore", "V3Score", "score"]
                .iter()
                .find_map(|key| map.get(*key)?.as_f64())
                .or_else(|| map.get("metrics")?.get("baseScore")?.as_f64());
            if let (Some(vector), Some(score)) = (vector, score) {
                let computed = scored(vector).base_score();
                assert!(
                    score_matches(score, computed),
                    "{}: `{vector}` states {score}, computes {computed}",
                    path.display()
                );
                checked += 1;
            }
            checked
        }
        _ => 0,
    }
}
