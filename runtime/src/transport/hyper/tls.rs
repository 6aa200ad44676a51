//! The rustls configuration: the one reqwest's `rustls` feature builds.

use std::sync::Arc;

use rustls::ClientConfig;
use rustls::crypto::CryptoProvider;

/// A client configuration with the process's default crypto provider (or
/// aws-lc-rs when none is installed), TLS 1.2 and 1.3, and the platform's
/// certificate verifier and roots, as reqwest sets it up. ALPN (`h2`,
/// `http/1.1`) is added by the connector.
pub(super) fn client_config() -> Result<ClientConfig, rustls::Error> {
    let provider = CryptoProvider::get_default()
        .cloned()
        .unwrap_or_else(|| Arc::new(rustls::crypto::aws_lc_rs::default_provider()));
    let verifier = rustls_platform_verifier::Verifier::new(provider.clone())?;
    Ok(ClientConfig::builder_with_provider(provider)
        .with_protocol_versions(rustls::ALL_VERSIONS)?
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(verifier))
        .with_no_client_auth())
}
