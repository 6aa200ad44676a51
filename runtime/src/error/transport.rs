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

#[cfg(test)]
mod tests {
    use super::*;

    /// An HTTP/2 client over `io`, ready to send.
    async fn h2_client(io: tokio::io::DuplexStream) -> h2::client::SendRequest<bytes::Bytes> {
        let (client, connection) = h2::client::handshake(io).await.expect("client handshake");
        tokio::spawn(connection);
        client.ready().await.expect("ready")
    }

    /// The error an HTTP/2 client gets for one request sent to a server
    /// that `refuse`s it: each side of an in-memory connection is the real
    /// `h2` protocol, so the error is the one a transport sees on the wire.
    async fn h2_error(
        refuse: impl FnOnce(&mut h2::server::Connection<tokio::io::DuplexStream, bytes::Bytes>)
        + Send
        + 'static,
        reset: Option<h2::Reason>,
    ) -> TransportError {
        let (client_io, server_io) = tokio::io::duplex(64 * 1024);
        let server = tokio::spawn(async move {
            let mut connection = h2::server::handshake(server_io)
                .await
                .expect("server handshake");
            // Before the request is read, so that a GOAWAY sent here has
            // processed no stream and leaves the request out.
            refuse(&mut connection);
            while let Some(Ok((_request, mut respond))) = connection.accept().await {
                if let Some(reason) = reset {
                    respond.send_reset(reason);
                }
            }
        });
        let mut client = h2_client(client_io).await;
        let request = http::Request::post("https://h/x")
            .body(())
            .expect("request");
        let sent = match client.send_request(request, true) {
            Ok((response, _)) => response.await.map(drop),
            Err(e) => Err(e),
        };
        let e = sent.expect_err("the server answers no request");
        server.abort();
        TransportError::new(
            TransportErrorKind::Request,
            e.to_string(),
            Some(Box::new(e)),
        )
    }

    #[tokio::test]
    async fn a_refused_stream_and_a_graceful_goaway_past_it_are_refusals() {
        let refused = h2_error(|_| {}, Some(h2::Reason::REFUSED_STREAM)).await;
        assert!(refused.is_refused(), "{refused:?}");
        let away = h2_error(|c| c.abrupt_shutdown(h2::Reason::NO_ERROR), None).await;
        assert!(away.is_refused(), "{away:?}");
    }

    #[tokio::test]
    async fn other_resets_and_goaways_are_not() {
        let reset = h2_error(|_| {}, Some(h2::Reason::INTERNAL_ERROR)).await;
        assert!(!reset.is_refused(), "{reset:?}");
        let away = h2_error(|c| c.abrupt_shutdown(h2::Reason::INTERNAL_ERROR), None).await;
        assert!(!away.is_refused(), "{away:?}");
        let plain = TransportError::new(TransportErrorKind::Request, "reset", None);
        assert!(!plain.is_refused());
    }

    /// A stream the client itself reset with `REFUSED_STREAM` was never
    /// refused by the server: only the server's word counts.
    #[tokio::test]
    async fn a_refusal_of_the_clients_own_is_not() {
        let (client_io, server_io) = tokio::io::duplex(64 * 1024);
        let server = tokio::spawn(async move {
            let mut connection = h2::server::handshake(server_io)
                .await
                .expect("server handshake");
            let mut held = Vec::new();
            while let Some(Ok(stream)) = connection.accept().await {
                held.push(stream);
            }
        });
        let mut client = h2_client(client_io).await;
        let request = http::Request::post("https://h/x")
            .body(())
            .expect("request");
        let (response, mut body) = client.send_request(request, false).expect("sent");
        body.send_reset(h2::Reason::REFUSED_STREAM);
        let e = response.await.expect_err("the client reset its stream");
        server.abort();
        assert!(e.is_reset() && !e.is_remote(), "{e:?}");
        assert_eq!(e.reason(), Some(h2::Reason::REFUSED_STREAM));
        let local = TransportError::new(
            TransportErrorKind::Request,
            e.to_string(),
            Some(Box::new(e)),
        );
        assert!(!local.is_refused(), "{local:?}");
    }
}
