//! The client every resource shares: configuration ([`ClientBuilder`], every
//! builder method in this folder), per-call [`CallOptions`], the call
//! pipeline ([`Client::execute`]) and one attempt of it.

mod attempt;
mod auth;
#[cfg(feature = "blocking")]
mod blocking;
pub(crate) mod builder;
mod cassette;
mod follow;
pub(crate) mod options;
mod quota;
mod transport;

pub use builder::{ClientBuilder, DEFAULT_MAX_BODY_SIZE, DEFAULT_MAX_ERROR_BODY};
pub use options::CallOptions;

use std::fmt;
use std::pin::pin;
use std::sync::Arc;
use std::time::Duration;

use std::future::Future;

use bytes::Bytes;
use http::{HeaderMap, HeaderName, HeaderValue};
use tokio::sync::Semaphore;
use tokio::time::Instant;
use url::Url;

use crate::error::{Error, Result, TimeoutError, TimeoutKind};
use crate::middleware::chain::Layers;
use crate::redact::RedactedHeaders;
use crate::request::Request;
use crate::response::{Limits, Response};
use crate::transport::ClientTransport;

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
    /// Shared with the requests its resource methods build (see
    /// [`Target`](crate::request::Target)).
    pub(crate) base_url: Arc<Url>,
    pub(crate) default_headers: HeaderMap,
    pub(crate) transport: ClientTransport,
    pub(crate) layers: Layers,
    pub(crate) in_flight: Option<Arc<Semaphore>>,
    pub(crate) attempt_timeout: Option<Duration>,
    pub(crate) call_timeout: Option<Duration>,
    pub(crate) max_body_size: u64,
    pub(crate) max_error_body: u64,
    /// The client's retry policy, which an event stream's reconnects follow.
    pub(crate) retry_policy: Arc<crate::RetryPolicy>,
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
    /// returns the response with its body in memory, whatever its status
    /// (see [`Response::error_for_status`]). Resource methods that return a
    /// value call this.
    ///
    /// The body is read within the attempt's time limit, a 2xx body up to
    /// `max_body_size` ([`Error::BodyTooLarge`] past it), any other cut at
    /// `max_error_body_size`; a body cut mid-read is a transport error that
    /// retry may try again.
    ///
    /// Headers: every value of each default header whose name the request
    /// does not set itself (a request's own header replaces all default
    /// values of that name), then the call options' headers, each replacing
    /// all of the request's values of its name with all of its own.
    ///
    /// Enforces the call's deadline (the call option, else the client's
    /// `timeout`). A timeout of 100 years or more (such as `Duration::MAX`,
    /// whose deadline the clock cannot hold) means no deadline.
    pub fn execute(
        &self,
        mut request: Request,
    ) -> impl Future<Output = Result<Response<Bytes>>> + Send + '_ {
        request.parts.stream = false;
        let limits = self.inner.limits();
        self.call(request, move |response| response.buffer(limits))
    }

    /// Runs a request as [`execute`](Self::execute) does, but hands the
    /// response on as soon as its head has arrived, the body a live
    /// [`ResponseBody`](crate::ResponseBody) stream: a download, JSON
    /// Lines, server-sent events. Whatever the
    /// status: read an error body with [`Response::error_for_status`].
    ///
    /// The call's deadline covers the wait for the head (and the retries
    /// before it), not the body: a stream that keeps flowing is not cut.
    /// The body fails with [`Error::Timeout`] when no bytes arrive for the
    /// attempt timeout, if one is set. It holds an in-flight slot (see
    /// [`ClientBuilder::max_in_flight`]) until it is read to the end or
    /// dropped; dropping it closes the connection.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> restrait::Result<()> {
    /// use futures::TryStreamExt;
    /// use restrait::testing::{MockResponse, MockTransport};
    /// use restrait::{http::Method, Client, Request};
    ///
    /// let mock = MockTransport::new()
    ///     .route(Method::GET, "/export", MockResponse::new(200).chunks(["a,b\n", "c,d\n"]));
    /// let client = Client::builder("https://api.test").transport(mock).build()?;
    /// let request = Request::new(Method::GET, "https://api.test/export".parse().expect("url"));
    /// let response = client.execute_stream(request).await?.error_for_status().await?;
    /// let chunks: Vec<_> = response.into_body().try_collect().await?;
    /// assert_eq!(chunks.concat(), b"a,b\nc,d\n");
    /// # Ok(()) }
    /// ```
    pub fn execute_stream(
        &self,
        mut request: Request,
    ) -> impl Future<Output = Result<Response>> + Send + '_ {
        request.parts.stream = true;
        self.call(request, |response| std::future::ready(Ok(response)))
    }

    /// The pipeline of a call: default headers (and `Accept-Encoding`),
    /// the chain, then `finish` (reading the body, or not), all within the
    /// call's deadline.
    ///
    /// Plain functions rather than `async fn`s, down to the chain: an
    /// `async fn` holds its request argument beside the future it moves
    /// the request into. Each level makes the future it awaits in place
    /// (`pin!`) rather than on the stack and then moved into its own.
    fn call<'a, T, F, Fut>(
        &'a self,
        mut request: Request,
        finish: F,
    ) -> impl Future<Output = Result<T>> + Send + 'a
    where
        F: FnOnce(Response) -> Fut + Send + 'a,
        Fut: Future<Output = Result<T>> + Send,
        T: Send,
    {
        let inner = &*self.inner;
        let home = request.parts.url.same_origin(&inner.base_url);
        add_defaults(&mut request.parts.headers, &inner.default_headers, home);
        if let Some(options) = &mut request.parts.options {
            replace_with(&mut request.parts.headers, &options.headers);
            // `CallOptions::extension` values, for middleware to read.
            request
                .parts
                .extensions
                .extend(std::mem::take(&mut options.extensions));
        }
        // Here, before any layer copies the request (a redirect's template,
        // a retry's attempts): a header added to a copy grows its map, which
        // a clone makes no larger than it has to be.
        crate::response::decompress::accept(&mut request.parts.headers);
        let limit = request.options().timeout.or(inner.call_timeout);
        // The chain's future is one state machine for every layer, and
        // `finish` reads the body at its end: boxed together, once, so
        // that the futures around them (this one, the generated method's,
        // the caller's) stay small and cheap to move.
        let chain = &self.inner;
        async move {
            // The deadline runs from the first poll, as the call starts.
            let deadline = with_deadline(limit).map(|(limit, deadline)| {
                request.parts.deadline = Some(deadline);
                request.parts.call_limit = Some(limit);
                (limit, deadline, request.call_info())
            });
            let run = Box::pin(async move {
                let response = pin!(chain.run_chain(request)).await?;
                pin!(finish(response)).await
            });
            let Some((limit, deadline, call)) = deadline else {
                return run.await;
            };
            match tokio::time::timeout_at(deadline, run).await {
                Ok(result) => result,
                Err(_) => Err(Error::Timeout(Box::new(TimeoutError {
                    kind: TimeoutKind::Call,
                    after: limit,
                    call,
                    attempts: 1,
                    not_retried: None,
                }))),
            }
        }
    }
}

