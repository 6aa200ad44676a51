//! A [`Request`] as hyper sends it: the URI (see [`super::uri`]), the
//! headers moved over, and the body as bytes or a stream with its
//! length when known.

use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::Bytes;
use http::header::PROXY_AUTHORIZATION;
use http::uri::Scheme;
use http_body::{Frame, SizeHint};
use hyper_util::client::proxy::matcher::Matcher;

use super::uri::Origins;
use crate::error::TransportError;
use crate::request::body::{Body, BodyStream};
use crate::request::{Parts, Request};

/// Converts `request`'s head; its body is left to [`in_memory`] or
/// [`open`], since only a body that is not in memory needs an `.await`.
pub(super) fn to_hyper(
    request: Request,
    origins: &Origins,
    proxy: Option<&Matcher>,
) -> Result<(http::Request<SendBody>, Body), TransportError> {
    let Parts {
        method,
        url,
        mut headers,
        body,
        ..
    } = *request.parts;
    let super::uri::Sendable { uri, host } = origins.to_uri(url)?;
    if let Some(host) = host {
        crate::transport::host::add(&mut headers, host);
    }
    if let Some(proxy) = proxy
        && uri.scheme() == Some(&Scheme::HTTP)
        && !headers.contains_key(PROXY_AUTHORIZATION)
        && let Some(auth) = proxy.intercept(&uri).and_then(|i| i.basic_auth().cloned())
    {
        // A plain-http request goes to the proxy itself, with its credentials.
        headers.insert(PROXY_AUTHORIZATION, auth);
    }
    let mut req = http::Request::new(SendBody::Full(Bytes::new()));
    *req.method_mut() = method;
    *req.uri_mut() = uri;
    *req.headers_mut() = headers;
    Ok((req, body))
}

/// The body as it is sent when it is in memory and nobody watches its
/// progress: nothing, or the bytes as they are (the fast path, no `.await`).
pub(super) fn in_memory(body: &Body) -> Option<SendBody> {
    if body.has_progress() {
        None
    } else if body.is_empty() {
        Some(SendBody::Full(Bytes::new()))
    } else {
        body.as_bytes().map(|bytes| SendBody::Full(bytes.clone()))
    }
}

/// Any other body: opened (a file is opened here) into a stream, with
/// `Content-Length` set when its length is known (upload progress fires as
/// chunks go out).
pub(super) async fn open(
    body: Body,
    headers: &mut http::HeaderMap,
) -> Result<SendBody, TransportError> {
    let (len, stream) = crate::transport::wire::open_body(body, headers).await?;
    Ok(SendBody::Stream(Box::new(Streamed { stream, len })))
}

/// The request body type the hyper client sends.
///
/// 32 bytes, so that hyper's `http::Request<SendBody>` stays within 256,
/// which hyper moves a few dozen times a request (a larger one takes
/// memcpy's longer path each time).
pub(super) enum SendBody {
    /// The bytes, empty for no body and once sent.
    Full(Bytes),
    /// Boxed, to keep the size above: a stream is rare, and allocates anyway.
    Stream(Box<Streamed>),
}

/// A body that is not in memory.
pub(super) struct Streamed {
    stream: BodyStream,
    /// The length, when known: hyper sends exactly that many bytes or
    /// fails the request.
    len: Option<u64>,
}

impl http_body::Body for SendBody {
    type Data = Bytes;
    type Error = crate::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
        match self.get_mut() {
            SendBody::Full(bytes) if bytes.is_empty() => Poll::Ready(None),
            SendBody::Full(bytes) => Poll::Ready(Some(Ok(Frame::data(std::mem::take(bytes))))),
            SendBody::Stream(streamed) => streamed
                .stream
                .as_mut()
                .poll_next(cx)
                .map(|chunk| chunk.map(|c| c.map(Frame::data))),
        }
    }

    fn is_end_stream(&self) -> bool {
        match self {
            SendBody::Full(b) => b.is_empty(),
            SendBody::Stream(_) => false,
        }
    }

    fn size_hint(&self) -> SizeHint {
        match self {
            SendBody::Full(b) => SizeHint::with_exact(crate::request::body::len_u64(b.len())),
            SendBody::Stream(streamed) => match streamed.len {
                Some(n) => SizeHint::with_exact(n),
                None => SizeHint::default(),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::header::CONTENT_LENGTH;

    #[tokio::test]
    async fn bodies_say_their_length() {
        use http_body::Body as _;
        let empty = in_memory(&Body::empty()).expect("empty");
        assert!(empty.is_end_stream());
        assert_eq!(empty.size_hint().exact(), Some(0));
        let full = in_memory(&Body::from("hello")).expect("bytes");
        assert_eq!(full.size_hint().exact(), Some(5));
        let chunks = || futures::stream::iter([Ok::<_, std::io::Error>(Bytes::from("ab"))]);
        assert!(in_memory(&Body::stream(chunks())).is_none());
        let mut headers = http::HeaderMap::new();
        let sized = open(Body::sized_stream(2, chunks()), &mut headers)
            .await
            .expect("stream");
        assert_eq!(sized.size_hint().exact(), Some(2));
        assert_eq!(headers[CONTENT_LENGTH], "2");
        assert!(std::mem::size_of::<http::Request<SendBody>>() <= 256);
        let mut headers = http::HeaderMap::new();
        let unsized_ = open(Body::stream(chunks()), &mut headers)
            .await
            .expect("stream");
        assert_eq!(unsized_.size_hint().exact(), None);
        assert!(!headers.contains_key(CONTENT_LENGTH));
    }
}
