//! Responses: the raw one middleware sees, and the typed one a call returns;
//! reading bodies ([`read`]), decoding them ([`decode`]) and the messages of
//! error bodies ([`error_body`]).

mod body;
pub(crate) mod decode;
pub(crate) mod decompress;
pub(crate) mod error_body;
pub(crate) mod read;

pub(crate) use body::Limits;
pub use body::ResponseBody;
#[cfg(feature = "blocking")]
pub(crate) use byte_stream::write_error;

mod byte_stream;
mod json;
mod json_lines;
mod lines;
mod sse;

pub use byte_stream::{ByteStream, Progress};
pub use json_lines::JsonLines;
pub use sse::{DEFAULT_RECONNECT_DELAY, Event, EventStream};

use std::any::Any;
use std::fmt;
use std::future::Future;

use bytes::Bytes;
use http::{HeaderMap, StatusCode};

use crate::error::{ApiError, BodyTooLarge, CallInfo, Error, Result};
use crate::redact::RedactedHeaders;
use read::{ReadError, read_body};

/// A response: status, headers and a body of type `T`.
///
/// Middleware sees `Response<ResponseBody>` (the default): the head first,
/// the body a [`ResponseBody`] that is in memory for a buffered call and a
/// live stream for a streamed one. [`Response::bytes`] reads it whole.
/// [`Client::execute`](crate::Client::execute) returns `Response<Bytes>`,
/// and a resource method declared to return `Result<Response<T>>` gets the
/// status and headers along with the decoded body.
pub struct Response<T = ResponseBody> {
    pub(crate) status: StatusCode,
    /// Boxed: a response (and its `Result`) is moved up through every
    /// level of the chain's future, and the head is most of its size.
    pub(crate) head: Box<Head>,
    pub(crate) body: T,
    pub(crate) attempts: u32,
    pub(crate) body_truncated: bool,
    /// Why a retryable answer was not retried, for the error it becomes.
    pub(crate) not_retried: Option<crate::middleware::retry::NotRetried>,
}

/// The headers of a [`Response`] and the call it answers.
#[derive(Clone)]
pub(crate) struct Head {
    pub(crate) headers: HeaderMap,
    pub(crate) call: CallInfo,
}

impl Head {
    pub(crate) fn new(headers: HeaderMap, call: CallInfo) -> Box<Head> {
        Box::new(Head { headers, call })
    }
}

impl<T> Response<T> {
    /// A response as a transport or a middleware would make it: `body` is a
    /// [`ResponseBody`] for a middleware that answers without sending
    /// (`ResponseBody::from(bytes)`), or [`Bytes`].
    pub fn new(status: StatusCode, headers: HeaderMap, body: T) -> Self {
        Response {
            status,
            head: Head::new(headers, CallInfo::new(http::Method::GET, "")),
            body,
            attempts: 1,
            body_truncated: false,
            not_retried: None,
        }
    }

    /// The status.
    pub fn status(&self) -> StatusCode {
        self.status
    }
    /// The headers.
    pub fn headers(&self) -> &HeaderMap {
        &self.head.headers
    }
    /// The headers, to change.
    pub fn headers_mut(&mut self) -> &mut HeaderMap {
        &mut self.head.headers
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
        (self.status, self.head.headers, self.body)
    }
    /// How many attempts the call took (1 when there was no retry).
    pub fn attempts(&self) -> u32 {
        self.attempts
    }
    /// The method and path template of the call.
    pub fn call(&self) -> &CallInfo {
        &self.head.call
    }
    /// Replaces the body, keeping status and headers.
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Response<U> {
        Response {
            status: self.status,
            head: self.head,
            body: f(self.body),
            attempts: self.attempts,
            body_truncated: self.body_truncated,
            not_retried: self.not_retried,
        }
    }
}

