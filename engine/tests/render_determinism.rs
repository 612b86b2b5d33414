//! Determinism: the same report renders to the same bytes in every format, however often and
//! on whichever thread; renderers read no clock, randomness or environment.
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests")]

use crate::render_common;

use vouch_engine::report::render::{Format, render};

#[test]
fn same_report_same_bytes_in_every_format() {
    let report = render_common::fixture();
    for f in Format::ALL {
        let a = render(&report, *f);
        let b = render(&report.clone(), *f);
        assert_eq!(a, b, "{} differs between runs", f.name());
        assert!(
            a.ends_with('\n') && !a.ends_with("\n\n"),
            "{} ends with one newline",
            f.name()
        );
    }
}

#[test]
fn rendering_on_other_threads_gives_the_same_bytes() {
    let report = render_common::fixture();
    let here: Vec<String> = Format::ALL.iter().map(|f| render(&report, *f)).collect();
    std::thread::scope(|s| {
        let handles: Vec<_> = (0..4)
            .map(|_| {
                s.spawn(|| {
                    Format::ALL
                        .iter()
                        .map(|f| render(&report, *f))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        for h in handles {
            assert_eq!(h.join().unwrap(), here);
        }
    });
}

/// Output grows in proportion to findings (a cheap structural check of linearity; the
/// `render` benchmark measures time).
#[test]
fn output_size_is_proportional_to_findings() {
    let small = render_common::large(1_000);
    let big = render_common::large(4_000);
    for f in Format::ALL {
        let ratio = render(&big, *f).len() as f64 / render(&small, *f).len() as f64;
        assert!(
            (3.5..=4.2).contains(&ratio),
            "{}: 4x findings gave {ratio:.2}x output",
            f.name()
        );
    }
}
