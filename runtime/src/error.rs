//! The one error type of restrait, and the details each kind carries.

use std::borrow::Cow;
use std::fmt;
use std::time::Duration;

use bytes::Bytes;
use http::{HeaderMap, Method, StatusCode};

use crate::redact::RedactedHeaders;

/// The result type of every restrait call.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong with a call, as variants a caller can match
/// without parsing messages.
///
/// HTTP errors from the server are split by status class so that the common
/// cases read naturally:
///
/// ```
/// # fn demo(result: restrait::Result<()>) {
/// match result {
///     Ok(()) => {}
///     Err(restrait::Error::NotFound(e)) => println!("no such thing: {}", e.message()),
///     Err(restrait::Error::RateLimited { retry_after, .. }) => println!("wait {retry_after:?}"),
///     Err(e) if e.is_timeout() => println!("too slow"),
///     Err(e) => println!("failed: {e}"),
/// }
/// # }
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The server answered 404 Not Found.
    #[error("not found: {0}")]
    NotFound(Box<ApiError>),
    /// The server rejected the request as invalid (400 Bad Request or 422 Unprocessable Content).
    #[error("invalid request rejected by the server: {0}")]
    Validation(Box<ApiError>),
    /// The server answered 401 Unauthorized.
    #[error("unauthorized: {0}")]
    Unauthorized(Box<ApiError>),
    /// The server answered 403 Forbidden.
    #[error("forbidden: {0}")]
    Forbidden(Box<ApiError>),
    /// The server answered 409 Conflict.
    #[error("conflict: {0}")]
    Conflict(Box<ApiError>),
    /// The server answered 429 Too Many Requests.
    #[error("rate limited{}: {error}", fmt_retry_after(*.retry_after))]
    RateLimited {
        /// How long the server asked us to wait (`Retry-After`), if it said.
        retry_after: Option<Duration>,
        /// The response.
        error: Box<ApiError>,
    },
    /// The server answered with a 5xx status.
    #[error("server error: {0}")]
    Server(Box<ApiError>),
    /// The server answered with any other status that is not a success.
    #[error("unexpected status: {0}")]
    Api(Box<ApiError>),
    /// The server answered with a success status, but the body says the
    /// call failed: a resource declared `#[resource(ok_field = "ok")]` and
    /// the body's `ok` is `false` (Slack's `{"ok": false, "error": ".."}`).
    /// The body is not decoded as the method's return type.
    #[error("rejected by the server: {0}")]
    Rejected(Box<ApiError>),
    /// The request could not be sent or the response could not be read.
    #[error(transparent)]
    Transport(TransportError),
    /// The call or one of its attempts took longer than allowed.
    #[error(transparent)]
    Timeout(Box<TimeoutError>),
    /// The response body did not match the expected type.
    #[error(transparent)]
    Decode(Box<DecodeError>),
    /// The response body was larger than the client's limit.
    #[error(transparent)]
    BodyTooLarge(Box<BodyTooLarge>),
    /// Credentials could not be obtained (for example a token refresh failed).
    #[error(transparent)]
    Auth(Box<AuthError>),
    /// The request could not be built from the arguments (for example a path
    /// value of `..`); nothing was sent.
    #[error(transparent)]
    InvalidRequest(InvalidRequest),
    /// The client configuration is invalid (returned by `ClientBuilder::build`).
    #[error(transparent)]
    Config(ConfigError),
    /// A paged list could not be followed: too many pages, a next link to
    /// another origin, or a page body without the expected items.
    #[error(transparent)]
    Pagination(Box<PaginationError>),
    /// A redirect could not be followed safely: a loop, too many hops, a
    /// downgrade from `https` to `http`, a `Location` that is not an http(s)
    /// URL, or a transport that followed a redirect on its own.
    #[error(transparent)]
    Redirect(Box<RedirectError>),
    /// A call of a [`blocking`](crate::blocking) client was made inside an
    /// async runtime, where blocking the thread could deadlock it; nothing
    /// was sent. Use the async client there.
    #[cfg(feature = "blocking")]
    #[error(transparent)]
    Blocking(crate::blocking::BlockingError),
}

