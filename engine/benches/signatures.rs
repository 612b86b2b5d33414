//! Signature verification speed against its floor: ingesting the same artifacts unsigned.
//!
//! `cargo bench -p vouch-engine --bench signatures` generates 1,000 small artifacts (1 KiB)
//! and, in one bundle each, a detached signature for every artifact:
//! - cosign ECDSA P-256 (`X.sig`: base64 DER ECDSA over SHA-256, as `cosign sign-blob`);
//! - cosign Ed25519 (`X.sig`: base64 pure Ed25519 over the file);
//! - SSH Ed25519 (`X.sig`: `ssh-keygen -Y sign -n file`, SSHSIG with sha512);
//!
//! all signed in-process with the RustCrypto signing APIs, keys in the trust set. It then
//! measures ingestion with one thread (`threads: Some(1)`) of each signed bundle and, as the
//! baseline in the same run, of the artifacts without signatures (hashing only), so the
//! cost of verification is the difference. Target: 1,000 Ed25519 or P-256 signatures over
//! small artifacts verified in under 1 s on one core. `VOUCH_BENCH_SIGNATURES` sets the
//! count. Under `cargo test --benches` (no `--bench` argument) it runs once on 50.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "benchmark code"
)]

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use criterion::Criterion;
use ed25519_dalek::Signer as _;
use ed25519_dalek::pkcs8::EncodePublicKey as _;
use vouch_engine::signatures::Outcome;
use vouch_engine::{IngestOptions, KeyStore, NoProgress};

const ARTIFACT_SIZE: usize = 1024;

/// Makes the `.sig` file's bytes for an artifact.
type Sign<'a> = &'a dyn Fn(&[u8]) -> Vec<u8>;

fn count() -> (usize, bool) {
    let full = std::env::args().any(|a| a == "--bench");
    let n = std::env::var("VOUCH_BENCH_SIGNATURES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(if full { 1000 } else { 50 });
    (n, full)
}

/// Deterministic artifact bytes.
fn artifact(i: usize) -> Vec<u8> {
    let mut seed = 0x2545_f491_4f6c_dd1d_u64 ^ (i as u64 + 1);
    (0..ARTIFACT_SIZE)
        .map(|_| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed as u8
        })
        .collect()
}

fn rel(i: usize) -> String {
    format!("dist/part-{:02}/artifact-{i:05}.bin", i % 20)
}

/// Writes the `n` artifacts, each with the signature `sign` makes (none when `None`).
fn generate(dir: &Path, n: usize, sign: Option<Sign<'_>>) {
    for i in 0..n {
        let path = dir.join(rel(i));
        if i < 20 {
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        }
        let bytes = artifact(i);
        if let Some(sign) = sign {
            let mut sig_path = path.clone().into_os_string();
            sig_path.push(".sig");
            std::fs::write(sig_path, sign(&bytes)).unwrap();
        }
        std::fs::write(&path, bytes).unwrap();
    }
}

struct Case {
    name: &'static str,
    dir: tempfile::TempDir,
    trust: Arc<KeyStore>,
}

