//! Configuring a [`Client`].

use std::sync::Arc;
use std::time::Duration;

use http::header::{HeaderMap, HeaderName, HeaderValue, USER_AGENT};
use tokio::sync::Semaphore;
use url::Url;

use crate::client::{Client, ClientInner, finite};
use crate::error::{Error, Result};
use crate::middleware::Middleware;
use crate::middleware::chain::Layers;
use crate::middleware::redirect::{DEFAULT_MAX_REDIRECTS, RedirectMiddleware};
use crate::middleware::retry::RetryPolicy;
use crate::middleware::trace::TracingMiddleware;
use crate::transport::{ClientTransport, ReqwestTransport, Transport};

/// The default limit on a successful response body: 16 MiB.
pub const DEFAULT_MAX_BODY_SIZE: u64 = 16 * 1024 * 1024;
/// How much of an error response body is kept: 64 KiB.
pub const DEFAULT_MAX_ERROR_BODY: u64 = 64 * 1024;

/// Configures a [`Client`]; made by [`Client::builder`].
///
/// Every setting is checked by [`build`](ClientBuilder::build), which returns
/// [`Error::Config`] for an invalid one instead of panicking.
#[must_use = "a builder does nothing until `build` is called"]
pub struct ClientBuilder {
    base_url: String,
    errors: Vec<String>,
    default_headers: HeaderMap,
    /// True while the `User-Agent` among the default headers is the built-in
    /// one, which a `User-Agent` default header replaces.
    builtin_user_agent: bool,
    connect_timeout: Option<Duration>,
    attempt_timeout: Option<Duration>,
    call_timeout: Option<Duration>,
    pool_max_idle_per_host: Option<usize>,
    pool_idle_timeout: Option<Option<Duration>>,
    max_in_flight: Option<usize>,
    max_body_size: u64,
    max_error_body: u64,
    reqwest: Option<Reqwest>,
    max_redirects: u32,
    transport: Option<ClientTransport>,
    /// Set by [`hyper_transport`](Self::hyper_transport) (in `transport.rs`).
    #[cfg(feature = "hyper-transport")]
    pub(crate) hyper_transport: bool,
    pub(crate) retry_layer: Option<crate::middleware::retry::RetryMiddleware>,
    /// The policy of `retry_layer`, for streams that reconnect.
    retry_policy: Arc<RetryPolicy>,
    pub(crate) auth_layer: Option<crate::auth::AuthMiddleware>,
    pub(crate) quota: super::quota::QuotaSettings,
    middleware: Vec<Arc<dyn Middleware>>,
}

impl ClientBuilder {
    pub(crate) fn new(base_url: String) -> Self {
        let mut default_headers = HeaderMap::new();
        default_headers.insert(
            USER_AGENT,
            HeaderValue::from_static(concat!("restrait/", env!("CARGO_PKG_VERSION"))),
        );
        ClientBuilder {
            base_url,
            errors: Vec::new(),
            default_headers,
            builtin_user_agent: true,
            connect_timeout: None,
            attempt_timeout: None,
            call_timeout: None,
            pool_max_idle_per_host: None,
            pool_idle_timeout: None,
            max_in_flight: None,
            max_body_size: DEFAULT_MAX_BODY_SIZE,
            max_error_body: DEFAULT_MAX_ERROR_BODY,
            reqwest: None,
            max_redirects: DEFAULT_MAX_REDIRECTS,
            transport: None,
            #[cfg(feature = "hyper-transport")]
            hyper_transport: false,
            retry_layer: crate::middleware::retry::default_layer(),
            retry_policy: Arc::new(RetryPolicy::default()),
            auth_layer: None,
            quota: Default::default(),
            middleware: Vec::new(),
        }
    }

    /// Records a configuration error for `build` to report.
    pub(crate) fn push_error(&mut self, message: String) {
        self.errors.push(message);
    }