/// The `ApiError` of every status-based variant, by reference or by
/// mutable reference as `$error` is: the one list of those variants.
macro_rules! api_error_of {
    ($error:expr) => {
        match $error {
            Error::NotFound(e)
            | Error::Validation(e)
            | Error::Unauthorized(e)
            | Error::Forbidden(e)
            | Error::Conflict(e)
            | Error::Server(e)
            | Error::Api(e)
            | Error::Rejected(e)
            | Error::RateLimited { error: e, .. } => Some(e),
            _ => None,
        }
    };
}

fn fmt_retry_after(retry_after: Option<Duration>) -> Cow<'static, str> {
    match retry_after {
        Some(d) => Cow::Owned(format!(" (retry after {:.3}s)", d.as_secs_f64())),
        None => Cow::Borrowed(""),
    }
}

impl Error {
    /// The API error behind any status-based variant.
    pub fn api(&self) -> Option<&ApiError> {
        api_error_of!(self)
    }

    /// The error body decoded as the resource's declared error type
    /// (`#[resource(error = MyError)]`), when this is an API error whose
    /// body decoded as `T`. `None` for other errors, for a body that did
    /// not decode, and for another `T` than the declared one; the raw body
    /// is still [`api()`](Self::api)`.body()`.
    ///
    /// ```
    /// # #[derive(serde::Deserialize)] struct StripeError;
    /// # fn demo(e: restrait::Error) {
    /// if let Some(stripe) = e.api_error::<StripeError>() {
    ///     // the typed error body
    /// }
    /// # }
    /// ```
    pub fn api_error<T: 'static>(&self) -> Option<&T> {
        self.api()?.api_error::<T>()
    }

    pub(crate) fn api_mut(&mut self) -> Option<&mut ApiError> {
        api_error_of!(self)
    }

    /// The HTTP status, if the server answered.
    pub fn status(&self) -> Option<StatusCode> {
        match self {
            Error::Decode(e) => Some(e.status),
            _ => self.api().map(|e| e.status),
        }
    }

    /// How long the server asked to wait before trying again, for a 429.
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            Error::RateLimited { retry_after, .. } => *retry_after,
            _ => None,
        }
    }

    /// True for [`Error::Timeout`].
    pub fn is_timeout(&self) -> bool {
        matches!(self, Error::Timeout(_))
    }

    /// True if the request provably never reached the server (connection
    /// refused, name resolution failed), so sending it again cannot duplicate
    /// a side effect.
    pub fn is_connect(&self) -> bool {
        matches!(self, Error::Transport(e) if e.is_connect())
    }

    /// True when the server answered with a status that is not a success.
    pub fn is_status(&self) -> bool {
        self.api().is_some()
    }

    /// Builds the error for a response whose status is not a success.
    pub(crate) fn from_status(api: ApiError, retry_after: Option<Duration>) -> Error {
        let status = api.status;
        let api = Box::new(api);
        match status.as_u16() {
            400 | 422 => Error::Validation(api),
            401 => Error::Unauthorized(api),
            403 => Error::Forbidden(api),
            404 => Error::NotFound(api),
            409 => Error::Conflict(api),
            429 => Error::RateLimited {
                retry_after,
                error: api,
            },
            500..=599 => Error::Server(api),
            _ => Error::Api(api),
        }
    }

    /// Records how many attempts a call made, on the errors that count them
    /// below HTTP (API errors take it from the response).
    pub(crate) fn set_attempts(&mut self, attempts: u32) {
        match self {
            Error::Transport(e) => e.attempts = attempts,
            Error::Timeout(e) => e.attempts = attempts,
            _ => {}
        }
    }

    /// Why the call was not retried although the failure was worth another
    /// try, such as `"the request body is a one-shot stream"`. Its
    /// `Display` ends with `; not retried: <why>` too.
    ///
    /// ```
    /// # fn demo(e: restrait::Error) {
    /// if let Some(why) = e.not_retried() {
    ///     eprintln!("gave up at once: {why}");
    /// }
    /// # }
    /// ```
    pub fn not_retried(&self) -> Option<&'static str> {
        match self {
            Error::Transport(e) => e.not_retried,
            Error::Timeout(e) => e.not_retried,
            _ => self.api().and_then(|e| e.not_retried),
        }
    }

    /// Records why the call was not retried (see [`Error::not_retried`]).
    pub(crate) fn set_not_retried(&mut self, why: &'static str) {
        match self {
            Error::Transport(e) => e.not_retried = Some(why),
            Error::Timeout(e) => e.not_retried = Some(why),
            other => {
                if let Some(api) = other.api_mut() {
                    api.not_retried = Some(why);
                }
            }
        }
    }

    /// True for an [`Error::RateLimited`] raised by the client's own rate
    /// limit (see [`ClientBuilder::rate_limit`](crate::ClientBuilder::rate_limit)):
    /// the call's slot lay past its deadline, so nothing was sent. Its
    /// [`ApiError`] has status 429, no headers, no body and
    /// [`attempts`](ApiError::attempts) 0.
    pub fn is_local_rate_limit(&self) -> bool {
        matches!(self, Error::RateLimited { error, .. } if error.attempts == 0)
    }

    /// The error of a call the client's own rate limit refused: a 429 that
    /// no server sent, after `retry_after` the slot would have come.
    pub(crate) fn rate_limited_locally(
        call: CallInfo,
        retry_after: Duration,
        message: String,
    ) -> Error {
        Error::RateLimited {
            retry_after: Some(retry_after),
            error: Box::new(ApiError {
                status: StatusCode::TOO_MANY_REQUESTS,
                message,
                headers: HeaderMap::new(),
                body: Bytes::new(),
                body_truncated: false,
                call,
                attempts: 0,
                not_retried: None,
                api_error: None,
            }),
        }
    }

    pub(crate) fn invalid_request(message: impl Into<String>) -> Error {
        Error::InvalidRequest(InvalidRequest {
            message: message.into(),
        })
    }

    pub(crate) fn config(message: impl Into<String>) -> Error {
        Error::Config(ConfigError {
            message: message.into(),
        })
    }
}

