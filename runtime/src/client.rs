//! The client every resource shares: configuration plus the call pipeline.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http::HeaderMap;
use tokio::sync::Semaphore;
use tokio::time::Instant;
use url::Url;

use crate::builder::ClientBuilder;
use crate::error::{BodyTooLarge, Error, Result, TimeoutError, TimeoutKind};
use crate::middleware::{Middleware, Next};
use crate::redact::RedactedHeaders;
use crate::request::Request;
use crate::response::Response;
use crate::transport::{ReadError, Transport, read_body};

/// The HTTP client that resource clients share: base URL, default headers,
/// timeouts, connection pool, middleware (tracing, retry, auth, yours) and
/// transport.
///
/// Cloning is cheap (one `Arc`); clone it into every `{Trait}Client::new`.
///
/// ```
/// # fn main() -> restrait::Result<()> {
/// use std::time::Duration;
/// let client = restrait::Client::builder("https://api.example.com/v1")
///     .user_agent("my-app/1.0")
///     .timeout(Duration::from_secs(30))
///     .build()?;
/// assert_eq!(client.base_url().as_str(), "https://api.example.com/v1");
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Client {
    pub(crate) inner: Arc<ClientInner>,
}

pub(crate) struct ClientInner {
    /// The base URL as given, without a trailing slash.
    pub(crate) base: String,
    pub(crate) base_url: Url,
    pub(crate) default_headers: HeaderMap,
    pub(crate) transport: Box<dyn Transport>,
    pub(crate) middleware: Vec<Arc<dyn Middleware>>,
    pub(crate) in_flight: Option<Semaphore>,
    pub(crate) attempt_timeout: Option<Duration>,
    pub(crate) call_timeout: Option<Duration>,
    pub(crate) max_body_size: u64,
    pub(crate) max_error_body: u64,
}

impl Client {
    /// Starts configuring a client for the API at `base_url`. Paths of
    /// resource methods are appended to it, keeping its path:
    /// `https://h/api/v1` + `/users/<id>` is `https://h/api/v1/users/42`.
    pub fn builder(base_url: impl Into<String>) -> ClientBuilder {
        ClientBuilder::new(base_url.into())
    }

    /// The base URL.
    pub fn base_url(&self) -> &Url {
        &self.inner.base_url
    }

    /// The base URL as a string without a trailing slash.
    pub(crate) fn base(&self) -> &str {
        &self.inner.base
    }

    /// Runs a request through the middleware chain and the transport and
    /// returns the response, whatever its status (see
    /// [`Response::error_for_status`]). Resource methods call this.
    ///
    /// Adds the default headers the request lacks and enforces the call's
    /// deadline (the call option, else the client's `timeout`).
    pub async fn execute(&self, mut request: Request) -> Result<Response<Bytes>> {
        let inner = &*self.inner;
        for (name, value) in &inner.default_headers {
            if !request.headers.contains_key(name) {
                request.headers.insert(name, value.clone());
            }
        }
        if !request.options.headers.is_empty() {
            for (name, value) in &request.options.headers {
                request.headers.insert(name, value.clone());
            }
        }
        let next = Next::start(&self.inner);
        match request.options.timeout.or(inner.call_timeout) {
            None => next.run(request).await,
            Some(limit) => {
                request.deadline = Some(Instant::now() + limit);
                request.options.timeout = Some(limit);
                let call = request.call_info();
                match tokio::time::timeout(limit, next.run(request)).await {
                    Ok(result) => result,
                    Err(_) => Err(Error::Timeout(Box::new(TimeoutError {
                        kind: TimeoutKind::Call,
                        after: limit,
                        call,
                        attempts: 1,
                    }))),
                }
            }
        }
    }
}

impl ClientInner {
    /// One attempt: wait for a slot under the in-flight cap, send, read the
    /// body, all within the attempt's time limit.
    pub(crate) async fn send_attempt(&self, request: Request) -> Result<Response<Bytes>> {
        let _permit = match &self.in_flight {
            Some(slots) => Some(
                slots
                    .acquire()
                    .await
                    .map_err(|_| Error::config("the client's in-flight limiter was closed"))?,
            ),
            None => None,
        };
        let call = request.call_info();
        let attempt = request.attempt;
        tracing::debug!(
            http.request.resend_count = attempt,
            "sending {} {}",
            call.method,
            call.template
        );
        let (limit, kind) = self.attempt_limit(&request);
        // A call timeout is reported as the call's limit, not what was left of it.
        let reported = match kind {
            TimeoutKind::Call => request.options.timeout,
            _ => None,
        };
        let exchange = self.exchange(request);
        let result = match limit {
            None => exchange.await,
            Some(limit) => match tokio::time::timeout(limit, exchange).await {
                Ok(result) => result,
                Err(_) => Err(Error::Timeout(Box::new(TimeoutError {
                    kind,
                    after: reported.unwrap_or(limit),
                    call,
                    attempts: 1,
                }))),
            },
        };
        match &result {
            Ok(r) => tracing::debug!(
                http.request.resend_count = attempt,
                http.response.status_code = r.status.as_u16(),
                "response"
            ),
            Err(e) => {
                tracing::debug!(http.request.resend_count = attempt, error = %e, "attempt failed")
            }
        }
        result
    }

    /// The attempt's time limit: the smaller of the per-attempt timeout and
    /// what is left before the call's deadline.
    fn attempt_limit(&self, request: &Request) -> (Option<Duration>, TimeoutKind) {
        let per_attempt = request.options.attempt_timeout.or(self.attempt_timeout);
        let left = request
            .deadline
            .map(|d| d.saturating_duration_since(Instant::now()));
        match (per_attempt, left) {
            (Some(a), Some(l)) if l >= a => (Some(a), TimeoutKind::Attempt),
            (Some(a), None) => (Some(a), TimeoutKind::Attempt),
            (_, Some(l)) => (Some(l), TimeoutKind::Call),
            (None, None) => (None, TimeoutKind::Attempt),
        }
    }

    async fn exchange(&self, request: Request) -> Result<Response<Bytes>> {
        let call = request.call_info();
        let attempts = request.attempt + 1;
        let response = self
            .transport
            .send(request)
            .await
            .map_err(Error::Transport)?;
        let mut body = response.body;
        let success = response.status.is_success();
        let limit = if success {
            self.max_body_size
        } else {
            self.max_error_body.min(self.max_body_size)
        };
        let (bytes, body_truncated) = match read_body(&mut body, limit, !success).await {
            Ok(read) => read,
            Err(ReadError::TooLarge) => {
                return Err(Error::BodyTooLarge(Box::new(BodyTooLarge { limit, call })));
            }
            Err(ReadError::Transport(e)) => return Err(Error::Transport(e)),
        };
        Ok(Response {
            status: response.status,
            headers: response.headers,
            body: bytes,
            attempts,
            body_truncated,
            call,
        })
    }
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let inner = &*self.inner;
        f.debug_struct("Client")
            .field("base_url", &crate::redact::redacted_url(&inner.base_url))
            .field("default_headers", &RedactedHeaders(&inner.default_headers))
            .field("transport", &inner.transport)
            .field("middleware", &inner.middleware.len())
            .field(
                "max_in_flight",
                &inner.in_flight.as_ref().map(Semaphore::available_permits),
            )
            .field("attempt_timeout", &inner.attempt_timeout)
            .field("timeout", &inner.call_timeout)
            .field("max_body_size", &inner.max_body_size)
            .finish()
    }
}

#[allow(dead_code)]
fn _assert_impls() {
    fn assert_send_sync<T: Send + Sync + Clone + 'static>() {}
    assert_send_sync::<Client>();
}