fn cases(n: usize, keys: &Path) -> Vec<Case> {
    // cosign ECDSA P-256.
    let p256 = p256::ecdsa::SigningKey::from_slice(&[0x42; 32]).unwrap();
    let p256_pub = keys.join("p256.pub");
    std::fs::write(
        &p256_pub,
        p256::pkcs8::EncodePublicKey::to_public_key_pem(
            p256.verifying_key(),
            p256::pkcs8::LineEnding::LF,
        )
        .unwrap(),
    )
    .unwrap();
    let sign_p256 = |msg: &[u8]| {
        let sig: p256::ecdsa::Signature = p256::ecdsa::signature::Signer::sign(&p256, msg);
        STANDARD.encode(sig.to_der().as_bytes()).into_bytes()
    };
    // cosign Ed25519.
    let ed = ed25519_dalek::SigningKey::from_bytes(&[0x17; 32]);
    let ed_pub = keys.join("ed25519.pub");
    std::fs::write(
        &ed_pub,
        ed.verifying_key()
            .to_public_key_pem(ed25519_dalek::pkcs8::spki::der::pem::LineEnding::LF)
            .unwrap(),
    )
    .unwrap();
    let sign_ed = |msg: &[u8]| STANDARD.encode(ed.sign(msg).to_bytes()).into_bytes();
    // SSH Ed25519 (SSHSIG, sha512 as ssh-keygen's default).
    let ssh = ssh_key::PrivateKey::from(ssh_key::private::Ed25519Keypair::from_seed(&[0x29; 32]));
    let ssh_signers = keys.join("allowed_signers");
    std::fs::write(
        &ssh_signers,
        format!(
            "bench@example.org {}\n",
            ssh.public_key().to_openssh().unwrap()
        ),
    )
    .unwrap();
    let sign_ssh = |msg: &[u8]| {
        ssh.sign("file", ssh_key::HashAlg::Sha512, msg)
            .unwrap()
            .to_pem(ssh_key::LineEnding::LF)
            .unwrap()
            .into_bytes()
    };

    let make = |name: &'static str, sign: Option<Sign<'_>>, trust: Option<&PathBuf>| {
        let dir = tempfile::tempdir().unwrap();
        generate(dir.path(), n, sign);
        let trust = match trust {
            Some(path) => KeyStore::load(std::slice::from_ref(path)).unwrap(),
            None => KeyStore::new(),
        };
        Case {
            name,
            dir,
            trust: Arc::new(trust),
        }
    };
    vec![
        make("unsigned (hashing only)", None, None),
        make("cosign ecdsa-p256", Some(&sign_p256), Some(&p256_pub)),
        make("cosign ed25519", Some(&sign_ed), Some(&ed_pub)),
        make("ssh ed25519", Some(&sign_ssh), Some(&ssh_signers)),
    ]
}

/// Ingests the case with one thread; returns the time and how many signatures verified.
fn ingest(case: &Case) -> (Duration, usize) {
    let options = IngestOptions {
        threads: Some(1),
        trust: Arc::clone(&case.trust),
        as_of: Some("2026-06-01T00:00:00Z".parse().unwrap()),
    };
    let start = Instant::now();
    let graph = vouch_engine::ingest(case.dir.path(), &options, &NoProgress).unwrap();
    let elapsed = start.elapsed();
    let verified = graph
        .signatures()
        .filter(|(_, s)| s.verification.outcome == Outcome::Verified)
        .count();
    (elapsed, verified)
}

fn median(mut runs: Vec<Duration>) -> Duration {
    runs.sort();
    runs[runs.len() / 2]
}

fn benches(c: &mut Criterion) {
    let (n, full) = count();
    let keys = tempfile::tempdir().unwrap();
    let cases = cases(n, keys.path());
    for case in &cases {
        let (_, verified) = ingest(case); // warms the page cache, checks the bundle
        let expected = if case.trust.is_empty() { 0 } else { n };
        assert_eq!(
            verified, expected,
            "{}: every signature verifies",
            case.name
        );
    }

    let mut group = c.benchmark_group("signatures");
    group.sample_size(10);
    group.warm_up_time(Duration::from_secs(1));
    group.measurement_time(Duration::from_secs(if full { 5 } else { 1 }));
    for case in &cases {
        group.bench_function(case.name, |b| b.iter(|| ingest(case)));
    }
    group.finish();

    // The summary: medians of alternating runs, so every case sees the same machine load.
    let rounds = if full { 7 } else { 1 };
    let mut runs: Vec<Vec<Duration>> = vec![Vec::new(); cases.len()];
    for _ in 0..rounds {
        for (case, times) in cases.iter().zip(&mut runs) {
            times.push(ingest(case).0);
        }
    }
    let times: Vec<Duration> = runs.into_iter().map(median).collect();
    let base = times[0];
    println!();
    println!(
        "vouch signature summary ({n} artifacts of {ARTIFACT_SIZE} bytes, 1 thread, median of {rounds})"
    );
    for (case, time) in cases.iter().zip(&times) {
        if case.trust.is_empty() {
            println!(
                "  {:<24} {:>8.3} s  (baseline)",
                case.name,
                time.as_secs_f64()
            );
            continue;
        }
        let verify = time.saturating_sub(base);
        let per = verify.as_secs_f64() * 1e6 / n as f64;
        let met = if time.as_secs_f64() < 1.0 {
            "met"
        } else {
            "NOT met"
        };
        println!(
            "  {:<24} {:>8.3} s  verification {:>7.3} s = {per:>6.1} us/signature; \
             whole ingest < 1 s: {met}",
            case.name,
            time.as_secs_f64(),
            verify.as_secs_f64(),
        );
    }
}

fn main() {
    let mut criterion = Criterion::default().configure_from_args();
    benches(&mut criterion);
    criterion.final_summary();
}