/// Which call an error belongs to: the method and the path template.
#[derive(Clone, PartialEq, Eq)]
pub struct CallInfo {
    pub(crate) method: Method,
    pub(crate) template: Cow<'static, str>,
}

impl CallInfo {
    pub(crate) fn new(method: Method, template: impl Into<Cow<'static, str>>) -> Self {
        CallInfo {
            method,
            template: template.into(),
        }
    }
    /// The HTTP method.
    pub fn method(&self) -> &Method {
        &self.method
    }
    /// The path template as declared, e.g. `/users/<id>`.
    pub fn template(&self) -> &str {
        &self.template
    }
}

impl fmt::Display for CallInfo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.method, self.template)
    }
}

impl fmt::Debug for CallInfo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

/// A response whose status was not a success.
pub struct ApiError {
    pub(crate) status: StatusCode,
    pub(crate) message: String,
    pub(crate) headers: HeaderMap,
    pub(crate) body: Bytes,
    pub(crate) body_truncated: bool,
    pub(crate) call: CallInfo,
    pub(crate) attempts: u32,
    pub(crate) not_retried: Option<&'static str>,
    /// The body decoded as the resource's `error = T` type, if it decoded.
    pub(crate) api_error: Option<crate::response::error_body::Decoded>,
}

impl ApiError {
    /// The status the server answered with.
    pub fn status(&self) -> StatusCode {
        self.status
    }
    /// The message taken from the error body (`{"error":{"message":..}}`,
    /// `{"error":".."}`, `{"message":..}`, RFC 7807 `title`/`detail`), or the
    /// status's reason phrase.
    pub fn message(&self) -> &str {
        &self.message
    }
    /// The response headers.
    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }
    /// The raw response body, cut at the client's error-body limit.
    pub fn body(&self) -> &Bytes {
        &self.body
    }
    /// True when [`body`](Self::body) was cut at the error-body limit.
    pub fn body_truncated(&self) -> bool {
        self.body_truncated
    }
    /// The body as JSON, if it is JSON.
    pub fn json<T: serde::de::DeserializeOwned>(&self) -> Option<T> {
        serde_json::from_slice(&self.body).ok()
    }
    /// The body decoded once, when the error was made, as the resource's
    /// declared error type (`#[resource(error = T)]`); `None` when it did
    /// not decode as `T` (an HTML page from a proxy, a cut body) or `T` is
    /// not the declared type. See [`Error::api_error`].
    pub fn api_error<T: 'static>(&self) -> Option<&T> {
        self.api_error.as_ref()?.value.downcast_ref::<T>()
    }
    /// The body decoded as the declared error type, owned; `None` as for
    /// [`api_error`](Self::api_error), and then the error is left as it was.
    pub fn take_api_error<T: 'static>(&mut self) -> Option<T> {
        let decoded = self.api_error.take()?;
        match decoded.value.downcast::<T>() {
            Ok(value) => Some(*value),
            Err(value) => {
                self.api_error = Some(crate::response::error_body::Decoded {
                    value,
                    type_name: decoded.type_name,
                });
                None
            }
        }
    }
    /// The method and path template of the call.
    pub fn call(&self) -> &CallInfo {
        &self.call
    }
    /// The HTTP method of the call.
    pub fn method(&self) -> &Method {
        &self.call.method
    }
    /// The path template of the call, e.g. `/users/<id>`.
    pub fn path_template(&self) -> &str {
        &self.call.template
    }
    /// How many attempts were made before this answer (1 when there was no retry).
    pub fn attempts(&self) -> u32 {
        self.attempts
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {}: {}",
            self.status.as_u16(),
            self.call,
            self.message
        )?;
        if self.attempts > 1 {
            write!(f, " (after {} attempts)", self.attempts)?;
        }
        f.write_str(&not_retried_note(self.not_retried))
    }
}