/// A time limit this long or longer (100 years, e.g. `Duration::MAX`) is no
/// limit: its deadline might not fit in an `Instant` (or in tokio's timer,
/// which rounds a deadline up), and adding it would panic.
pub(crate) const NO_LIMIT_FROM: Duration = Duration::from_secs(100 * 365 * 24 * 60 * 60);

/// `limit`, unless it is so long that it means no limit (see [`NO_LIMIT_FROM`]).
impl ClientInner {
    /// The read limits of response bodies.
    pub(crate) fn limits(&self) -> Limits {
        Limits {
            max_body: self.max_body_size,
            max_error: self.max_error_body,
        }
    }
}

pub(crate) fn finite(limit: Duration) -> Option<Duration> {
    (limit < NO_LIMIT_FROM).then_some(limit)
}

/// The instant `limit` from now, or `None` for a limit so long that it
/// means no limit (see [`NO_LIMIT_FROM`]) or that the clock cannot hold.
pub(crate) fn deadline_after(limit: Duration) -> Option<Instant> {
    Instant::now().checked_add(finite(limit)?)
}

/// The limit and its deadline, unless there is no limit (or it means none).
pub(crate) fn with_deadline(limit: Option<Duration>) -> Option<(Duration, Instant)> {
    let limit = limit?;
    Some((limit, deadline_after(limit)?))
}

/// Adds every value of each default header whose name `headers` lacks;
/// away from the client's own origin (a `#[url]` or `get_url` link), not
/// the default headers that carry credentials, which are the API's.
fn add_defaults(headers: &mut HeaderMap, defaults: &HeaderMap, home: bool) {
    // One walk over the defaults, which yields each name's values
    // together (the same `&HeaderName` for each), and one lookup in the
    // request's headers per name.
    let mut name_at: Option<&HeaderName> = None;
    let mut adding: Option<http::header::OccupiedEntry<'_, HeaderValue>> = None;
    for (name, value) in defaults {
        if name_at.is_some_and(|at| std::ptr::eq(at, name)) {
            if let Some(entry) = &mut adding {
                entry.append(value.clone());
            }
            continue;
        }
        name_at = Some(name);
        adding = None;
        let credential = !home
            && defaults
                .get_all(name)
                .iter()
                .any(|v| crate::middleware::redirect::is_credential(name, v));
        if credential {
            continue;
        }
        if let http::header::Entry::Vacant(vacant) = headers.entry(name) {
            adding = Some(vacant.insert_entry(value.clone()));
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
            .field("middleware", &inner.layers.len())
            .field(
                "max_in_flight",
                &inner.in_flight.as_deref().map(Semaphore::available_permits),
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
        let defaults = map(&[
            ("x-a", "d1"),
            ("x-a", "d2"),
            ("x-b", "d3"),
            ("x-b", "d4"),
            ("x-c", "d5"),
        ]);
        let mut headers = map(&[("x-b", "own")]);
        add_defaults(&mut headers, &defaults, true);
        let mut away = HeaderMap::new();
        let credentials = map(&[
            ("authorization", "Token t"),
            ("x-api-key", "k"),
            ("x-a", "d"),
        ]);
        add_defaults(&mut away, &credentials, false);
        assert_eq!(all(&away, "x-a"), ["d"]);
        assert_eq!(away.len(), 1, "no credential default away from home");
        assert_eq!(all(&headers, "x-a"), ["d1", "d2"]);
        assert_eq!(all(&headers, "x-b"), ["own"]);
        assert_eq!(all(&headers, "x-c"), ["d5"]);

        replace_with(
            &mut headers,
            &map(&[("x-a", "o1"), ("x-a", "o2"), ("x-c", "o3")]),
        );
        assert_eq!(all(&headers, "x-a"), ["o1", "o2"]);
        assert_eq!(all(&headers, "x-b"), ["own"]);
        assert_eq!(all(&headers, "x-c"), ["o3"]);
    }
}
