//! A body that could not be decoded, or was too large to read.

use super::*;

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
