//! Parses and checks one policy file N times and prints the mean time of each (a profiling
//! aid, also for `valgrind --tool=callgrind`; the benchmarks are in `benches/`).
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]
fn main() {
    let path = std::env::args().nth(1).expect("a policy file");
    let n: u32 = std::env::args().nth(2).map_or(1, |s| s.parse().unwrap());
    let text = std::fs::read_to_string(&path).unwrap();
    let src = vouch_lang::Source::new("x", text.as_str());
    let t = std::time::Instant::now();
    for _ in 0..n {
        vouch_lang::parse(&src).unwrap();
    }
    println!("parse: {:?}", t.elapsed() / n);
    let mut frameworks = vouch_lang::Frameworks::new();
    let fw = vouch_lang::Source::new(
        "fw",
        include_str!("../../stdlib-policies/frameworks/uk-sscop.toml"),
    );
    frameworks.insert(vouch_lang::Framework::from_toml(&fw).unwrap());
    let t = std::time::Instant::now();
    for _ in 0..n {
        let out = vouch_lang::check(src.clone(), &vouch_lang::NoImports, &frameworks);
        assert!(out.diagnostics.iter().all(|d| !d.is_error()));
    }
    println!("parse+check: {:?}", t.elapsed() / n);
}
