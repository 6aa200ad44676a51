//! One attempt of a call: a slot under the in-flight cap, the transport,
//! and, for a buffered call, the body read within the attempt's limits.

use std::future::Future;
use std::pin::pin;
use std::sync::Arc;
use std::time::Duration;

use http::header::LOCATION;
use http::{HeaderMap, StatusCode};
use tokio::sync::OwnedSemaphorePermit;
use tokio::time::Instant;

use super::{ClientInner, finite, with_deadline};
use crate::error::{BodyTooLarge, Error, Result, TimeoutError, TimeoutKind};
use crate::request::Request;
use crate::response::read::{ReadError, read_body};
use crate::response::{Head, Response, ResponseBody};
use crate::transport::TransportResponse;

impl ClientInner {
    /// One attempt: wait for a slot under the in-flight cap, send, and read
    /// the body of a buffered call, all within the attempt's time limit.
    ///
    /// A buffered call's body comes back in memory and its slot is free
    /// again; a streamed call's body (and a redirect's, which the redirect
    /// layer drops unread) comes back live, holding the slot until it is
    /// read to the end or dropped.
    #[allow(
        clippy::manual_async_fn,
        reason = "an `async fn` holds its by-value arguments twice in its future"
    )]
    pub(crate) fn send_attempt(
        &self,
        request: Request,
    ) -> impl Future<Output = Result<Response>> + Send + '_ {
        // An `async` block, not an `async fn`, which would hold the
        // request twice: the argument, and the local it is moved to.
        async move {
            let permit = match &self.in_flight {
                Some(slots) => Some(
                    Arc::clone(slots)
                        .acquire_owned()
                        .await
                        .map_err(|_| Error::config("the client's in-flight limiter was closed"))?,
                ),
                None => None,
            };
            let call = request.call_info();
            let attempt = request.parts.attempt;
            tracing::debug!(
                http.request.resend_count = attempt,
                "sending {} {}",
                call.method,
                call.template
            );
            let (limit, kind) = self.attempt_limit(&request);
            // A call timeout is reported as the call's limit, not what was left of it.
            let reported = match kind {
                TimeoutKind::Call => request.parts.call_limit,
                _ => None,
            };
            let result = match with_deadline(limit) {
                None => pin!(self.exchange(request, permit)).await,
                Some((limit, deadline)) => {
                    match pin!(tokio::time::timeout_at(
                        deadline,
                        self.exchange(request, permit)
                    ))
                    .await
                    {
                        Ok(result) => result,
                        Err(_) => Err(Error::Timeout(Box::new(TimeoutError {
                            kind,
                            after: reported.unwrap_or(limit),
                            call,
                            attempts: 1,
                            not_retried: None,
                        }))),
                    }
                }
            };
            match &result {
                Ok(r) => tracing::debug!(
                    http.request.resend_count = attempt,
                    http.response.status_code = r.status.as_u16(),
                    "response"
                ),
                Err(e) => {
                    tracing::debug!(http.request.resend_count = attempt, error = %e, "attempt failed")
                }
            }
            result
        }
    }

    /// The attempt's time limit: the smaller of the per-attempt timeout and
    /// what is left before the call's deadline.
    fn attempt_limit(&self, request: &Request) -> (Option<Duration>, TimeoutKind) {
        let per_attempt = self.per_attempt(request);
        let left = request
            .parts
            .deadline
            .map(|d| d.saturating_duration_since(Instant::now()));
        match (per_attempt, left) {
            (Some(a), Some(l)) if l >= a => (Some(a), TimeoutKind::Attempt),
            (Some(a), None) => (Some(a), TimeoutKind::Attempt),
            (_, Some(l)) => (Some(l), TimeoutKind::Call),
            (None, None) => (None, TimeoutKind::Attempt),
        }
    }

    /// The per-attempt timeout, which is also a stream's idle limit.
    fn per_attempt(&self, request: &Request) -> Option<Duration> {
        request
            .options()
            .attempt_timeout
            .or(self.attempt_timeout)
            .and_then(finite)
    }

    #[allow(
        clippy::manual_async_fn,
        reason = "an `async fn` holds its by-value arguments twice in its future"
    )]
    fn exchange(
        &self,
        request: Request,
        permit: Option<OwnedSemaphorePermit>,
    ) -> impl Future<Output = Result<Response>> + Send + '_ {
        async move {
            let call = request.call_info();
            let attempts = request.parts.attempt + 1;
            let streamed = request.parts.stream;
            let idle = self.per_attempt(&request);
            let method = request.parts.method.clone();
            let TransportResponse {
                status,
                mut headers,
                body,
            } = self
                .transport
                .send(request)
                .await
                .map_err(Error::Transport)?;
            let mut body = crate::response::decompress::decode(&method, status, &mut headers, body);
            body.limits = self.limits();
            if streamed || is_redirect(status, &headers) {
                // Handed on live: a stream for the caller, or a redirect's body
                // that nobody reads.
                body.hold(permit);
                body.idle_after(idle, call.clone());
                return Ok(response_with(status, headers, body, attempts, false, call));
            }
            let success = status.is_success();
            let limit = if success {
                self.max_body_size
            } else {
                self.max_error_body.min(self.max_body_size)
            };
            let (bytes, truncated) = match read_body(&mut body, limit, !success).await {
                Ok(read) => read,
                Err(ReadError::TooLarge) => {
                    return Err(Error::BodyTooLarge(Box::new(BodyTooLarge { limit, call })));
                }
                Err(ReadError::Failed(e)) => return Err(e),
            };
            drop(body);
            drop(permit);
            let mut body = ResponseBody::full(bytes);
            body.limits = self.limits();
            Ok(response_with(
                status, headers, body, attempts, truncated, call,
            ))
        }
    }
}

fn response_with(
    status: StatusCode,
    headers: HeaderMap,
    body: ResponseBody,
    attempts: u32,
    body_truncated: bool,
    call: crate::error::CallInfo,
) -> Response {
    Response {
        status,
        head: Head::new(headers, call),
        body,
        attempts,
        body_truncated,
        not_retried: None,
    }
}

/// True for a response the redirect layer may follow: its body is not read.
fn is_redirect(status: StatusCode, headers: &HeaderMap) -> bool {
    matches!(status.as_u16(), 301 | 302 | 303 | 307 | 308) && headers.contains_key(LOCATION)
}

#[cfg(test)]
mod tests {
    use std::mem::size_of_val;

    use crate::Client;
    use crate::request::Request;

    /// An attempt's future is boxed once per attempt (see
    /// [`guarded_send`](crate::middleware::redirect::guarded_send)), the
    /// built-in transport's future inside it. glibc serves up to 1032 bytes
    /// from its per-thread cache, and a larger box takes malloc's slow path
    /// on every call.
    #[test]
    fn an_attempt_fits_in_the_allocators_fast_path() {
        let request = || {
            Request::new(
                http::Method::GET,
                "http://127.0.0.1:1/x".parse().expect("url"),
            )
        };
        let reqwest = Client::builder("http://127.0.0.1:1")
            .build()
            .expect("client");
        let size = size_of_val(&reqwest.inner.send_attempt(request()));
        assert!(size <= 1032, "an attempt on reqwest is {size} bytes");
        #[cfg(feature = "hyper-transport")]
        {
            let hyper = Client::builder("http://127.0.0.1:1")
                .hyper_transport()
                .build()
                .expect("client");
            let size = size_of_val(&hyper.inner.send_attempt(request()));
            assert!(size <= 1032, "an attempt on hyper is {size} bytes");
        }
    }
}
