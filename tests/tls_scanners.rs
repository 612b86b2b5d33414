//! The real TLS scanners against real local servers, read by vouch: testssl.sh (Debian's
//! `testssl`) and SSLyze (PyPI `sslyze`; `.ci/run` installs both, SSLyze in the venv
//! `VOUCH_TLS_TOOLS` names) scan two `openssl s_server`s with a certificate made here, one
//! offering TLS 1.2 and 1.3 only, one also TLS 1.0 (`-min_protocol TLSv1` with
//! `@SECLEVEL=0`), each run with the book's command (book/src/stdlib/tls-only.md). The
//! standard pack's TLS-ONLY must pass the first and fail the second, per each tool's JSON.
//! SSLyze asks for `/`, which `s_server -HTTP` cannot answer with headers (it serves named
//! files only), so the SSLyze test also scans a TLS 1.2+ Python `http.server` that sends HSTS
//! there. Each test skips, saying why, when a tool is missing.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use crate::common;

use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The response the servers give for `/index.html` (s_server `-HTTP` sends a file as the
/// whole HTTP response): an HSTS header of one year.
const RESPONSE: &str = "HTTP/1.0 200 OK\r\nStrict-Transport-Security: max-age=31536000\r\nContent-Type: text/plain\r\n\r\nok\n";

/// A program on PATH (or in `VOUCH_TLS_TOOLS`), or `None`, saying so.
fn tool(test: &str, names: &[&str]) -> Option<PathBuf> {
    let dirs = std::env::var_os("VOUCH_TLS_TOOLS")
        .into_iter()
        .chain(std::env::var_os("PATH"))
        .flat_map(|p| std::env::split_paths(&p).collect::<Vec<_>>());
    let dirs: Vec<PathBuf> = dirs.collect();
    for name in names {
        for dir in &dirs {
            let path = dir.join(name);
            if path.is_file() {
                return Some(path);
            }
        }
    }
    eprintln!(
        "skipping {test}: {} not installed (.ci/run installs it)",
        names.join(" or ")
    );
    None
}

/// An `openssl s_server`, stopped when dropped.
struct Server {
    child: Child,
    port: u16,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Starts `openssl s_server -HTTP` in `dir` (its certificate and `index.html` there) with
/// `protocols` arguments, and waits until it accepts connections.
fn serve(dir: &Path, protocols: &[&str]) -> Server {
    let port = free_port();
    let accept = format!("127.0.0.1:{port}");
    let mut args = vec![
        "s_server", "-accept", &accept, "-cert", "cert.pem", "-key", "key.pem", "-HTTP", "-quiet",
    ];
    args.extend(protocols);
    let child = Command::new("openssl")
        .args(&args)
        .current_dir(dir)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let server = Server { child, port };
    let start = Instant::now();
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "s_server {protocols:?} did not start"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    server
}

/// Runs a scanner; panics with its output when it wrote no JSON.
fn scan(program: &Path, args: &[String], out: &Path) {
    let result = Command::new(program)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(
        out.is_file(),
        "{} {args:?} wrote no JSON ({}): {}{}",
        program.display(),
        result.status,
        String::from_utf8_lossy(&result.stdout),
        String::from_utf8_lossy(&result.stderr)
    );
}

/// The book's testssl.sh command for `host_url`.
fn testssl_args(out: &Path, url: &str) -> Vec<String> {
    [
        "--protocols",
        "--std",
        "--headers",
        "--jsonfile-pretty",
        out.to_str().unwrap(),
        url,
    ]
    .map(str::to_owned)
    .to_vec()
}

/// The book's SSLyze command for `host`.
fn sslyze_args(out: &Path, host: &str) -> Vec<String> {
    let mut args: Vec<String> = [
        "--sslv2",
        "--sslv3",
        "--tlsv1",
        "--tlsv1_1",
        "--tlsv1_2",
        "--tlsv1_3",
        "--http_headers",
        "--mozilla_config=disable",
    ]
    .map(str::to_owned)
    .to_vec();
    args.push(format!("--json_out={}", out.display()));
    args.push(host.to_owned());
    args
}

/// TLS-ONLY's status and messages for a release served from `port` with `scan_json` as its
/// scan.
fn tls_only(dir: &Path, name: &str, port: u16, scan_json: &Path) -> (String, Vec<String>) {
    let bundle = dir.join(name);
    std::fs::create_dir_all(bundle.join("scans")).unwrap();
    std::fs::write(
        bundle.join("release.toml"),
        format!(
            "[release]\nproduct = \"widget\"\nversion = \"1.0.0\"\ndate = 2026-10-01\n\
             artifacts = []\n\n[[distribution]]\nurl = \"https://127.0.0.1:{port}/widget-1.0.0.tar.gz\"\n"
        ),
    )
    .unwrap();
    std::fs::copy(scan_json, bundle.join("scans/scan.json")).unwrap();
    common::pack_control(&bundle, "2030-01-01", &[], "TLS-ONLY")
}

/// Both servers (certificate and response in `dir`); `None` when openssl is missing.
fn servers(test: &str, dir: &Path) -> Option<(Server, Server)> {
    tool(test, &["openssl"])?;
    let made = Command::new("openssl")
        .args([
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-nodes",
            "-keyout",
            "key.pem",
            "-out",
            "cert.pem",
            "-days",
            "30",
            "-subj",
            "/CN=127.0.0.1",
            "-addext",
            "subjectAltName=IP:127.0.0.1",
        ])
        .current_dir(dir)
        .output()
        .unwrap();
    assert!(made.status.success(), "{made:?}");
    std::fs::write(dir.join("index.html"), RESPONSE).unwrap();
    let current = serve(dir, &["-no_tls1", "-no_tls1_1"]);
    let legacy = serve(
        dir,
        &["-min_protocol", "TLSv1", "-cipher", "DEFAULT@SECLEVEL=0"],
    );
    Some((current, legacy))
}

#[test]
fn testssl_of_a_current_and_a_tls_1_0_server() {
    let test = "testssl_of_a_current_and_a_tls_1_0_server";
    let Some(testssl) = tool(test, &["testssl", "testssl.sh"]) else {
        return;
    };
    let dir = common::temp_dir("tls-testssl");
    let Some((current, legacy)) = servers(test, &dir) else {
        return;
    };
    let scans: Vec<(u16, PathBuf)> = std::thread::scope(|s| {
        let jobs: Vec<_> = [("current", &current), ("legacy", &legacy)]
            .map(|(name, server)| {
                let out = dir.join(format!("testssl-{name}.json"));
                let url = format!("https://127.0.0.1:{}/index.html", server.port);
                let testssl = &testssl;
                s.spawn(move || {
                    scan(testssl, &testssl_args(&out, &url), &out);
                    (server.port, out)
                })
            })
            .into_iter()
            .collect();
        jobs.into_iter().map(|j| j.join().unwrap()).collect()
    });
    let (status, messages) = tls_only(&dir, "current", scans[0].0, &scans[0].1);
    assert_eq!((status.as_str(), messages), ("pass", vec![]));
    let (status, messages) = tls_only(&dir, "legacy", scans[1].0, &scans[1].1);
    assert_eq!(status, "fail");
    assert_eq!(
        messages,
        [
            "127.0.0.1 still offers an obsolete protocol ([\"tls1.0\", \"tls1.1\", \"tls1.2\", \"tls1.3\"]), per scans/scan.json"
        ]
    );
}

/// A TLS 1.2+ HTTPS server that sends HSTS at `/` (Python's `http.server` over its `ssl`
/// module, which is the system's OpenSSL): SSLyze asks for `/`, which `s_server -HTTP`
/// cannot answer with a header. Written at test time; its port is read from `port`.
const PY_SERVER: &str = r#"import http.server, ssl, sys
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200)
        self.send_header("Strict-Transport-Security", "max-age=31536000")
        self.send_header("Content-Length", "3")
        self.end_headers()
        self.wfile.write(b"ok\n")
    def log_message(self, *args):
        pass
srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
if sys.argv[1:] == ["legacy"]:
    ctx.minimum_version = ssl.TLSVersion.TLSv1
    ctx.set_ciphers("DEFAULT@SECLEVEL=0")
else:
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
ctx.load_cert_chain("cert.pem", "key.pem")
srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
open("port.tmp", "w").write(str(srv.server_address[1]))
__import__("os").rename("port.tmp", "port")
srv.serve_forever()
"#;

/// Starts [`PY_SERVER`] in `dir` (`legacy`: TLS 1.0 on too); `None` (saying why) without
/// python3.
fn python_server(test: &str, dir: &Path, legacy: bool) -> Option<Server> {
    tool(test, &["python3"])?;
    std::fs::write(dir.join("hsts_server.py"), PY_SERVER).unwrap();
    let _ = std::fs::remove_file(dir.join("port"));
    let child = Command::new("python3")
        .arg("hsts_server.py")
        .args(legacy.then_some("legacy"))
        .current_dir(dir)
        .stdin(Stdio::null())
        .spawn()
        .unwrap();
    let start = Instant::now();
    let port = loop {
        if let Ok(text) = std::fs::read_to_string(dir.join("port")) {
            break text.trim().parse::<u16>().unwrap();
        }
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "the Python server did not start"
        );
        std::thread::sleep(Duration::from_millis(100));
    };
    Some(Server { child, port })
}

