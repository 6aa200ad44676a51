//! What every transport does the same way: opening a request body for the
//! wire, and an error's message with its causes.

use http::HeaderMap;
use http::header::{CONTENT_LENGTH, HeaderValue};

use crate::error::{TransportError, TransportErrorKind};
use crate::request::body::{Body, BodyStream};

/// Opens a body that is not sent as bytes in memory (a file is opened here)
/// into a stream and its length, setting `Content-Length` when the length is
/// known and the request has none. Upload progress fires as chunks go out.
/// A body that cannot be opened fails as `Connect`: nothing was sent.
pub(crate) async fn open_body(
    body: Body,
    headers: &mut HeaderMap,
) -> Result<(Option<u64>, BodyStream), TransportError> {
    let open = body.open().await.map_err(|e| {
        TransportError::new(
            TransportErrorKind::Connect,
            format!("the request body could not be opened: {e}"),
            Some(Box::new(e)),
        )
    })?;
    let (len, stream) = open.into_parts();
    if let Some(len) = len
        && !headers.contains_key(CONTENT_LENGTH)
    {
        headers.insert(CONTENT_LENGTH, HeaderValue::from(len));
    }
    Ok((len, stream))
}

/// `e` and its causes, `: `-separated: the HTTP clients' own messages are
/// generic ("error sending request", "client error (Connect)"); the causes
/// say what happened (connection refused, reset, ...).
pub(crate) fn with_causes(e: &(dyn std::error::Error + 'static)) -> String {
    let mut message = e.to_string();
    let mut cause = e.source();
    while let Some(c) = cause {
        message.push_str(": ");
        message.push_str(&c.to_string());
        cause = c.source();
    }
    message
}