impl fmt::Debug for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ApiError")
            .field("status", &self.status)
            .field("message", &self.message)
            .field("call", &self.call)
            .field("attempts", &self.attempts)
            .field("api_error", &self.api_error.as_ref().map(|d| d.type_name))
            .field("headers", &RedactedHeaders(&self.headers))
            .field("body", &crate::redact::Excerpt(&self.body))
            .finish()
    }
}

/// What went wrong below HTTP: connecting, writing the request, reading the response.
#[derive(Debug, thiserror::Error)]
#[error("{kind}: {message}{}{}", after_attempts(*attempts), not_retried_note(*not_retried))]
pub struct TransportError {
    pub(crate) kind: TransportErrorKind,
    pub(crate) message: String,
    pub(crate) attempts: u32,
    pub(crate) not_retried: Option<&'static str>,
    #[source]
    pub(crate) source: Option<Box<dyn std::error::Error + Send + Sync>>,
}

/// The stage at which a [`TransportError`] happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum TransportErrorKind {
    /// No connection could be made; the request never left.
    Connect,
    /// The request failed after a connection was made.
    Request,
    /// Reading the response body failed.
    Body,
}

impl fmt::Display for TransportErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            TransportErrorKind::Connect => "could not connect",
            TransportErrorKind::Request => "request failed",
            TransportErrorKind::Body => "reading the response body failed",
        })
    }
}

impl TransportError {
    /// A transport error of the given kind, with a message and an optional cause.
    pub fn new(
        kind: TransportErrorKind,
        message: impl Into<String>,
        source: Option<Box<dyn std::error::Error + Send + Sync>>,
    ) -> Self {
        TransportError {
            kind,
            message: message.into(),
            attempts: 1,
            not_retried: None,
            source,
        }
    }
    /// The stage at which it failed.
    pub fn kind(&self) -> TransportErrorKind {
        self.kind
    }
    /// True if no connection was made, so the server never saw the request.
    pub fn is_connect(&self) -> bool {
        self.kind == TransportErrorKind::Connect
    }
    /// How many attempts were made (1 when there was no retry).
    pub fn attempts(&self) -> u32 {
        self.attempts
    }
}

/// Which limit a [`TimeoutError`] ran into.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum TimeoutKind {
    /// One attempt (sending and reading one response) took too long.
    Attempt,
    /// The whole call, retries included, took too long.
    Call,
    /// A streamed body sent no bytes for its idle limit (the attempt
    /// timeout).
    Idle,
}