#[test]
fn sslyze_of_a_current_and_a_tls_1_0_server() {
    let test = "sslyze_of_a_current_and_a_tls_1_0_server";
    let Some(sslyze) = tool(test, &["sslyze"]) else {
        return;
    };
    let dir = common::temp_dir("tls-sslyze");
    let Some((current, legacy)) = servers(test, &dir) else {
        return;
    };
    let Some(hsts) = python_server(test, &dir, false) else {
        return;
    };
    let mut results = Vec::new();
    for (name, server) in [("current", &current), ("legacy", &legacy), ("hsts", &hsts)] {
        let out = dir.join(format!("sslyze-{name}.json"));
        scan(
            &sslyze,
            &sslyze_args(&out, &format!("127.0.0.1:{}", server.port)),
            &out,
        );
        results.push(tls_only(&dir, name, server.port, &out));
    }
    // SSLyze asks for `/`, which s_server cannot answer with headers: no HSTS is seen.
    assert_eq!(
        results[0],
        (
            "fail".to_owned(),
            vec!["127.0.0.1 sends no HSTS header, per scans/scan.json".to_owned()]
        )
    );
    assert_eq!(results[1].0, "fail");
    assert!(
        results[1].1.iter().any(|m| m.starts_with(
            "127.0.0.1 still offers an obsolete protocol ([\"tls1.0\", \"tls1.1\", \"tls1.2\", \"tls1.3\"])"
        )),
        "{:?}",
        results[1].1
    );
    // The same protocols, and HSTS at `/`: TLS-ONLY passes.
    assert_eq!(results[2], ("pass".to_owned(), vec![]));
    // A scan that did not test every protocol says nothing about the others: a server that
    // also offers TLS 1.0, scanned for TLS 1.2 and 1.3 only, must not pass.
    let Some(legacy_hsts) = python_server(test, &dir, true) else {
        return;
    };
    let out = dir.join("sslyze-partial.json");
    let mut args = sslyze_args(&out, &format!("127.0.0.1:{}", legacy_hsts.port));
    args.retain(|a| !matches!(a.as_str(), "--sslv2" | "--sslv3" | "--tlsv1" | "--tlsv1_1"));
    scan(&sslyze, &args, &out);
    let (status, messages) = tls_only(&dir, "partial", legacy_hsts.port, &out);
    assert_eq!(status, "fail");
    assert_eq!(messages.len(), 1, "{messages:?}");
    assert!(
        messages[0].contains("SSLyze did not test ssl2 (`ssl_2_0_cipher_suites`: NOT_SCHEDULED)")
            && messages[0].contains("tls1.0 (`tls_1_0_cipher_suites`: NOT_SCHEDULED)"),
        "{messages:?}"
    );
}
