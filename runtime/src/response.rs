//! Responses: the raw one middleware sees, and the typed one a call returns.

use std::fmt;

use bytes::Bytes;
use http::{HeaderMap, StatusCode};

use crate::error::{ApiError, CallInfo, Error, Result};
use crate::redact::RedactedHeaders;

/// A response: status, headers and a body of type `T`.
///
/// Middleware sees `Response<Bytes>` (the whole body, read within the
/// client's size limit). A resource method declared to return
/// `Result<Response<T>>` gets the status and headers along with the decoded
/// body.
pub struct Response<T = Bytes> {
    pub(crate) status: StatusCode,
    pub(crate) headers: HeaderMap,
    pub(crate) body: T,
    pub(crate) attempts: u32,
    pub(crate) body_truncated: bool,
    pub(crate) call: CallInfo,
}

impl<T> Response<T> {
    /// The status.
    pub fn status(&self) -> StatusCode {
        self.status
    }
    /// The headers.
    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }
    /// The headers, to change.
    pub fn headers_mut(&mut self) -> &mut HeaderMap {
        &mut self.headers
    }
    /// The body.
    pub fn body(&self) -> &T {
        &self.body
    }
    /// The body, to change.
    pub fn body_mut(&mut self) -> &mut T {
        &mut self.body
    }
    /// The body, decoded. Same as [`Response::body`].
    pub fn value(&self) -> &T {
        &self.body
    }
    /// Takes the body.
    pub fn into_body(self) -> T {
        self.body
    }
    /// Takes the status, the headers and the body.
    pub fn into_parts(self) -> (StatusCode, HeaderMap, T) {
        (self.status, self.headers, self.body)
    }
    /// How many attempts the call took (1 when there was no retry).
    pub fn attempts(&self) -> u32 {
        self.attempts
    }
    /// The method and path template of the call.
    pub fn call(&self) -> &CallInfo {
        &self.call
    }
    /// Replaces the body, keeping status and headers.
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Response<U> {
        Response {
            status: self.status,
            headers: self.headers,
            body: f(self.body),
            attempts: self.attempts,
            body_truncated: self.body_truncated,
            call: self.call,
        }
    }
}

impl Response<Bytes> {
    /// A response as a transport or a middleware would make it.
    pub fn new(status: StatusCode, headers: HeaderMap, body: Bytes) -> Self {
        Response {
            status,
            headers,
            body,
            attempts: 1,
            body_truncated: false,
            call: CallInfo::new(http::Method::GET, ""),
        }
    }

    /// `Ok(self)` for a 2xx status, else the typed [`Error`] for the status
    /// (`NotFound`, `RateLimited`, ...), with the message from the body.
    pub fn error_for_status(self) -> Result<Self> {
        if self.status.is_success() {
            Ok(self)
        } else {
            Err(self.into_error())
        }
    }

    pub(crate) fn into_error(self) -> Error {
        let retry_after = crate::retry_after::parse(&self.headers);
        let message = crate::error_body::message_from_body(&self.body).unwrap_or_else(|| {
            self.status
                .canonical_reason()
                .unwrap_or("unknown status")
                .to_owned()
        });
        Error::from_status(
            ApiError {
                status: self.status,
                message,
                headers: self.headers,
                body: self.body,
                body_truncated: self.body_truncated,
                call: self.call,
                attempts: self.attempts,
            },
            retry_after,
        )
    }
}

impl<T: fmt::Debug> fmt::Debug for Response<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Response")
            .field("status", &self.status)
            .field("headers", &RedactedHeaders(&self.headers))
            .field("body", &self.body)
            .field("attempts", &self.attempts)
            .finish()
    }
}
