//! Entry points for the fuzz targets in `fuzz/`, behind the `fuzzing`
//! feature: thin wrappers over crate-private parsers, so that fuzzing needs
//! no change to their visibility. Not a stable API.

use std::time::{Duration, SystemTime};

use http::HeaderValue;
use http::header::{HeaderMap, RETRY_AFTER};

/// The wait a `Retry-After` value asks for, as the retry policy reads it,
/// at a fixed `now`. `None` when the bytes are not a header value at all.
pub fn retry_after(value: &[u8], now: SystemTime) -> Option<Duration> {
    let value = HeaderValue::from_bytes(value).ok()?;
    let mut headers = HeaderMap::new();
    headers.insert(RETRY_AFTER, value);
    crate::retry_after::parse_at(&headers, now)
}

/// The `rel="next"` target of a `Link` header value.
pub fn next_link(header: &str) -> Option<&str> {
    crate::paginate::link::next_link(header)
}

/// The message taken from an error response body.
pub fn error_message(body: &[u8]) -> Option<String> {
    crate::response::error_body::message_from_body(body)
}

/// A path value encoded as one segment (`<name>`), or the error's message.
pub fn encode_segment(value: &str) -> Result<String, String> {
    let mut out = String::new();
    crate::path::push_segment(&mut out, "p", value)
        .map(|()| out)
        .map_err(|e| e.to_string())
}

/// A path value encoded as a tail (`<name..>`), or the error's message.
pub fn encode_tail(value: &str) -> Result<String, String> {
    let mut out = String::new();
    crate::path::push_tail(&mut out, "p", value)
        .map(|()| out)
        .map_err(|e| e.to_string())
}

/// A template literal appended to `base`.
pub fn push_literal(base: &str, literal: &str) -> String {
    let mut out = base.to_owned();
    crate::path::push_literal(&mut out, literal);
    out
}
