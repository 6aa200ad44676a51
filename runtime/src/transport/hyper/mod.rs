//! `HyperTransport`: straight to hyper-util's pooled client over
//! hyper-rustls, without reqwest's layers (feature `hyper-transport`).
//!
//! One job per file: [`tls`] the rustls configuration, [`connector`] TCP,
//! proxies, TLS and the connect timeout, [`pool`] the settings,
//! [`request`] and [`response`] the conversions, [`error`] the error kinds.

mod connector;
mod error;
pub(crate) use error::body_error;
mod pool;
mod request;
mod response;
#[cfg(test)]
mod tests;
mod tls;
mod uri;

use std::fmt;
use std::future::Future;
use std::sync::Arc;

use futures::future::Either;

use hyper_util::client::legacy::Client;
use hyper_util::client::proxy::matcher::Matcher;

use crate::error::{Result, TransportError};
use crate::middleware::BoxFuture;
use crate::request::Request;

use super::{Transport, TransportResponse};

pub use pool::HyperTransportBuilder;

/// Sends through hyper-util's pooled client over hyper-rustls: HTTP/1.1,
/// and HTTP/2 when the server offers it by ALPN; the same rustls setup and
/// roots as [`ReqwestTransport`](crate::ReqwestTransport) (the platform
/// verifier, TLS 1.2 and 1.3); `TCP_NODELAY`; proxies from the environment.
/// It follows no redirects: the client's redirect layer does.
///
/// Needs the `hyper-transport` feature. Choose it with
/// [`ClientBuilder::hyper_transport`](crate::ClientBuilder::hyper_transport),
/// which takes the builder's connect timeout and pool settings, or hand one
/// in with [`ClientBuilder::transport`](crate::ClientBuilder::transport):
///
/// ```
/// # fn main() -> restrait::Result<()> {
/// use restrait::{Client, HyperTransport};
///
/// let client = Client::builder("https://api.example.com")
///     .transport(HyperTransport::new()?)
///     .build()?;
/// # let _ = client; Ok(()) }
/// ```
///
/// Clones share one connection pool.
#[derive(Clone)]
pub struct HyperTransport {
    client: Client<connector::Connector, request::SendBody>,
    /// The proxies, when the environment names any.
    proxy: Option<Arc<Matcher>>,
    /// The scheme and authority of the origin it sends to, parsed once.
    origins: Arc<uri::Origins>,
}

impl HyperTransport {
    /// A transport with the default settings (no connect timeout, hyper's
    /// pool defaults, proxies from the environment).
    pub fn new() -> Result<HyperTransport> {
        HyperTransport::builder().build()
    }

    /// Configures a transport.
    pub fn builder() -> HyperTransportBuilder {
        HyperTransportBuilder::default()
    }

    /// Sends `request`: the future the client polls in place, without the
    /// box of [`Transport::send`].
    pub(crate) fn send_inline(
        &self,
        request: Request,
    ) -> impl Future<Output = Result<TransportResponse, TransportError>> + Send + '_ {
        let (mut req, body) = match request::to_hyper(request, &self.origins, self.proxy.as_deref())
        {
            Ok(converted) => converted,
            Err(e) => return Either::Left(std::future::ready(Err(e))),
        };
        if let Some(in_memory) = request::in_memory(&body) {
            // Most calls: nothing to open, so the future holds only hyper's.
            *req.body_mut() = in_memory;
            let response = self.client.request(req);
            return Either::Right(Either::Left(async move {
                let response = response.await.map_err(error::send_error)?;
                Ok(response::from_hyper(response))
            }));
        }
        // Boxed: the request waits in it while the body opens, room that
        // the other calls' futures need not have.
        let opening: BoxFuture<'_, _> = Box::pin(async move {
            *req.body_mut() = request::open(body, req.headers_mut()).await?;
            let response = self.client.request(req).await.map_err(error::send_error)?;
            Ok(response::from_hyper(response))
        });
        Either::Right(Either::Right(opening))
    }
}

impl Transport for HyperTransport {
    fn send(&self, request: Request) -> BoxFuture<'_, Result<TransportResponse, TransportError>> {
        Box::pin(self.send_inline(request))
    }
}

/// Not the proxy settings: a proxy URL may hold a password.
impl fmt::Debug for HyperTransport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HyperTransport")
            .field("proxy", &self.proxy.is_some())
            .finish_non_exhaustive()
    }
}
