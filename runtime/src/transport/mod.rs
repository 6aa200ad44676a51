//! Sending a request and getting a response: the innermost layer.

mod built_in;
mod host;
#[cfg(feature = "hyper-transport")]
mod hyper;
mod reqwest_transport;
mod wire;

use std::fmt;

use http::{HeaderMap, StatusCode};

use crate::error::TransportError;
use crate::middleware::BoxFuture;
use crate::request::Request;
use crate::response::ResponseBody;

pub(crate) use built_in::ClientTransport;
#[cfg(feature = "hyper-transport")]
pub(crate) use hyper::body_error as hyper_body_error;
#[cfg(feature = "hyper-transport")]
pub use hyper::{HyperTransport, HyperTransportBuilder};
pub use reqwest_transport::ReqwestTransport;
pub(crate) use reqwest_transport::{body_error, followed_redirect};

/// Sends one request and returns the response head with a body still to be
/// read: a stream ([`ResponseBody::from_stream`]) or bytes in memory. For a
/// buffered call the client reads the body within its size and time limits;
/// for a streamed one it hands the stream on.
///
/// The default is [`ReqwestTransport`]; [`MockTransport`](crate::testing::MockTransport)
/// answers without a network. Implement it to send through something else.
pub trait Transport: Send + Sync + fmt::Debug + 'static {
    /// Sends `request`.
    fn send(&self, request: Request) -> BoxFuture<'_, Result<TransportResponse, TransportError>>;
}

/// A response head and its body, as a transport returns it.
#[derive(Debug)]
pub struct TransportResponse {
    /// The status.
    pub status: StatusCode,
    /// The headers.
    pub headers: HeaderMap,
    /// The body, not read yet.
    pub body: ResponseBody,
}