/// A call or attempt exceeded its time limit.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{call}: {} after {:.3}s{}{}", match kind { TimeoutKind::Attempt => "attempt timed out", TimeoutKind::Call => "call timed out", TimeoutKind::Idle => "stream idle, no bytes" }, after.as_secs_f64(), after_attempts(*attempts), not_retried_note(*not_retried))]
pub struct TimeoutError {
    pub(crate) kind: TimeoutKind,
    pub(crate) after: Duration,
    pub(crate) call: CallInfo,
    pub(crate) attempts: u32,
    pub(crate) not_retried: Option<&'static str>,
}

impl TimeoutError {
    /// Which limit was hit.
    pub fn kind(&self) -> TimeoutKind {
        self.kind
    }
    /// The limit that was exceeded.
    pub fn after(&self) -> Duration {
        self.after
    }
    /// The method and path template of the call.
    pub fn call(&self) -> &CallInfo {
        &self.call
    }
    /// How many attempts were made (1 when there was no retry).
    pub fn attempts(&self) -> u32 {
        self.attempts
    }
}

fn not_retried_note(why: Option<&'static str>) -> Cow<'static, str> {
    match why {
        Some(why) => Cow::Owned(format!("; not retried: {why}")),
        None => Cow::Borrowed(""),
    }
}

fn after_attempts(attempts: u32) -> Cow<'static, str> {
    if attempts > 1 {
        Cow::Owned(format!(" (after {attempts} attempts)"))
    } else {
        Cow::Borrowed("")
    }
}

/// The body of a successful response could not be decoded into the expected type.
#[derive(thiserror::Error)]
#[error(
    "{call}: cannot decode {}the {status} response as {target}: at `{path}`: {message}; body: {excerpt}",
    fmt_place(*line, event.as_ref())
)]
pub struct DecodeError {
    pub(crate) status: StatusCode,
    pub(crate) call: CallInfo,
    pub(crate) target: &'static str,
    pub(crate) path: String,
    pub(crate) message: String,
    pub(crate) excerpt: String,
    pub(crate) line: Option<u64>,
    /// The server-sent event whose data failed.
    pub(crate) event: Option<EventOrigin>,
    #[source]
    pub(crate) source: Option<serde_json::Error>,
}

/// Which server-sent event of a stream a [`DecodeError`] is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct EventOrigin {
    /// 1-based, counting every event the stream dispatched.
    pub(crate) number: u64,
    /// The event's last event ID, if it had one.
    pub(crate) id: Option<String>,
}

fn fmt_place(line: Option<u64>, event: Option<&EventOrigin>) -> Cow<'static, str> {
    match (line, event) {
        (
            _,
            Some(EventOrigin {
                number,
                id: Some(id),
            }),
        ) => Cow::Owned(format!("event {number} (id {id:?}) of ")),
        (_, Some(EventOrigin { number, id: None })) => Cow::Owned(format!("event {number} of ")),
        (Some(n), None) => Cow::Owned(format!("line {n} of ")),
        (None, None) => Cow::Borrowed(""),
    }
}

impl DecodeError {
    /// The path of the field that failed, e.g. `items[2].email`, or `.` for the root.
    pub fn path(&self) -> &str {
        &self.path
    }
    /// What serde said.
    pub fn message(&self) -> &str {
        &self.message
    }
    /// The start of the body (a few hundred characters at most).
    pub fn excerpt(&self) -> &str {
        &self.excerpt
    }
    /// The status of the response.
    pub fn status(&self) -> StatusCode {
        self.status
    }
    /// The Rust type that was expected.
    pub fn target(&self) -> &str {
        self.target
    }
    /// The method and path template of the call.
    pub fn call(&self) -> &CallInfo {
        &self.call
    }
    /// The 1-based line of a streamed body (JSON Lines) that failed, if it was one.
    pub fn line(&self) -> Option<u64> {
        self.line
    }
    /// The 1-based number of the server-sent event (of an
    /// [`EventStream`](crate::EventStream)) whose data failed, if it was one.
    pub fn event(&self) -> Option<u64> {
        self.event.as_ref().map(|e| e.number)
    }
    /// The ID of that event (its last event ID), if it had one.
    pub fn event_id(&self) -> Option<&str> {
        self.event.as_ref().and_then(|e| e.id.as_deref())
    }
}

