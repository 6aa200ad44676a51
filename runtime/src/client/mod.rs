//! The client every resource shares: configuration ([`ClientBuilder`], every
//! builder method in this folder), per-call [`CallOptions`], the call
//! pipeline ([`Client::execute`]) and one attempt of it.

mod auth;
pub(crate) mod builder;
pub(crate) mod options;

pub use builder::{ClientBuilder, DEFAULT_MAX_BODY_SIZE, DEFAULT_MAX_ERROR_BODY};
pub use options::CallOptions;

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http::HeaderMap;
use tokio::sync::Semaphore;
use tokio::time::Instant;
use url::Url;

use crate::error::{BodyTooLarge, Error, Result, TimeoutError, TimeoutKind};
use crate::middleware::{Middleware, Next};
use crate::redact::RedactedHeaders;
use crate::request::Request;
use crate::response::Response;
use crate::transport::{ReadError, Transport, read_body};

/// The HTTP client that resource clients share: base URL, default headers,
/// timeouts, connection pool, middleware (tracing, redirect, retry, auth, yours) and
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
    /// Headers: every value of each default header whose name the request
    /// does not set itself (a request's own header replaces all default
    /// values of that name), then the call options' headers, each replacing
    /// all of the request's values of its name with all of its own.
    ///
    /// Enforces the call's deadline (the call option, else the client's
    /// `timeout`). A timeout of 100 years or more (such as `Duration::MAX`,
    /// whose deadline the clock cannot hold) means no deadline.
    pub async fn execute(&self, mut request: Request) -> Result<Response<Bytes>> {
        let inner = &*self.inner;
        add_defaults(&mut request.headers, &inner.default_headers);
        replace_with(&mut request.headers, &request.options.headers);
        let next = Next::start(&self.inner);
        match with_deadline(request.options.timeout.or(inner.call_timeout)) {
            None => next.run(request).await,
            Some((limit, deadline)) => {
                request.deadline = Some(deadline);
                request.options.timeout = Some(limit);
                let call = request.call_info();
                match tokio::time::timeout_at(deadline, next.run(request)).await {
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
        let result = match with_deadline(limit) {
            None => exchange.await,
            Some((limit, deadline)) => match tokio::time::timeout_at(deadline, exchange).await {
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

/// A time limit this long or longer (100 years, e.g. `Duration::MAX`) is no
/// limit: its deadline might not fit in an `Instant` (or in tokio's timer,
/// which rounds a deadline up), and adding it would panic.
pub(crate) const NO_LIMIT_FROM: Duration = Duration::from_secs(100 * 365 * 24 * 60 * 60);

/// `limit`, unless it is so long that it means no limit (see [`NO_LIMIT_FROM`]).
pub(crate) fn finite(limit: Duration) -> Option<Duration> {
    (limit < NO_LIMIT_FROM).then_some(limit)
}

/// The instant `limit` from now, or `None` for a limit so long that it
/// means no limit (see [`NO_LIMIT_FROM`]) or that the clock cannot hold.
pub(crate) fn deadline_after(limit: Duration) -> Option<Instant> {
    Instant::now().checked_add(finite(limit)?)
}

/// The limit and its deadline, unless there is no limit (or it means none).
fn with_deadline(limit: Option<Duration>) -> Option<(Duration, Instant)> {
    let limit = limit?;
    Some((limit, deadline_after(limit)?))
}

/// Adds every value of each default header whose name `headers` lacks.
fn add_defaults(headers: &mut HeaderMap, defaults: &HeaderMap) {
    for name in defaults.keys() {
        if !headers.contains_key(name) {
            for value in defaults.get_all(name) {
                headers.append(name, value.clone());
            }
        }
    }
}

/// Replaces all values of each name in `over` with all of `over`'s values.
pub(crate) fn replace_with(headers: &mut HeaderMap, over: &HeaderMap) {
    for name in over.keys() {
        headers.remove(name);
        for value in over.get_all(name) {
            headers.append(name, value.clone());
        }
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

#[cfg(test)]
mod tests {
    use super::*;

    fn map(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.append(*name, http::HeaderValue::from_static(value));
        }
        map
    }

    fn all<'a>(map: &'a HeaderMap, name: &str) -> Vec<&'a str> {
        map.get_all(name)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .collect()
    }

    #[test]
    fn limits_too_long_for_the_clock_are_no_limits() {
        assert!(deadline_after(Duration::from_secs(30)).is_some());
        let thirty_years = Duration::from_secs(30 * 365 * 24 * 60 * 60);
        assert!(deadline_after(thirty_years).is_some());
        for huge in [
            NO_LIMIT_FROM,
            Duration::from_secs(u64::MAX / 2),
            Duration::from_secs(u64::MAX),
            Duration::MAX,
        ] {
            assert!(deadline_after(huge).is_none(), "{huge:?}");
            assert_eq!(finite(huge), None, "{huge:?}");
        }
    }

    #[test]
    fn defaults_fill_in_and_options_replace_keeping_every_value() {
        let defaults = map(&[("x-a", "d1"), ("x-a", "d2"), ("x-b", "d3")]);
        let mut headers = map(&[("x-b", "own")]);
        add_defaults(&mut headers, &defaults);
        assert_eq!(all(&headers, "x-a"), ["d1", "d2"]);
        assert_eq!(all(&headers, "x-b"), ["own"]);

        replace_with(
            &mut headers,
            &map(&[("x-a", "o1"), ("x-a", "o2"), ("x-c", "o3")]),
        );
        assert_eq!(all(&headers, "x-a"), ["o1", "o2"]);
        assert_eq!(all(&headers, "x-b"), ["own"]);
        assert_eq!(all(&headers, "x-c"), ["o3"]);
    }
}
