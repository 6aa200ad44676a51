//! The default transport: one pooled `reqwest::Client`.

use std::fmt;
use std::future::Future;
use std::sync::Arc;

use futures::future::Either;

use url::Url;

use crate::error::{TransportError, TransportErrorKind};
use crate::middleware::BoxFuture;
use crate::request::Request;
use crate::request::body::Body;

use super::host::KnownHost;
use super::{Transport, TransportResponse};
use crate::response::ResponseBody;

/// Sends through a `reqwest::Client` (connection pool, rustls TLS, HTTP/2).
///
/// [`ClientBuilder`](crate::ClientBuilder) makes one from its pool and
/// timeout settings, or takes yours with
/// [`reqwest_client_builder`](crate::ClientBuilder::reqwest_client_builder)
/// or [`reqwest_client`](crate::ClientBuilder::reqwest_client).
///
/// Redirects are followed by the client's redirect layer, above auth, never
/// by reqwest: the client should be built with
/// `redirect(reqwest::redirect::Policy::none())`. If it follows a redirect
/// anyway, [`send`](Transport::send) fails, and the call fails with
/// [`RedirectErrorKind::FollowedByTransport`](crate::RedirectErrorKind::FollowedByTransport).
#[derive(Debug, Clone)]
pub struct ReqwestTransport {
    client: reqwest::Client,
    /// False when restrait built the client with `Policy::none()`: then it
    /// cannot follow a redirect and the check is skipped.
    check_redirects: bool,
    /// The `Host` of plain-http requests, when restrait built the client
    /// from its own settings alone (no HTTP/2 over plain http): see
    /// [`host`](super::host).
    host: Option<Arc<KnownHost>>,
}

impl ReqwestTransport {
    /// Sends through `client`, which should not follow redirects (see above).
    pub fn new(client: reqwest::Client) -> Self {
        ReqwestTransport {
            client,
            check_redirects: true,
            host: None,
        }
    }

    /// Sends through a client that restrait built with `Policy::none()`;
    /// `own` if from restrait's settings alone, not a builder of the user's.
    pub(crate) fn without_redirects(client: reqwest::Client, own: bool) -> Self {
        ReqwestTransport {
            client,
            check_redirects: false,
            host: own.then(Arc::default),
        }
    }

    /// The underlying client.
    pub fn client(&self) -> &reqwest::Client {
        &self.client
    }

    /// Sends `request`: the future the client polls in place, without the
    /// box of [`Transport::send`].
    ///
    /// reqwest's own future is made here, before the `async` block, so that
    /// the block holds only it (a pointer) and what it needs after: a body
    /// in memory takes no waiting, and most calls send nothing else. A body
    /// to open first (a file, a form, a stream) goes on a boxed path of its
    /// own, whose future holds the request while the body opens.
    pub(crate) fn send_inline(
        &self,
        request: Request,
    ) -> impl Future<Output = Result<TransportResponse, TransportError>> + Send + '_ {
        let sent_to = self.check_redirects.then(|| request.url().clone());
        let crate::request::Parts {
            method,
            url,
            mut headers,
            body,
            ..
        } = *request.parts;
        let url = url.into_url();
        if let Some(known) = &self.host {
            known.add_to(&url, &mut headers);
        }
        let mut req = reqwest::Request::new(method, url);
        match ready_body(body) {
            Ok(body) => {
                *req.body_mut() = body;
                *req.headers_mut() = headers;
                let pending = self.client.execute(req);
                Either::Left(async move { answer(pending.await, sent_to) })
            }
            Err(body) => Either::Right(Box::pin(async move {
                *req.body_mut() = Some(open_body(body, &mut headers).await?);
                *req.headers_mut() = headers;
                answer(self.client.execute(req).await, sent_to)
            })
                as BoxFuture<'_, Result<TransportResponse, TransportError>>),
        }
    }
}

