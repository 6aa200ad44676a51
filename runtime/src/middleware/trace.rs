//! The tracing middleware: one span per call, OpenTelemetry HTTP names.

use std::future::Future;
use std::pin::pin;

use tracing::{Instrument, field};

use crate::error::Result;
use crate::middleware::chain::{Layer, Service};
use crate::middleware::{BoxFuture, Middleware, Next};
use crate::request::Request;
use crate::response::Response;

/// Opens a `tracing` span for each call, named and filled in as the
/// OpenTelemetry HTTP client conventions say: `http.request.method`,
/// `url.template`, `server.address`, `server.port`,
/// `http.response.status_code`, `error.type`, `restrait.redirect_count`
/// when the call followed redirects, and `code.function.name` (the
/// [`Operation`](crate::Operation), e.g. `Users::get`) for a call made by a
/// `#[resource]` method. It is the outermost middleware, so the
/// span covers every redirect and every attempt; the per-attempt events
/// inside it carry `http.request.resend_count`. URLs (which may carry secrets in their
/// query) and headers are not recorded.
#[derive(Debug, Default, Clone, Copy)]
pub struct TracingMiddleware;

impl Layer for TracingMiddleware {
    fn handle<'c, N: Service<'c>>(
        &'c self,
        request: Request,
        next: N,
    ) -> impl Future<Output = Result<Response>> + Send + 'c {
        let span = tracing::info_span!(
            "http.client",
            otel.name = %format_args!("{} {}", request.method(), request.template()),
            otel.kind = "client",
            http.request.method = %request.method(),
            url.template = %request.template(),
            server.address = request.url().host_str().unwrap_or(""),
            server.port = request.url().port_or_known_default().unwrap_or(0),
            http.response.status_code = field::Empty,
            error.r#type = field::Empty,
            restrait.redirect_count = field::Empty,
            code.function.name = field::Empty,
        );
        if let Some(operation) = request.operation() {
            span.record("code.function.name", field::display(operation));
        }
        async move {
            if span.is_disabled() {
                return pin!(next.call(request)).await;
            }
            let result = pin!(next.call(request).instrument(span.clone())).await;
            match &result {
                Ok(response) => {
                    span.record("http.response.status_code", response.status().as_u16());
                    if !response.status().is_success() {
                        span.record("error.type", response.status().as_str());
                    }
                }
                Err(e) => {
                    span.record("error.type", error_type(e));
                }
            }
            result
        }
    }
}

/// Added with [`ClientBuilder::middleware`](crate::ClientBuilder::middleware),
/// it opens one more span around the rest of the chain.
impl Middleware for TracingMiddleware {
    fn handle<'a>(&'a self, request: Request, next: Next<'a>) -> BoxFuture<'a, Result<Response>> {
        Box::pin(Layer::handle(self, request, next))
    }
}

fn error_type(e: &crate::Error) -> &'static str {
    match e {
        crate::Error::Timeout(_) => "timeout",
        crate::Error::Transport(_) => "transport",
        crate::Error::BodyTooLarge(_) => "body_too_large",
        crate::Error::Auth(_) => "auth",
        crate::Error::Redirect(_) => "redirect",
        _ => "other",
    }
}