impl fmt::Debug for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DecodeError")
            .field("call", &self.call)
            .field("status", &self.status)
            .field("target", &self.target)
            .field("path", &self.path)
            .field("message", &self.message)
            .field("excerpt", &self.excerpt)
            .field("line", &self.line)
            .field("event", &self.event)
            .finish()
    }
}

/// The response body exceeded the client's `max_body_size`.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{call}: the response body exceeds the limit of {limit} bytes")]
pub struct BodyTooLarge {
    pub(crate) limit: u64,
    pub(crate) call: CallInfo,
}

impl BodyTooLarge {
    /// The limit in bytes.
    pub fn limit(&self) -> u64 {
        self.limit
    }
}

/// Credentials could not be obtained or refreshed.
#[derive(Debug, thiserror::Error)]
#[error("authentication failed: {message}{}", self.oauth_suffix())]
pub struct AuthError {
    pub(crate) message: String,
    pub(crate) status: Option<StatusCode>,
    pub(crate) error: Option<String>,
    pub(crate) error_description: Option<String>,
    #[source]
    pub(crate) source: Option<Box<Error>>,
}

impl AuthError {
    /// A new auth error with a message.
    pub fn new(message: impl Into<String>) -> Self {
        AuthError {
            message: message.into(),
            status: None,
            error: None,
            error_description: None,
            source: None,
        }
    }
    /// Adds the OAuth2 `error` code and `error_description`.
    pub fn with_oauth(mut self, error: Option<String>, description: Option<String>) -> Self {
        self.error = error;
        self.error_description = description;
        self
    }
    /// Adds the status of the token endpoint's answer.
    pub fn with_status(mut self, status: StatusCode) -> Self {
        self.status = Some(status);
        self
    }
    /// Adds the underlying error.
    pub fn with_source(mut self, source: Error) -> Self {
        self.source = Some(Box::new(source));
        self
    }
    /// What happened.
    pub fn message(&self) -> &str {
        &self.message
    }
    /// The token endpoint's status, if it answered.
    pub fn status(&self) -> Option<StatusCode> {
        self.status
    }
    /// The OAuth2 `error` code (e.g. `invalid_grant`).
    pub fn error(&self) -> Option<&str> {
        self.error.as_deref()
    }
    /// The OAuth2 `error_description`.
    pub fn error_description(&self) -> Option<&str> {
        self.error_description.as_deref()
    }
    fn oauth_suffix(&self) -> String {
        match (&self.error, &self.error_description) {
            (Some(e), Some(d)) => format!(" ({e}: {d})"),
            (Some(e), None) => format!(" ({e})"),
            _ => String::new(),
        }
    }
}

/// The request could not be built; nothing was sent.
#[derive(Debug, Clone, thiserror::Error)]
#[error("invalid request: {message}")]
pub struct InvalidRequest {
    pub(crate) message: String,
}

impl InvalidRequest {
    /// What was wrong.
    pub fn message(&self) -> &str {
        &self.message
    }
}

/// A paged list could not be followed.
#[derive(Debug, Clone, thiserror::Error)]
#[error("pagination stopped: {message}")]
pub struct PaginationError {
    pub(crate) message: String,
}

impl PaginationError {
    /// Why.
    pub fn message(&self) -> &str {
        &self.message
    }
}

/// Why a redirect was not followed; see [`RedirectError`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum RedirectErrorKind {
    /// The redirect leads back to a URL this call already requested (with
    /// the same method).
    Loop,
    /// The call was redirected more often than the client's
    /// [`max_redirects`](crate::ClientBuilder::max_redirects).
    TooMany,
    /// The redirect leads from `https` to plain `http`.
    Downgrade,
    /// The `Location` header is not text, not a URL, or not an `http`/`https` URL.
    InvalidLocation,
    /// The transport followed a redirect itself (a `reqwest::Client` built
    /// with a redirect policy other than `Policy::none()`), past the
    /// client's credential and downgrade rules.
    FollowedByTransport,
}

