//! The transport settings of [`ClientBuilder`] beyond reqwest's: choosing
//! [`HyperTransport`](crate::HyperTransport).

#[cfg(feature = "hyper-transport")]
use super::builder::{ClientBuilder, PoolSettings};
#[cfg(feature = "hyper-transport")]
use crate::error::Result;
#[cfg(feature = "hyper-transport")]
use crate::transport::{ClientTransport, HyperTransport};

/// The hyper transport (feature `hyper-transport`).
#[cfg(feature = "hyper-transport")]
impl ClientBuilder {
    /// Sends through a [`HyperTransport`] made at [`build`](Self::build) with
    /// this builder's [`connect_timeout`](Self::connect_timeout),
    /// [`pool_max_idle_per_host`](Self::pool_max_idle_per_host) and
    /// [`pool_idle_timeout`](Self::pool_idle_timeout), wherever in the chain
    /// they are set. A transport given with [`transport`](Self::transport)
    /// or a reqwest client given with
    /// [`reqwest_client`](Self::reqwest_client) or
    /// [`reqwest_client_builder`](Self::reqwest_client_builder) takes
    /// precedence.
    ///
    /// ```
    /// # fn main() -> restrait::Result<()> {
    /// use std::time::Duration;
    /// let client = restrait::Client::builder("https://api.example.com")
    ///     .hyper_transport()
    ///     .connect_timeout(Duration::from_secs(5))
    ///     .build()?;
    /// # let _ = client; Ok(()) }
    /// ```
    pub fn hyper_transport(mut self) -> Self {
        self.hyper_transport = true;
        self
    }
}

/// The [`HyperTransport`] of [`ClientBuilder::hyper_transport`].
#[cfg(feature = "hyper-transport")]
pub(super) fn hyper(pool: &PoolSettings) -> Result<ClientTransport> {
    let mut b = HyperTransport::builder();
    if let Some(t) = pool.connect_timeout {
        b = b.connect_timeout(t);
    }
    if let Some(n) = pool.max_idle_per_host {
        b = b.pool_max_idle_per_host(n);
    }
    if let Some(t) = pool.idle_timeout {
        b = b.pool_idle_timeout(t);
    }
    Ok(ClientTransport::Hyper(b.build()?))
}
