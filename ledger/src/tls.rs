//! TLS to PostgreSQL, verified or not at all. The URL's `sslmode` decides:
//!
//! - `disable`, `prefer` (and no `sslmode`, which rust-postgres reads as `prefer`): no TLS.
//!   vouch never tries TLS it might then drop: `prefer` is plaintext, as it always was here.
//! - `require`, `verify-ca`, `verify-full`: TLS or no connection. Each is libpq's
//!   `verify-full`: the server's certificate must chain to a trusted CA and name the host
//!   the URL gives (`host`, not `hostaddr`). libpq's `require` and `verify-ca` check less;
//!   vouch does not.
//!
//! The trusted CAs are the PEM file the URL's `sslrootcert` names, or, without it (or with
//! `sslrootcert=system`), the system's certificates (rustls-native-certs: `SSL_CERT_FILE`,
//! `SSL_CERT_DIR`, or the platform's store). rustls with ring does the handshake, through
//! tokio-postgres-rustls.

use std::sync::Arc;

use postgres::Config;
use postgres::config::SslMode;
use rustls::pki_types::CertificateDer;
use rustls::pki_types::pem::PemObject as _;
use tokio_postgres_rustls::MakeRustlsConnect;

/// How to connect: the parsed URL and, when TLS is required, its verified connector.
pub(crate) struct Connection {
    /// rust-postgres's configuration (with `sslmode=require` for every verifying mode).
    pub config: Config,
    /// The TLS connector, when the URL requires TLS.
    pub tls: Option<MakeRustlsConnect>,
}

/// Why a URL cannot be connected to as it asks.
pub(crate) enum Refused {
    /// The URL does not parse.
    Url(String),
    /// TLS is required but cannot be set up (no CA to trust, an unreadable CA file).
    Tls(String),
}

/// The configuration and connector for `url`.
pub(crate) fn connection(url: &str) -> Result<Connection, Refused> {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (url, None),
    };
    let mut kept = Vec::new();
    let mut verify = false;
    let mut root: Option<String> = None;
    for kv in query.into_iter().flat_map(|q| q.split('&')) {
        let (k, v) = kv.split_once('=').unwrap_or((kv, ""));
        match k {
            "sslmode" => match v {
                "require" | "verify-ca" | "verify-full" => {
                    verify = true;
                    kept.push("sslmode=require".to_owned());
                }
                _ => kept.push(kv.to_owned()),
            },
            "sslrootcert" => {
                let path = percent_encoding::percent_decode_str(v)
                    .decode_utf8()
                    .map_err(|_| Refused::Url("`sslrootcert` is not UTF-8".to_owned()))?;
                root = Some(path.into_owned());
            }
            _ => kept.push(kv.to_owned()),
        }
    }
    let rebuilt = if kept.is_empty() {
        base.to_owned()
    } else {
        format!("{base}?{}", kept.join("&"))
    };
    let config: Config = rebuilt
        .parse()
        .map_err(|e: postgres::Error| Refused::Url(format!("not a PostgreSQL URL: {e}")))?;
    if !verify {
        // `sslrootcert` without a mode that uses it would suggest a protection there is not.
        if root.is_some() {
            return Err(Refused::Tls(
                "`sslrootcert` is given but `sslmode` is not `require`, `verify-ca` or `verify-full`, so the connection would not use TLS".to_owned(),
            ));
        }
        debug_assert!(config.get_ssl_mode() != SslMode::Require);
        return Ok(Connection { config, tls: None });
    }
    let roots = match root.as_deref() {
        None | Some("system") => system_roots()?,
        Some(path) => file_roots(path)?,
    };
    // ring: already built for the signature code. (rustls deprecates its provider for lacking
    // post-quantum key exchange, which PostgreSQL servers do not offer yet.)
    #[allow(deprecated)]
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let tls = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| Refused::Tls(format!("cannot set up TLS: {e}")))?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(Connection {
        config,
        tls: Some(MakeRustlsConnect::new(tls)),
    })
}

/// The system's CA certificates; an error when there are none.
fn system_roots() -> Result<rustls::RootCertStore, Refused> {
    let found = rustls_native_certs::load_native_certs();
    let mut roots = rustls::RootCertStore::empty();
    let (_, _) = roots.add_parsable_certificates(found.certs);
    if roots.is_empty() {
        let why: Vec<String> = found.errors.iter().map(ToString::to_string).collect();
        return Err(Refused::Tls(format!(
            "TLS is required but the system has no CA certificates to verify the server with{}; name a CA file with `sslrootcert=PATH`",
            if why.is_empty() {
                String::new()
            } else {
                format!(" ({})", why.join("; "))
            }
        )));
    }
    Ok(roots)
}

/// The CA certificates of the PEM file `path`; an error when it cannot be read or holds none.
fn file_roots(path: &str) -> Result<rustls::RootCertStore, Refused> {
    let bad =
        |reason: String| Refused::Tls(format!("the CA file `{path}` (sslrootcert): {reason}"));
    let bytes = std::fs::read(path).map_err(|e| bad(format!("cannot be read: {e}")))?;
    let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_slice_iter(&bytes)
        .collect::<Result<_, _>>()
        .map_err(|e| bad(format!("is not PEM: {e}")))?;
    if certs.is_empty() {
        return Err(bad("holds no certificate".to_owned()));
    }
    let mut roots = rustls::RootCertStore::empty();
    for cert in certs {
        roots.add(cert).map_err(|e| {
            bad(format!(
                "holds a certificate that cannot be used as a CA: {e}"
            ))
        })?;
    }
    Ok(roots)
}

/// Why a connection that required TLS failed, in words, when TLS is why: the server does not
/// offer TLS, or its certificate is not trusted or does not name the host. `None` otherwise.
pub(crate) fn handshake_failure(e: &postgres::Error, host: &str) -> Option<String> {
    use rustls::CertificateError as C;
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(s) = source {
        // tokio-rustls wraps rustls's error in an `io::Error`, whose `source` skips it.
        let inner = s
            .downcast_ref::<std::io::Error>()
            .and_then(|io| io.get_ref())
            .and_then(|i| i.downcast_ref::<rustls::Error>());
        if let Some(rustls::Error::InvalidCertificate(c)) =
            inner.or_else(|| s.downcast_ref::<rustls::Error>())
        {
            let why = match c {
                C::UnknownIssuer => {
                    "its certificate is not signed by a CA vouch trusts (the `sslrootcert` file, or the system's CAs)".to_owned()
                }
                C::NotValidForName | C::NotValidForNameContext { .. } => {
                    format!("its certificate does not name the host `{host}`")
                }
                C::Expired | C::ExpiredContext { .. } => "its certificate has expired".to_owned(),
                C::NotValidYet | C::NotValidYetContext { .. } => {
                    "its certificate is not valid yet".to_owned()
                }
                other => format!("its certificate was refused: {other:?}"),
            };
            return Some(format!("the server's TLS cannot be verified: {why}"));
        }
        if s.to_string() == "server does not support TLS" {
            return Some(
                "TLS is required (sslmode) but the server does not offer it; vouch does not fall back to plaintext".to_owned(),
            );
        }
        source = s.source();
    }
    if e.to_string().starts_with("error performing TLS handshake") {
        let mut text = e.to_string();
        let mut s = std::error::Error::source(e);
        while let Some(x) = s {
            text.push_str(&format!(": {x}"));
            s = x.source();
        }
        return Some(text);
    }
    None
}