    /// Adds a value of a header sent with every request; called again with
    /// the same name, it adds another value, and every value is sent.
    ///
    /// A request that sets a header of that name itself (a `#[header]`
    /// parameter, `#[headers(..)]`, or
    /// [`CallOptions::header`](crate::CallOptions::header)) sends its own
    /// values instead of all the default ones. A `User-Agent` given here
    /// replaces the built-in one; [`user_agent`](Self::user_agent) replaces
    /// all `User-Agent` values given before it.
    ///
    /// ```
    /// # fn main() -> restrait::Result<()> {
    /// let client = restrait::Client::builder("https://api.example.com")
    ///     .default_header("Accept-Language", "en")
    ///     .default_header("Accept-Language", "fr;q=0.5") // both are sent
    ///     .build()?;
    /// # let _ = client; Ok(()) }
    /// ```
    pub fn default_header(mut self, name: &str, value: &str) -> Self {
        match (HeaderName::try_from(name), HeaderValue::try_from(value)) {
            (Ok(name), Ok(value)) => self.add_default(&name, value),
            (Err(_), _) => self.errors.push(format!("invalid header name `{name}`")),
            (_, Err(_)) => self
                .errors
                .push(format!("invalid value for default header `{name}`")),
        }
        self
    }

    /// Adds every value of every header in `headers`, as
    /// [`default_header`](Self::default_header) does for one.
    pub fn default_headers(mut self, headers: HeaderMap) -> Self {
        for (name, value) in &headers {
            self.add_default(name, value.clone());
        }
        self
    }

    /// Adds a default header value; the first `User-Agent` value replaces
    /// the built-in one.
    fn add_default(&mut self, name: &HeaderName, value: HeaderValue) {
        if name == USER_AGENT && std::mem::take(&mut self.builtin_user_agent) {
            self.default_headers.remove(USER_AGENT);
        }
        self.default_headers.append(name, value);
    }

    /// The `User-Agent` header (default `restrait/<version>`). It replaces
    /// any `User-Agent` set before it, also with
    /// [`default_header`](Self::default_header).
    pub fn user_agent(mut self, user_agent: &str) -> Self {
        match HeaderValue::try_from(user_agent) {
            Ok(value) => {
                self.default_headers.insert(USER_AGENT, value);
                self.builtin_user_agent = false;
            }
            Err(_) => self.errors.push("invalid user agent".to_owned()),
        }
        self
    }