impl Response<ResponseBody> {
    /// Reads the whole body: a 2xx body up to the client's `max_body_size`
    /// (a larger one is [`Error::BodyTooLarge`]), any other up to its
    /// `max_error_body_size` (the rest is cut and not read). Free for a
    /// buffered call, whose body is in memory already.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> restrait::Result<()> {
    /// use restrait::{http::{HeaderMap, StatusCode}, Response, ResponseBody};
    /// let response = Response::new(StatusCode::OK, HeaderMap::new(), ResponseBody::from("hi"));
    /// assert_eq!(&response.bytes().await?.body()[..], b"hi");
    /// # Ok(()) }
    /// ```
    pub async fn bytes(self) -> Result<Response<Bytes>> {
        let limits = self.body.limits;
        self.buffer(limits).await
    }

    /// Reads the whole body (as [`bytes`](Self::bytes) does) as UTF-8 text;
    /// invalid sequences become `U+FFFD`.
    pub async fn text(self) -> Result<String> {
        let response = self.bytes().await?;
        Ok(String::from_utf8_lossy(&response.body).into_owned())
    }

    /// `Ok(self)` for a 2xx status, else reads the error body (up to the
    /// error-body limit) into the typed [`Error`] for the status.
    pub async fn error_for_status(self) -> Result<Self> {
        if self.status.is_success() {
            Ok(self)
        } else {
            Err(self.into_error().await)
        }
    }

    /// The body, in memory or read within `limits`, the time it takes
    /// bounded by whoever awaits it.
    #[allow(
        clippy::manual_async_fn,
        reason = "an `async fn` holds its by-value arguments twice in its future"
    )]
    pub(crate) fn buffer(
        mut self,
        limits: Limits,
    ) -> impl Future<Output = Result<Response<Bytes>>> + Send {
        // An `async` block, not an `async fn`, which would hold the
        // response twice.
        async move {
            if let Some(bytes) = self.body.take_bytes() {
                return Ok(self.map(|_| bytes));
            }
            let success = self.status.is_success();
            let limit = if success {
                limits.max_body
            } else {
                limits.max_error.min(limits.max_body)
            };
            match read_body(&mut self.body, limit, !success).await {
                Ok((bytes, truncated)) => {
                    self.body_truncated |= truncated;
                    Ok(self.map(|_| bytes))
                }
                Err(ReadError::TooLarge) => Err(Error::BodyTooLarge(Box::new(BodyTooLarge {
                    limit,
                    call: self.head.call,
                }))),
                Err(ReadError::Failed(e)) => Err(e),
            }
        }
    }

    /// The typed error of a response that is not a success, its body read
    /// up to the error-body limit (a body that cannot be read is left out).
    pub(crate) async fn into_error(self) -> Error {
        let limits = Limits {
            max_body: self.body.limits.max_error,
            ..self.body.limits
        };
        let head = Response {
            status: self.status,
            head: self.head.clone(),
            body: Bytes::new(),
            attempts: self.attempts,
            body_truncated: true,
            not_retried: self.not_retried,
        };
        match self.buffer(limits).await {
            Ok(buffered) => buffered.into_error(),
            Err(_) => head.into_error(),
        }
    }
}

impl Response<Bytes> {
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
        let retry_after = crate::retry_after::parse(&self.head.headers);
        let message =
            crate::response::error_body::message_from_body(&self.body).unwrap_or_else(|| {
                self.status
                    .canonical_reason()
                    .unwrap_or("unknown status")
                    .to_owned()
            });
        Error::from_status(
            ApiError {
                status: self.status,
                message,
                headers: self.head.headers,
                body: self.body,
                body_truncated: self.body_truncated,
                call: self.head.call,
                attempts: self.attempts,
                not_retried: self.not_retried.map(|why| why.as_str()),
                api_error: None,
            },
            retry_after,
        )
    }
}

/// Never the raw bytes of a body: a raw body (`Bytes`, `Vec<u8>`, `String`)
/// shows its length, a JSON tree its shape (a token response read by a
/// logging middleware would otherwise print the tokens). Any other decoded
/// body shows its own `Debug`, which its type controls.
impl<T: fmt::Debug + 'static> fmt::Debug for Response<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut s = f.debug_struct("Response");
        s.field("status", &self.status)
            .field("headers", &RedactedHeaders(&self.head.headers));
        match BodyShape::of(&self.body) {
            Some(shape) => s.field("body", &shape),
            None => s.field("body", &self.body),
        };
        if self.body_truncated {
            s.field("body_truncated", &true);
        }
        s.field("attempts", &self.attempts).finish()
    }
}