impl fmt::Display for RedirectErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            RedirectErrorKind::Loop => "redirect loop",
            RedirectErrorKind::TooMany => "too many redirects",
            RedirectErrorKind::Downgrade => "redirect from https to http refused",
            RedirectErrorKind::InvalidLocation => "redirect to an invalid location",
            RedirectErrorKind::FollowedByTransport => "the transport followed a redirect itself",
        })
    }
}

/// A redirect was not followed. The message names the call, the redirect's
/// status and its target without a query string (which may hold a key).
#[derive(Debug, Clone, thiserror::Error)]
#[error("{call}: {kind}{}", self.details())]
pub struct RedirectError {
    pub(crate) kind: RedirectErrorKind,
    pub(crate) call: CallInfo,
    /// The status of the redirect that was refused, when the server sent one.
    pub(crate) status: Option<StatusCode>,
    /// How many redirects had been followed.
    pub(crate) hops: u32,
    /// The refused target, already redacted (no query, no userinfo).
    pub(crate) location: Option<String>,
}

impl RedirectError {
    /// Why the redirect was not followed.
    pub fn kind(&self) -> RedirectErrorKind {
        self.kind
    }
    /// The method and path template of the call.
    pub fn call(&self) -> &CallInfo {
        &self.call
    }
    /// The status of the refused redirect (e.g. 302), if the server sent one.
    pub fn status(&self) -> Option<StatusCode> {
        self.status
    }
    /// How many redirects the call had followed before this one.
    pub fn hops(&self) -> u32 {
        self.hops
    }
    /// Where the refused redirect pointed, without its query string, fragment
    /// or userinfo.
    pub fn location(&self) -> Option<&str> {
        self.location.as_deref()
    }
    fn details(&self) -> String {
        use std::fmt::Write as _;
        let mut out = String::new();
        match (self.status, &self.location) {
            (Some(status), Some(to)) => {
                let _ = write!(out, ": {} to {to}", status.as_u16());
            }
            (Some(status), None) => {
                let _ = write!(out, ": {}", status.as_u16());
            }
            (None, Some(to)) => {
                let _ = write!(out, ": to {to}");
            }
            (None, None) => {}
        }
        if self.hops > 0 {
            let _ = write!(out, " after {} redirects", self.hops);
        }
        if self.kind == RedirectErrorKind::FollowedByTransport {
            out.push_str(
                "; build the reqwest::Client with `redirect(reqwest::redirect::Policy::none())` \
                 or hand in its builder with `ClientBuilder::reqwest_client_builder`",
            );
        }
        out
    }
}

/// The client configuration is invalid.
#[derive(Debug, Clone, thiserror::Error)]
#[error("invalid client configuration: {message}")]
pub struct ConfigError {
    pub(crate) message: String,
}

impl ConfigError {
    /// What was wrong.
    pub fn message(&self) -> &str {
        &self.message
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn api(status: u16) -> ApiError {
        ApiError {
            status: StatusCode::from_u16(status).expect("valid status"),
            message: "m".into(),
            headers: HeaderMap::new(),
            body: Bytes::new(),
            body_truncated: false,
            call: CallInfo::new(Method::GET, "/x/<id>"),
            attempts: 1,
            not_retried: None,
            api_error: None,
        }
    }

    #[test]
    fn display_names_the_call() {
        let e = Error::from_status(api(404), None);
        assert_eq!(e.to_string(), "not found: 404 GET /x/<id>: m");
        let e = Error::from_status(api(429), Some(Duration::from_millis(1500)));
        assert_eq!(
            e.to_string(),
            "rate limited (retry after 1.500s): 429 GET /x/<id>: m"
        );
    }

    #[test]
    fn error_is_small_and_thread_safe() {
        fn assert_send_sync<T: Send + Sync + 'static>() {}
        assert_send_sync::<Error>();
        assert!(std::mem::size_of::<Error>() <= 64);
    }
}
