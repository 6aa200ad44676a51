//! Errors below HTTP: the transport, and time limits.

use super::*;

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
    /// True if the server refused the request before it processed any of
    /// it: an HTTP/2 stream reset with `REFUSED_STREAM`, or a graceful
    /// `GOAWAY` (`NO_ERROR`) that left the stream out (RFC 9113, section
    /// 8.7). Such a request may be sent again whatever its method, and the
    /// retry layer does.
    pub fn is_refused(&self) -> bool {
        let mut cause = self
            .source
            .as_deref()
            .map(|e| e as &(dyn std::error::Error + 'static));
        while let Some(e) = cause {
            if let Some(h2) = e.downcast_ref::<h2::Error>()
                && h2.is_remote()
            {
                let reason = h2.reason();
                return (h2.is_reset() && reason == Some(h2::Reason::REFUSED_STREAM))
                    || (h2.is_go_away() && reason == Some(h2::Reason::NO_ERROR));
            }
            cause = e.source();
        }
        false
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