    /// How long connecting (TCP and TLS) may take. Like every timeout of the
    /// builder, it must be longer than zero; one of 100 years or more (such
    /// as `Duration::MAX`, whose deadline the clock cannot hold) means no
    /// limit.
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        // `None` when the limit is so long that it is none.
        self.connect_timeout = finite(timeout);
        self
    }

    /// How long each attempt (sending a request and reading its response)
    /// may take; 100 years or more means no limit.
    pub fn attempt_timeout(mut self, timeout: Duration) -> Self {
        self.attempt_timeout = finite(timeout);
        self
    }

    /// How long a whole call may take, retries and their waits included;
    /// 100 years or more (such as `Duration::MAX`) means no limit.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.call_timeout = finite(timeout);
        self
    }

    /// How many idle connections to keep per host.
    pub fn pool_max_idle_per_host(mut self, max: usize) -> Self {
        self.pool_max_idle_per_host = Some(max);
        self
    }

    /// How long an idle connection is kept (`None`: for ever).
    pub fn pool_idle_timeout(mut self, timeout: Option<Duration>) -> Self {
        self.pool_idle_timeout = Some(timeout);
        self
    }

    /// At most this many requests on the wire at once; further attempts wait
    /// for a slot. reqwest has no such limit. A buffered call holds its
    /// slot until its body is read; a streamed one (a download, server-sent
    /// events) until its stream is read to the end or dropped.
    pub fn max_in_flight(mut self, max: usize) -> Self {
        self.max_in_flight = Some(max);
        self
    }

    /// The largest successful response body the client reads (default
    /// 16 MiB); a larger one fails with [`Error::BodyTooLarge`] without being
    /// buffered.
    pub fn max_body_size(mut self, bytes: u64) -> Self {
        self.max_body_size = bytes;
        self
    }

    /// How much of an error response body is kept in the error (default
    /// 64 KiB); the rest is not read.
    pub fn max_error_body_size(mut self, bytes: u64) -> Self {
        self.max_error_body = bytes;
        self
    }

    /// Sends through a `reqwest::Client` made from your builder (its proxy,
    /// TLS, pool settings and so on). This is the way to bring your own
    /// reqwest configuration.
    ///
    /// restrait sets `redirect(reqwest::redirect::Policy::none())` on it, so
    /// that redirects are followed by the client's redirect layer, where
    /// credentials go only to the client's own origin (see
    /// [`max_redirects`](Self::max_redirects)); a redirect policy set on the
    /// builder is replaced. It also turns off reqwest's own retries
    /// (`retry(reqwest::retry::never().max_retries_per_request(0))`): the
    /// client's retry layer is the one place that sends again, HTTP/2
    /// refused streams included (see
    /// [`TransportError::is_refused`](crate::TransportError::is_refused)),
    /// within its policy and budget, and reqwest keeps no copy of each
    /// request for a retry of its own. The connect-timeout and pool
    /// settings of this builder apply on top of yours when they are set.
    /// Replaces an earlier [`reqwest_client`](Self::reqwest_client).
    ///
    /// ```
    /// # fn main() -> restrait::Result<()> {
    /// let client = restrait::Client::builder("https://api.example.com")
    ///     .reqwest_client_builder(restrait::reqwest::Client::builder().https_only(true))
    ///     .build()?;
    /// # let _ = client; Ok(()) }
    /// ```
    pub fn reqwest_client_builder(mut self, builder: reqwest::ClientBuilder) -> Self {
        self.reqwest = Some(Reqwest::Builder(Box::new(builder)));
        self
    }

    /// Sends through your own, already built `reqwest::Client` (its own pool,
    /// proxy and TLS settings). The builder's connect-timeout and pool
    /// settings then do not apply. Replaces an earlier
    /// [`reqwest_client_builder`](Self::reqwest_client_builder).
    ///
    /// **Build it with `redirect(reqwest::redirect::Policy::none())`**, or
    /// prefer [`reqwest_client_builder`](Self::reqwest_client_builder).
    /// reqwest has no per-request redirect setting and a built client's
    /// policy cannot be changed, and reqwest's default policy follows up to
    /// 10 redirects to any origin, dropping `Authorization` and `Cookie` but
    /// keeping every other header (an API key's, say) and sending plain
    /// `http` after `https`. restrait checks every response: if the client
    /// followed a redirect, the call fails with
    /// [`Error::Redirect`] of kind
    /// [`FollowedByTransport`](crate::RedirectErrorKind::FollowedByTransport)
    /// and is not retried, but by then reqwest has already sent the
    /// redirected request. Its retry policy stays as built (reqwest's
    /// default resends HTTP/2 refused streams), beneath the client's retry
    /// layer.
    pub fn reqwest_client(mut self, client: reqwest::Client) -> Self {
        self.reqwest = Some(Reqwest::Client(client));
        self
    }

    /// How many redirects a call follows (default 10); one more fails with
    /// [`Error::Redirect`] of kind
    /// [`TooMany`](crate::RedirectErrorKind::TooMany). With 0, redirects are
    /// not followed: a 3xx comes back as the response (and as
    /// [`Error::Api`] from a resource method that expects a success).
    ///
    /// Redirects are followed above retry and auth, so each hop is retried
    /// on its own and auth adds credentials to a hop only when it goes to the
    /// client's own origin (scheme, host and port of the base URL). Going to
    /// another origin, a hop also loses `Authorization`,
    /// `Proxy-Authorization`, `Cookie`, every header marked sensitive and
    /// every header whose name looks like a secret's (`X-Api-Key`), whether
    /// the caller, a default header or a middleware set them; coming back,
    /// it has them again. After a 301 or 302 a
    /// POST becomes a GET, and after a 303 every method but HEAD does, without
    /// the body and its `Content-*` headers; 307 and 308 keep the method and
    /// the body. The `Location` is resolved against the URL that answered,
    /// and followed as the server wrote it, but for query pairs that auth
    /// (or a middleware) added to the request and the server copied into
    /// it: those are taken out, and added again only where they belong. A
    /// 3xx without a `Location` comes back as the response.
    /// The call fails with [`Error::Redirect`] for a redirect from `https` to
    /// `http` (`Downgrade`), back to a method and URL the call already
    /// requested (`Loop`), or to a `Location` that is not an `http(s)` URL
    /// (`InvalidLocation`). The bodies of redirect responses are dropped.
    pub fn max_redirects(mut self, max: u32) -> Self {
        self.max_redirects = max;
        self
    }

    /// Sends through another [`Transport`], such as
    /// [`MockTransport`](crate::testing::MockTransport).
    ///
    /// A [`ReqwestTransport`] or a `HyperTransport` given here is called
    /// directly, as the transports the builder makes are; the futures of
    /// any other are boxed, one box an attempt.
    pub fn transport(mut self, transport: impl Transport) -> Self {
        self.transport = Some(ClientTransport::new(transport));
        self
    }

    /// Adds a middleware; they run in the order added, after tracing,
    /// redirects, retry and auth (each redirect hop and each retry goes
    /// through them).
    pub fn middleware(mut self, middleware: impl Middleware) -> Self {
        self.middleware.push(Arc::new(middleware));
        self
    }

    /// Checks the configuration and makes the client.
    pub fn build(self) -> Result<Client> {
        let mut errors = self.errors;
        let base_url = match parse_base(&self.base_url) {
            Ok(url) => Some(url),
            Err(message) => {
                errors.push(message);
                None
            }
        };
        if self.max_in_flight == Some(0) {
            errors.push("max_in_flight must be at least 1".to_owned());
        }
        if self
            .max_in_flight
            .is_some_and(|n| n > Semaphore::MAX_PERMITS)
        {
            errors.push(format!(
                "max_in_flight must be at most {}",
                Semaphore::MAX_PERMITS
            ));
        }
        for (name, value) in [
            ("connect_timeout", self.connect_timeout),
            ("attempt_timeout", self.attempt_timeout),
            ("timeout", self.call_timeout),
        ] {
            if value == Some(Duration::ZERO) {
                errors.push(format!("{name} must be longer than zero"));
            }
        }
        let base_url = match (base_url, errors.is_empty()) {
            (Some(url), true) => url,
            _ => return Err(Error::config(errors.join("; "))),
        };
        let pool = PoolSettings {
            connect_timeout: self.connect_timeout,
            max_idle_per_host: self.pool_max_idle_per_host,
            idle_timeout: self.pool_idle_timeout,
        };
        // Whether the transport may follow redirects by itself, past the
        // redirect layer: then the guard must go innermost (the redirect
        // layer needs it too).
        let (transport, may_follow): (ClientTransport, bool) = match (self.transport, self.reqwest)
        {
            (Some(t), _) => (t, true),
            (None, Some(Reqwest::Client(client))) => (
                ClientTransport::Reqwest(ReqwestTransport::new(client)),
                true,
            ),
            (None, Some(Reqwest::Builder(b))) => (pool.build(*b, false)?, false),
            #[cfg(feature = "hyper-transport")]
            (None, None) if self.hyper_transport => (super::transport::hyper(&pool)?, false),
            (None, None) => (
                pool.build(reqwest::Client::builder().tcp_nodelay(true), true)?,
                false,
            ),
        };
        let quota = self.quota.layers();
        let layers = Layers {
            trace: TracingMiddleware,
            cache: quota.cache,
            redirect: (self.max_redirects > 0).then(|| RedirectMiddleware::new(self.max_redirects)),
            retry: self.retry_layer,
            rate_limit: quota.rate_limit,
            auth: self.auth_layer,
            user: self.middleware,
            guard: may_follow || self.max_redirects > 0,
        };
        let base = base_url.as_str().trim_end_matches('/').to_owned();
        Ok(Client {
            inner: Arc::new(ClientInner {
                base,
                base_url: Arc::new(base_url),
                default_headers: self.default_headers,
                transport,
                layers,
                in_flight: self.max_in_flight.map(|n| Arc::new(Semaphore::new(n))),
                attempt_timeout: self.attempt_timeout,
                call_timeout: self.call_timeout,
                max_body_size: self.max_body_size,
                max_error_body: self.max_error_body,
                retry_policy: self.retry_policy,
            }),
        })
    }
}