/// What `Debug` shows in place of a raw body, such as `<42 bytes>`.
struct BodyShape(String);

impl BodyShape {
    fn of(body: &dyn Any) -> Option<BodyShape> {
        let len = if let Some(b) = body.downcast_ref::<Bytes>() {
            b.len()
        } else if let Some(b) = body.downcast_ref::<Vec<u8>>() {
            b.len()
        } else if let Some(b) = body.downcast_ref::<String>() {
            b.len()
        } else if let Some(b) = body.downcast_ref::<ResponseBody>() {
            return Some(BodyShape(format!("{b:?}")));
        } else {
            use serde_json::Value;
            let shape = match body.downcast_ref::<Value>()? {
                Value::Object(map) => format!("<JSON object, {} fields>", map.len()),
                Value::Array(items) => format!("<JSON array, {} items>", items.len()),
                Value::String(text) => format!("<JSON string, {} bytes>", text.len()),
                Value::Number(_) => "<JSON number>".to_owned(),
                Value::Bool(_) => "<JSON boolean>".to_owned(),
                Value::Null => "<JSON null>".to_owned(),
            };
            return Some(BodyShape(shape));
        };
        Some(BodyShape(format!("<{len} bytes>")))
    }
}

impl fmt::Debug for BodyShape {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every layer of the chain moves a `Result<Response>` on its way
    /// back, a few dozen moves a call, so its size is paid many times:
    /// past 256 bytes memcpy takes its longer path (about 700 instructions
    /// a call for the 8 bytes by which hyper's request once passed it), and
    /// with the head boxed (248 -> 112 bytes) a call does about 450 fewer
    /// instructions and 13% fewer first-level data cache misses, the box
    /// included (callgrind, `bench/examples/callgrind.rs`).
    #[test]
    fn a_response_stays_within_128_bytes() {
        let size = std::mem::size_of::<Result<Response>>();
        assert!(size <= 128, "a Result<Response> is {size} bytes");
    }

    const TOKEN: &str = r#"{"access_token":"at_secret_1","refresh_token":"rt_secret_2"}"#;

    fn assert_hidden(shown: &str, want: &str) {
        assert!(
            !shown.contains("at_secret_1") && !shown.contains("rt_secret_2"),
            "{shown}"
        );
        assert!(shown.contains(want), "{shown}");
    }

    #[test]
    fn debug_shows_the_length_of_a_raw_body_not_its_bytes() {
        let mut headers = HeaderMap::new();
        headers.insert("content-type", "application/json".parse().expect("value"));
        let response = Response::new(
            StatusCode::OK,
            headers,
            Bytes::from_static(TOKEN.as_bytes()),
        );
        let shown = format!("{response:?}");
        assert_hidden(&shown, &format!("<{} bytes>", TOKEN.len()));
        assert!(shown.contains("application/json"), "{shown}");

        let text = response.map(|b| String::from_utf8_lossy(&b).into_owned());
        assert_hidden(&format!("{text:?}"), &format!("<{} bytes>", TOKEN.len()));
        let raw = text.map(String::into_bytes);
        assert_hidden(&format!("{raw:?}"), &format!("<{} bytes>", TOKEN.len()));
        let json = raw.map(|b| serde_json::from_slice::<serde_json::Value>(&b).expect("json"));
        assert_hidden(&format!("{json:?}"), "<JSON object, 2 fields>");
    }

    #[test]
    fn debug_shows_a_decoded_body_as_its_type_does() {
        #[derive(Debug)]
        struct User {
            #[allow(dead_code)]
            id: u64,
        }
        let response =
            Response::new(StatusCode::OK, HeaderMap::new(), Bytes::new()).map(|_| User { id: 42 });
        let shown = format!("{response:?}");
        assert!(shown.contains("User { id: 42 }"), "{shown}");
    }
}
