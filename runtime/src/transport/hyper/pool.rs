//! The settings of a [`HyperTransport`](super::HyperTransport): connect
//! timeout, pool and proxies.

use std::sync::Arc;
use std::time::Duration;

use hyper_util::client::legacy::Client;
use hyper_util::client::proxy::matcher::Matcher;
use hyper_util::rt::{TokioExecutor, TokioTimer};

use crate::error::{Error, Result};

use super::HyperTransport;
use super::connector::Connector;

/// Configures a [`HyperTransport`]; made by [`HyperTransport::builder`].
///
/// ```
/// # fn main() -> restrait::Result<()> {
/// use std::time::Duration;
/// use restrait::{Client, HyperTransport};
///
/// let transport = HyperTransport::builder()
///     .connect_timeout(Duration::from_secs(5))
///     .pool_max_idle_per_host(16)
///     .build()?;
/// let client = Client::builder("https://api.example.com").transport(transport).build()?;
/// # let _ = client; Ok(()) }
/// ```
#[derive(Clone)]
#[must_use = "a builder does nothing until `build` is called"]
pub struct HyperTransportBuilder {
    connect_timeout: Option<Duration>,
    max_idle_per_host: Option<usize>,
    idle_timeout: Option<Option<Duration>>,
    proxy_from_env: bool,
    /// PEM or DER, parsed by `build`.
    roots: Vec<Vec<u8>>,
}

impl Default for HyperTransportBuilder {
    fn default() -> Self {
        HyperTransportBuilder {
            connect_timeout: None,
            max_idle_per_host: None,
            idle_timeout: None,
            proxy_from_env: true,
            roots: Vec::new(),
        }
    }
}

/// The settings, and how many extra roots (not their bytes).
impl std::fmt::Debug for HyperTransportBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HyperTransportBuilder")
            .field("connect_timeout", &self.connect_timeout)
            .field("pool_max_idle_per_host", &self.max_idle_per_host)
            .field("pool_idle_timeout", &self.idle_timeout)
            .field("proxy_from_env", &self.proxy_from_env)
            .field("extra_roots", &self.roots.len())
            .finish()
    }
}

impl HyperTransportBuilder {
    /// How long connecting (TCP, a proxy tunnel and TLS) may take; no limit
    /// by default. `Duration::ZERO` is refused by `build`.
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = Some(timeout);
        self
    }

    /// How many idle connections to keep per host (default: no limit).
    pub fn pool_max_idle_per_host(mut self, max: usize) -> Self {
        self.max_idle_per_host = Some(max);
        self
    }

    /// How long an idle connection is kept (default 90 s; `None`: for ever).
    pub fn pool_idle_timeout(mut self, timeout: Option<Duration>) -> Self {
        self.idle_timeout = Some(timeout);
        self
    }

    /// Whether to send through the proxies named by `HTTP_PROXY`,
    /// `HTTPS_PROXY`, `ALL_PROXY` and `NO_PROXY` (and their lower-case
    /// forms), as curl and reqwest read them (default: yes). Only
    /// `http://` proxies are supported; `https://` URLs go through them in
    /// a `CONNECT` tunnel.
    pub fn proxy_from_env(mut self, enabled: bool) -> Self {
        self.proxy_from_env = enabled;
        self
    }

    /// Trusts `certificate` (PEM, one or more, or DER) as a root besides the
    /// platform's, as reqwest's `add_root_certificate` does: for a private
    /// CA or a test server. A certificate that does not parse fails `build`
    /// with [`Error::Config`].
    pub fn add_root_certificate(mut self, certificate: impl AsRef<[u8]>) -> Self {
        self.roots.push(certificate.as_ref().to_vec());
        self
    }

    /// Makes the transport: its connection pool starts empty.
    pub fn build(self) -> Result<HyperTransport> {
        let proxy = (self.proxy_from_env && proxy_in_env()).then(|| Arc::new(Matcher::from_env()));
        self.build_with(proxy)
    }

    /// Makes the transport with these proxies (`None`: none).
    pub(super) fn build_with(self, proxy: Option<Arc<Matcher>>) -> Result<HyperTransport> {
        if self.connect_timeout == Some(Duration::ZERO) {
            return Err(Error::config("connect_timeout must be longer than zero"));
        }
        let mut roots = Vec::new();
        for root in &self.roots {
            roots.extend(super::tls::certificates(root).map_err(Error::config)?);
        }
        let tls = super::tls::client_config(roots)
            .map_err(|e| Error::config(format!("cannot set up TLS: {e}")))?;
        let connector = Connector::new(tls, self.connect_timeout, proxy.clone());
        let mut client = Client::builder(TokioExecutor::new());
        client
            .pool_timer(TokioTimer::new())
            .timer(TokioTimer::new());
        if let Some(n) = self.max_idle_per_host {
            client.pool_max_idle_per_host(n);
        }
        if let Some(t) = self.idle_timeout {
            client.pool_idle_timeout(t);
        }
        Ok(HyperTransport {
            client: client.build(connector),
            proxy,
            origins: Default::default(),
        })
    }
}

/// True if any proxy variable is set, so that a client without proxies does
/// not ask the matcher on every request.
fn proxy_in_env() -> bool {
    [
        "ALL_PROXY",
        "all_proxy",
        "HTTP_PROXY",
        "http_proxy",
        "HTTPS_PROXY",
        "https_proxy",
    ]
    .iter()
    .any(|name| std::env::var_os(name).is_some_and(|v| !v.is_empty()))
}