/// Where the `reqwest::Client` comes from when the user brings one.
enum Reqwest {
    Client(reqwest::Client),
    /// Boxed: a `reqwest::ClientBuilder` is a kilobyte.
    Builder(Box<reqwest::ClientBuilder>),
}

/// The builder's settings that go to the transport it makes.
pub(super) struct PoolSettings {
    pub(super) connect_timeout: Option<Duration>,
    pub(super) max_idle_per_host: Option<usize>,
    pub(super) idle_timeout: Option<Option<Duration>>,
}

impl PoolSettings {
    /// Builds the transport's client: these settings on `b`, no redirects
    /// and no retries, which the redirect and retry layers do instead (with
    /// no retry of its own, reqwest copies no request to send again); `own`
    /// if `b` is restrait's, not the user's.
    fn build(self, b: reqwest::ClientBuilder, own: bool) -> Result<ClientTransport> {
        let mut b = b
            .redirect(reqwest::redirect::Policy::none())
            .retry(reqwest::retry::never().max_retries_per_request(0));
        if let Some(t) = self.connect_timeout {
            b = b.connect_timeout(t);
        }
        if let Some(n) = self.max_idle_per_host {
            b = b.pool_max_idle_per_host(n);
        }
        if let Some(t) = self.idle_timeout {
            b = b.pool_idle_timeout(t);
        }
        let client = b
            .build()
            .map_err(|e| Error::config(format!("cannot build the HTTP client: {e}")))?;
        Ok(ClientTransport::Reqwest(
            ReqwestTransport::without_redirects(client, own),
        ))
    }
}

