//! Decoding one JSON value (a whole buffered body, a JSON line, an event's
//! data) into `T`, with the failing field's path in the error.

use http::StatusCode;
use serde::de::DeserializeOwned;

use crate::error::{CallInfo, DecodeError, Error, Result};
use crate::redact::Excerpt;

/// Which response, and which line of it, a value came from.
pub(crate) struct Origin<'a> {
    pub(crate) status: StatusCode,
    pub(crate) call: &'a CallInfo,
    pub(crate) line: Option<u64>,
}

/// Decodes `text` as `T`; on failure, decodes again with the path tracked
/// (the fast path allocates nothing for paths), as the buffered decoder does.
pub(crate) fn decode<T: DeserializeOwned>(text: &[u8], origin: Origin<'_>) -> Result<T> {
    if let Ok(value) = serde_json::from_slice(text) {
        return Ok(value);
    }
    let mut de = serde_json::Deserializer::from_slice(text);
    let (path, inner) = match serde_path_to_error::deserialize(&mut de) {
        Ok(value) => match de.end() {
            Ok(()) => return Ok(value),
            Err(e) => (".".to_owned(), e),
        },
        Err(e) => (e.path().to_string(), e.into_inner()),
    };
    Err(Error::Decode(Box::new(DecodeError {
        status: origin.status,
        call: origin.call.clone(),
        target: std::any::type_name::<T>(),
        path,
        message: inner.to_string(),
        excerpt: Excerpt(text).to_text(),
        line: origin.line,
        event: None,
        source: Some(inner),
    })))
}
