//! X.509 certificates of keyless (Fulcio) signatures, read for the identity they claim.
//! What is read here is a claim only: it is reported on signatures that do not verify; a
//! verified identity comes from the Sigstore verifier ([`super::keyless`]).

use x509_cert::der::{Decode as _, oid::ObjectIdentifier};
use x509_cert::ext::pkix::SubjectAltName;
use x509_cert::ext::pkix::name::GeneralName;

/// What a certificate claims (unverified).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Certificate {
    /// The subject alternative name: an email address or a URI (a CI workflow); `None` when
    /// the certificate cannot be read or has neither.
    pub identity: Option<String>,
    /// The OIDC issuer Fulcio recorded, when present.
    pub issuer: Option<String>,
}

/// `id-ce-subjectAltName`.
const SUBJECT_ALT_NAME: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.17");
/// Fulcio's OIDC issuer (v1: raw text).
const FULCIO_ISSUER_V1: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.4.1.57264.1.1");
/// Fulcio's OIDC issuer (v2: a DER UTF8String).
const FULCIO_ISSUER_V2: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.4.1.57264.1.8");

impl Certificate {
    /// Reads a DER certificate; an unreadable one claims nothing.
    pub fn from_der(der: &[u8]) -> Certificate {
        let Ok(cert) = x509_cert::Certificate::from_der(der) else {
            return Certificate::default();
        };
        let mut out = Certificate::default();
        for ext in cert.tbs_certificate.extensions.iter().flatten() {
            let value = ext.extn_value.as_bytes();
            if ext.extn_id == SUBJECT_ALT_NAME {
                out.identity = SubjectAltName::from_der(value)
                    .ok()
                    .and_then(|san| san.0.iter().find_map(general_name));
            } else if ext.extn_id == FULCIO_ISSUER_V2 {
                if let Ok(s) = x509_cert::der::asn1::Utf8StringRef::from_der(value) {
                    out.issuer = Some(s.as_str().to_owned());
                }
            } else if ext.extn_id == FULCIO_ISSUER_V1 && out.issuer.is_none() {
                out.issuer = std::str::from_utf8(value).ok().map(str::to_owned);
            }
        }
        out
    }

    /// The signing certificate of a bundle (its leaf); nothing when it has none.
    pub fn from_bundle(bundle: &sigstore_types::Bundle) -> Certificate {
        bundle
            .signing_certificate()
            .map_or_else(Certificate::default, |der| {
                Certificate::from_der(der.as_bytes())
            })
    }

    /// Reads the first `CERTIFICATE` block of PEM text; an unreadable one claims nothing.
    pub fn from_pem(text: &str) -> Certificate {
        const BEGIN: &str = "-----BEGIN CERTIFICATE-----";
        const END: &str = "-----END CERTIFICATE-----";
        let block = text.find(BEGIN).and_then(|start| {
            let rest = text.get(start..)?;
            let stop = rest.find(END)?;
            rest.get(..stop + END.len())
        });
        block
            .and_then(|b| p256::pkcs8::der::pem::decode_vec(b.as_bytes()).ok())
            .map_or_else(Certificate::default, |(_, der)| Certificate::from_der(&der))
    }
}

fn general_name(name: &GeneralName) -> Option<String> {
    match name {
        GeneralName::Rfc822Name(s) | GeneralName::UniformResourceIdentifier(s) => {
            Some(s.to_string())
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn garbage_claims_nothing() {
        assert_eq!(
            Certificate::from_der(b"\x30\x03\x02\x01"),
            Certificate::default()
        );
        assert_eq!(
            Certificate::from_pem("-----BEGIN CERTIFICATE-----\n!!\n-----END CERTIFICATE-----"),
            Certificate::default()
        );
        assert_eq!(Certificate::from_pem(""), Certificate::default());
    }
}