/// Retries.
impl ClientBuilder {
    /// How the client retries failed attempts (default:
    /// [`RetryPolicy::default`], 3 retries with backoff; use
    /// [`RetryPolicy::never`] to turn retries off). The policy's
    /// [`RetryBudget`](crate::RetryBudget) is shared by every call of the client.
    ///
    /// Calls can override the policy with
    /// [`CallOptions::retry`](crate::CallOptions::retry), and the number of
    /// retries with `#[retry(max = N)]`, `#[retry(never)]` or
    /// [`CallOptions::max_retries`](crate::CallOptions::max_retries).
    ///
    /// ```
    /// # fn main() -> restrait::Result<()> {
    /// use std::time::Duration;
    /// use restrait::{Client, RetryPolicy};
    ///
    /// let client = Client::builder("https://api.example.com")
    ///     .retry(RetryPolicy::default().max_retries(5).max_delay(Duration::from_secs(5)))
    ///     .build()?;
    /// # Ok(()) }
    /// ```
    pub fn retry(mut self, policy: RetryPolicy) -> Self {
        self.retry_policy = Arc::new(policy.clone());
        self.retry_layer = Some(crate::middleware::retry::RetryMiddleware::new(policy));
        self
    }
}

fn parse_base(base: &str) -> std::result::Result<Url, String> {
    let url = Url::parse(base).map_err(|e| {
        let shown = crate::redact::redacted_raw_url(base);
        format!("base URL `{shown}` is not a URL: {e}")
    })?;
    let shown = crate::redact::redacted_url(&url);
    if url.cannot_be_a_base() || !matches!(url.scheme(), "http" | "https") {
        // Not an http URL: `user:password@host` parses as one with the scheme
        // `user`, so redact the text, not the parsed URL.
        let shown = crate::redact::redacted_raw_url(base);
        return Err(format!(
            "base URL `{shown}` must be an http:// or https:// URL that paths can be appended to"
        ));
    }
    if !url.username().is_empty() || url.password().is_some() {
        let mut bare = url.clone();
        let _ = bare.set_username("");
        let _ = bare.set_password(None);
        let bare = crate::redact::redacted_url(&bare);
        return Err(format!(
            "base URL `{bare}` must not carry credentials; use an auth method of the builder instead"
        ));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(format!(
            "base URL `{shown}` must not have a query or a fragment"
        ));
    }
    Ok(url)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_base_urls_are_config_errors() {
        for base in [
            "not a url",
            "mailto:me@example.com",
            "ftp://example.com",
            "https://user:hunter2@example.com/v1",
            "https://user:hunter2@bad host/v1",
            "user:hunter2@example.com",
            "https://user:pw@example.com/?api_key=hunter2",
            "https://example.com/v1?x=1",
            "https://example.com/v1#frag",
        ] {
            let err = Client::builder(base).build().expect_err(base);
            assert!(matches!(err, Error::Config(_)), "{base}: {err:?}");
            assert!(!err.to_string().contains("hunter2"), "{err}");
        }
    }

    #[test]
    fn bad_settings_are_reported_together() {
        let err = Client::builder("https://example.com")
            .default_header("bad name", "x")
            .default_header("x-ok", "bad\nvalue")
            .max_in_flight(0)
            .build()
            .expect_err("invalid");
        let text = err.to_string();
        assert!(
            text.contains("bad name") && text.contains("x-ok") && text.contains("max_in_flight"),
            "{text}"
        );
    }
}
