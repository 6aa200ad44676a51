//! `ApiError`: a response whose status was not a success.

use super::*;

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
