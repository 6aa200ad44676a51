//! The rustls configuration: the one reqwest's `rustls` feature builds.

use std::sync::Arc;

use rustls::ClientConfig;
use rustls::crypto::CryptoProvider;
use rustls::pki_types::CertificateDer;
use rustls::pki_types::pem::PemObject;

/// A client configuration with the process's default crypto provider (or
/// aws-lc-rs when none is installed), TLS 1.2 and 1.3, and the platform's
/// certificate verifier and roots (plus `extra_roots`), as reqwest sets it
/// up. ALPN (`h2`, `http/1.1`) is added by the connector.
pub(super) fn client_config(
    extra_roots: Vec<CertificateDer<'static>>,
) -> Result<ClientConfig, rustls::Error> {
    let provider = CryptoProvider::get_default()
        .cloned()
        .unwrap_or_else(|| Arc::new(rustls::crypto::aws_lc_rs::default_provider()));
    let verifier = if extra_roots.is_empty() {
        rustls_platform_verifier::Verifier::new(provider.clone())?
    } else {
        rustls_platform_verifier::Verifier::new_with_extra_roots(extra_roots, provider.clone())?
    };
    Ok(ClientConfig::builder_with_provider(provider)
        .with_protocol_versions(rustls::ALL_VERSIONS)?
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(verifier))
        .with_no_client_auth())
}

/// The certificates in `bytes`: PEM (one or more `CERTIFICATE` blocks) or
/// one DER certificate.
pub(super) fn certificates(bytes: &[u8]) -> Result<Vec<CertificateDer<'static>>, String> {
    if !bytes.starts_with(b"-----BEGIN") {
        return Ok(vec![CertificateDer::from(bytes.to_vec())]);
    }
    let certs = CertificateDer::pem_slice_iter(bytes)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| format!("a root certificate is not valid PEM: {e}"))?;
    if certs.is_empty() {
        return Err("a root certificate in PEM holds no CERTIFICATE block".to_owned());
    }
    Ok(certs)
}