/// The response, or the error; and, when the client may follow redirects
/// by itself, an error if it did.
fn answer(
    response: reqwest::Result<reqwest::Response>,
    sent_to: Option<Url>,
) -> Result<TransportResponse, TransportError> {
    let mut response = response.map_err(request_error)?;
    if let Some(sent_to) = sent_to
        && !same_target(&sent_to, response.url())
    {
        return Err(followed(response.url()));
    }
    Ok(TransportResponse {
        status: response.status(),
        headers: std::mem::take(response.headers_mut()),
        body: ResponseBody::from_reqwest(response),
    })
}

impl Transport for ReqwestTransport {
    fn send(&self, request: Request) -> BoxFuture<'_, Result<TransportResponse, TransportError>> {
        Box::pin(self.send_inline(request))
    }
}

/// The body as reqwest sends it, when that takes no waiting: none, or
/// bytes as they are (the fast path). Else the body back, for
/// [`open_body`].
fn ready_body(body: Body) -> Result<Option<reqwest::Body>, Body> {
    if body.has_progress() {
        return Err(body);
    }
    if body.is_empty() {
        return Ok(None);
    }
    match body.as_bytes() {
        Some(bytes) => Ok(Some(reqwest::Body::from(bytes.clone()))),
        None => Err(body),
    }
}

/// A file, a stream or a form (or bytes whose upload progress is watched)
/// through `wrap_stream`, with `Content-Length` when the length is known
/// (upload progress fires as chunks go out).
async fn open_body(
    body: Body,
    headers: &mut http::HeaderMap,
) -> Result<reqwest::Body, TransportError> {
    let (_, stream) = super::wire::open_body(body, headers).await?;
    Ok(reqwest::Body::wrap_stream(stream))
}

/// True if `answered` is the URL that was requested: reqwest reports the
/// last URL of the redirects it followed. Fragments and userinfo are not
/// sent, so they do not count.
fn same_target(sent: &Url, answered: &Url) -> bool {
    sent.origin() == answered.origin()
        && sent.path() == answered.path()
        && sent.query() == answered.query()
}

/// The cause of the [`TransportError`] for a redirect that reqwest
/// followed; the redirect layer's guard turns it into `Error::Redirect`.
#[derive(Debug)]
struct FollowedRedirect {
    /// Where reqwest ended up, without query or userinfo.
    to: String,
}

impl fmt::Display for FollowedRedirect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "the reqwest::Client followed a redirect to {}", self.to)
    }
}

impl std::error::Error for FollowedRedirect {}

fn followed(to: &Url) -> TransportError {
    let cause = FollowedRedirect {
        to: crate::redact::redacted_raw_url(to.as_str()),
    };
    TransportError::new(
        TransportErrorKind::Request,
        cause.to_string(),
        Some(Box::new(cause)),
    )
}

/// Where the transport went if `e` says that reqwest followed a redirect.
pub(crate) fn followed_redirect(e: &TransportError) -> Option<&str> {
    e.source
        .as_deref()
        .and_then(|s| s.downcast_ref::<FollowedRedirect>())
        .map(|f| f.to.as_str())
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

pub(crate) fn body_error(e: reqwest::Error) -> TransportError {
    wrap(TransportErrorKind::Body, e)
}

fn wrap(kind: TransportErrorKind, e: reqwest::Error) -> TransportError {
    // The URL may carry an API key in its query: keep it out of messages.
    let e = e.without_url();
    let message = super::wire::with_causes(&e);
    TransportError::new(kind, message, Some(Box::new(e)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_another_target_counts_as_followed() {
        let u = |s: &str| Url::parse(s).expect("url");
        let sent = u("https://h/a?x=1#frag");
        assert!(same_target(&sent, &u("https://h/a?x=1")));
        assert!(same_target(&sent, &u("https://h:443/a?x=1")));
        assert!(!same_target(&sent, &u("https://h/b?x=1")));
        assert!(!same_target(&sent, &u("https://h/a?x=2")));
        assert!(!same_target(&sent, &u("http://h/a?x=1")));
        assert!(!same_target(&sent, &u("https://g/a?x=1")));
        let e = followed(&u("https://cdn/x?sig=s3cret"));
        assert_eq!(followed_redirect(&e), Some("https://cdn/x"));
        assert!(!e.to_string().contains("s3cret"), "{e}");
    }
}
