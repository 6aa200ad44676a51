//! The default transport: one pooled `reqwest::Client`.

use std::error::Error as _;

use crate::error::{TransportError, TransportErrorKind};
use crate::middleware::BoxFuture;
use crate::request::Request;

use super::{Body, Transport, TransportResponse};

/// Sends through a `reqwest::Client` (connection pool, rustls TLS, HTTP/2).
///
/// [`ClientBuilder`](crate::ClientBuilder) makes one from its pool and
/// timeout settings, or takes yours with
/// [`reqwest_client`](crate::ClientBuilder::reqwest_client).
#[derive(Debug, Clone)]
pub struct ReqwestTransport {
    client: reqwest::Client,
}

impl ReqwestTransport {
    /// Sends through `client`.
    pub fn new(client: reqwest::Client) -> Self {
        ReqwestTransport { client }
    }

    /// The underlying client.
    pub fn client(&self) -> &reqwest::Client {
        &self.client
    }
}

impl Transport for ReqwestTransport {
    fn send(&self, request: Request) -> BoxFuture<'_, Result<TransportResponse, TransportError>> {
        let mut req = reqwest::Request::new(request.method, request.url);
        *req.headers_mut() = request.headers;
        if let Some(body) = request.body {
            *req.body_mut() = Some(body.into());
        }
        let sent = self.client.execute(req);
        Box::pin(async move {
            let mut response = sent.await.map_err(request_error)?;
            Ok(TransportResponse {
                status: response.status(),
                headers: std::mem::take(response.headers_mut()),
                body: Body::from_reqwest(response),
            })
        })
    }
}

fn request_error(e: reqwest::Error) -> TransportError {
    let kind = if e.is_connect() {
        TransportErrorKind::Connect
    } else if e.is_body() || e.is_decode() {
        TransportErrorKind::Body
    } else {
        TransportErrorKind::Request
    };
    wrap(kind, e)
}

pub(super) fn body_error(e: reqwest::Error) -> TransportError {
    wrap(TransportErrorKind::Body, e)
}

fn wrap(kind: TransportErrorKind, e: reqwest::Error) -> TransportError {
    // The URL may carry an API key in its query: keep it out of messages.
    let e = e.without_url();
    // reqwest's own message is generic ("error sending request"); the causes
    // say what happened (connection refused, reset, ...).
    let message = {
        let mut message = e.to_string();
        let mut cause = e.source();
        while let Some(c) = cause {
            message.push_str(": ");
            message.push_str(&c.to_string());
            cause = c.source();
        }
        message
    };
    TransportError::new(kind, message, Some(Box::new(e)))
}
