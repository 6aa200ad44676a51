//! hyper's errors as [`TransportError`]s of the kinds the reqwest transport
//! gives, so that retry reads them the same way.

use crate::error::{TransportError, TransportErrorKind};
use crate::transport::wire::with_causes;

/// A failed send: `Connect` when no connection could be made (refused, DNS,
/// TLS, the connect timeout, the proxy), so the request never left;
/// `Request` when it broke after that.
pub(super) fn send_error(e: hyper_util::client::legacy::Error) -> TransportError {
    let kind = if e.is_connect() {
        TransportErrorKind::Connect
    } else {
        TransportErrorKind::Request
    };
    let message = with_causes(&e);
    TransportError::new(kind, message, Some(Box::new(e)))
}

/// Reading the response body failed (the connection was cut, a bad chunk).
/// hyper puts no URL in its messages, so no query secret can leak.
pub(crate) fn body_error(e: hyper::Error) -> TransportError {
    let message = with_causes(&e);
    TransportError::new(TransportErrorKind::Body, message, Some(Box::new(e)))
}
