//! Sending a request and getting a response: the innermost layer.

mod reqwest_transport;

use std::fmt;
use std::pin::Pin;

use bytes::Bytes;
use futures::Stream;
use http::{HeaderMap, StatusCode};

use crate::error::TransportError;
use crate::middleware::BoxFuture;
use crate::request::Request;

pub(crate) use crate::response::read::{ReadError, read_body};
pub use reqwest_transport::ReqwestTransport;
pub(crate) use reqwest_transport::followed_redirect;

/// Sends one request and returns the response head with a body still to be
/// read. The client reads the body within its size limit and time limit.
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
    pub body: Body,
}

/// A response body still to be read: all at once, or chunk by chunk.
pub struct Body {
    inner: BodyInner,
}

enum BodyInner {
    Full(Option<Bytes>),
    Reqwest(reqwest::Response),
    Stream(Pin<Box<dyn Stream<Item = Result<Bytes, TransportError>> + Send>>),
}

impl Body {
    /// A body that is already in memory.
    pub fn full(bytes: impl Into<Bytes>) -> Self {
        Body {
            inner: BodyInner::Full(Some(bytes.into())),
        }
    }

    /// An empty body.
    pub fn empty() -> Self {
        Body {
            inner: BodyInner::Full(None),
        }
    }

    /// A body that arrives as a stream of chunks.
    pub fn from_stream(
        stream: impl Stream<Item = Result<Bytes, TransportError>> + Send + 'static,
    ) -> Self {
        Body {
            inner: BodyInner::Stream(Box::pin(stream)),
        }
    }

    pub(crate) fn from_reqwest(response: reqwest::Response) -> Self {
        Body {
            inner: BodyInner::Reqwest(response),
        }
    }

    /// The body's length if known in advance.
    pub(crate) fn size_hint(&self) -> Option<u64> {
        match &self.inner {
            BodyInner::Full(b) => Some(b.as_ref().map_or(0, |b| b.len() as u64)),
            BodyInner::Reqwest(r) => r.content_length(),
            BodyInner::Stream(_) => None,
        }
    }

    /// The next chunk, `None` at the end.
    pub(crate) async fn chunk(&mut self) -> Option<Result<Bytes, TransportError>> {
        use futures::StreamExt;
        match &mut self.inner {
            BodyInner::Full(b) => b.take().map(Ok),
            BodyInner::Reqwest(r) => r
                .chunk()
                .await
                .map_err(reqwest_transport::body_error)
                .transpose(),
            BodyInner::Stream(s) => s.next().await,
        }
    }
}

impl fmt::Debug for Body {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.inner {
            BodyInner::Full(b) => f
                .debug_struct("Body")
                .field("len", &b.as_ref().map_or(0, Bytes::len))
                .finish(),
            BodyInner::Reqwest(_) | BodyInner::Stream(_) => f.write_str("Body(streaming)"),
        }
    }
}
