//! Evidence bundles for evaluation tests, written at test time: small realistic files, and
//! `SHA256SUMS` made by `sha256sum` itself (or by vouch's own sha256 when the tool is
//! missing, with a note).

use std::path::Path;
use std::process::Command;

/// Which bundle.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Variant {
    /// Everything the widget policy asks for holds.
    Good,
    /// A tampered artifact, an artifact no checksum names, an `http` mirror, short
    /// end-of-life notice, a stale attestation.
    Bad,
    /// Like `Good`, without any attestation.
    Unattested,
}

const RELEASE: &str = r#"[release]
product = "widget"
version = "2.5.0"
date = 2026-09-30T12:00:00Z
previous = "2.4.1"
artifacts = ["dist/*.tar.gz"]

[[distribution]]
url = "https://downloads.example.com/widget/2.5.0/widget-2.5.0.tar.gz"

[[distribution]]
url = "MIRROR/widget/2.5.0/widget-2.5.0-linux-x86_64.tar.gz"
"#;

const SUPPORT: &str = "[[cycle]]\ncycle = \"2.5\"\nreleased = 2026-09-30\n\
support_until = 2027-09-30\neol = EOL\neol_announced = 2026-09-30\n\n\
[[cycle]]\ncycle = \"2.4\"\nreleased = 2026-04-01\nsupport_until = 2027-04-01\n\
eol = 2027-10-01\neol_announced = 2026-04-01\n\n[[cycle]]\ncycle = \"2.6\"\n\
released = 2027-03-01\n";

const ATTESTATION: &str = "# Rolled 2.5.0-rc2 back to 2.4.1 on the staging fleet; all health checks green\n\
[attestation]\ncontrol = \"RB-1\"\n\
statement = \"Rollback of a failed update was tested on the release candidate\"\n\
attested_by = \"Jo Bloggs <jo.bloggs@acme.example>\"\ndate = DATE\n\
evidence = [\"https://ci.example.com/runs/4711\"]\n";

/// The key that signs the attestation (examples/keys, TEST ONLY); evaluations trust it with
/// `--trust` [`ATTESTER_KEY`].
pub const ATTESTER_KEY: &str = "examples/keys/TEST-ONLY-jo-bloggs.pub.asc";

/// Writes the bundle `variant` into `dir` (which must be empty). With `reverse`, files are
/// written in the opposite order, so directory order differs between two copies.
pub fn write_bundle(dir: &Path, variant: Variant, reverse: bool) {
    let bad = variant == Variant::Bad;
    let mirror = if bad {
        "http://mirror.example.com"
    } else {
        "https://mirror.example.com"
    };
    let mut files: Vec<(&str, String)> = vec![
        ("release.toml", RELEASE.replace("MIRROR", mirror)),
        (
            "support.toml",
            SUPPORT.replace("EOL", if bad { "2027-03-31" } else { "2028-03-31" }),
        ),
        (
            "dist/widget-2.5.0.tar.gz",
            "widget 2.5.0 source archive\n".to_owned(),
        ),
        (
            "dist/widget-2.5.0-linux-x86_64.tar.gz",
            "widget 2.5.0 linux x86_64 build\n".to_owned(),
        ),
        (
            "README.md",
            "# widget 2.5.0\n\nRelease evidence for widget 2.5.0.\n".to_owned(),
        ),
    ];
    match variant {
        Variant::Good => files.push((
            "attestations/rollback.toml",
            ATTESTATION.replace("DATE", "2026-09-20"),
        )),
        Variant::Bad => files.push((
            "attestations/rollback.toml",
            ATTESTATION.replace("DATE", "2025-06-01"),
        )),
        Variant::Unattested => {}
    }
    if reverse {
        files.reverse();
    }
    for (rel, content) in &files {
        write(dir, rel, content.as_bytes());
    }
    if variant != Variant::Unattested {
        sign_attestation(dir, "attestations/rollback.toml");
    }
    let sums = sha256sums(
        dir,
        &[
            "dist/widget-2.5.0-linux-x86_64.tar.gz",
            "dist/widget-2.5.0.tar.gz",
        ],
    );
    write(dir, "SHA256SUMS", sums.as_bytes());
    if bad {
        // Tampered after the checksums were published, and one artifact nobody hashed.
        write(
            dir,
            "dist/widget-2.5.0.tar.gz",
            b"widget 2.5.0 source archive, with a surprise\n",
        );
        write(dir, "dist/widget-2.5.0-extra.tar.gz", b"unlisted\n");
    }
}

fn write(dir: &Path, rel: &str, content: &[u8]) {
    let path = dir.join(rel);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, content).unwrap();
}

/// Signs `dir/rel` with Jo Bloggs' TEST-ONLY key (`rel.asc`, GnuPG, made 2026-09-20; Ed25519,
/// so the same bytes every time). Without gpg the attestation stays unsigned, with a note.
fn sign_attestation(dir: &Path, rel: &str) {
    use std::os::unix::fs::PermissionsExt as _;
    use std::sync::atomic::{AtomicUsize, Ordering};
    static HOMES: AtomicUsize = AtomicUsize::new(0);
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let home = std::env::temp_dir().join(format!(
        "vouch-test-gnupg-{}-{}",
        std::process::id(),
        HOMES.fetch_add(1, Ordering::Relaxed)
    ));
    let _ = std::fs::remove_dir_all(&home);
    std::fs::create_dir_all(&home).unwrap();
    std::fs::set_permissions(&home, std::fs::Permissions::from_mode(0o700)).unwrap();
    let gpg = |args: &[&std::ffi::OsStr]| {
        Command::new("gpg")
            .arg("--homedir")
            .arg(&home)
            .args(["--batch", "--quiet", "--yes"])
            .args(args)
            .output()
            .is_ok_and(|o| o.status.success())
    };
    let secret = root.join("examples/keys/TEST-ONLY-jo-bloggs.sec.asc");
    let file = dir.join(rel);
    let signature = dir.join(format!("{rel}.asc"));
    let signed = gpg(&["--import".as_ref(), secret.as_os_str()])
        && gpg(&[
            "--faked-system-time".as_ref(),
            "20260920T120000!".as_ref(),
            "--armor".as_ref(),
            "--detach-sign".as_ref(),
            "--output".as_ref(),
            signature.as_os_str(),
            file.as_os_str(),
        ]);
    let _ = Command::new("gpgconf")
        .arg("--homedir")
        .arg(&home)
        .args(["--kill", "gpg-agent"])
        .output();
    let _ = std::fs::remove_dir_all(&home);
    if !signed {
        eprintln!("note: `gpg` is not installed or failed; {rel} stays unsigned");
    }
}

/// `sha256sum FILES` run in `dir`.
fn sha256sums(dir: &Path, files: &[&str]) -> String {
    if let Ok(out) = Command::new("sha256sum")
        .args(files)
        .current_dir(dir)
        .output()
        && out.status.success()
    {
        return String::from_utf8(out.stdout).unwrap();
    }
    eprintln!("note: `sha256sum` is not installed; writing SHA256SUMS with vouch's own sha256");
    files
        .iter()
        .map(|f| {
            let bytes = std::fs::read(dir.join(f)).unwrap();
            format!("{}  {f}\n", vouch_engine::Sha256Digest::of(&bytes).to_hex())
        })
        .collect()
}
