//! The one error type of restrait, and the details each kind carries.

use std::borrow::Cow;
use std::fmt;
use std::time::Duration;

use bytes::Bytes;
use http::{HeaderMap, Method, StatusCode};

use crate::redact::RedactedHeaders;

mod api;
mod client;
mod decode;
mod transport;

pub use api::*;
pub use client::*;
pub use decode::*;
pub use transport::*;

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
