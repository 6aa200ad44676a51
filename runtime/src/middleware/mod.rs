//! Middleware: code that runs around every attempt of every call, and the
//! built-in layers in the order a call goes through them: [`trace`],
//! [`cache`], [`redirect`], [`retry`], [`rate_limit`], [`auth`].

pub mod auth;
pub(crate) mod cache;
pub(crate) mod rate_limit;
pub(crate) mod redirect;
pub(crate) mod retry;
pub(crate) mod trace;

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use crate::client::ClientInner;
use crate::error::Result;
use crate::request::Request;
use crate::response::Response;

/// A boxed, `Send` future, as middleware and transports return.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// Code that sees each request on its way out and each response on its way
/// back, in the style of reqwest-middleware: it may change the request, answer
/// without sending, or call [`Next::run`] any number of times.
///
/// The chain runs, outermost first: tracing, the cache (if the client has
/// one), redirect, retry, the rate limit (if it has one), auth, then yours
/// in the order they were added, then the transport. Responses of every status come
/// back as `Ok`; errors are for what went wrong below HTTP.
///
/// A middleware gets the response head first: the body is a
/// [`ResponseBody`](crate::ResponseBody), in memory for a buffered call and
/// a live stream for a streamed one (a download, server-sent events). Decide
/// on the status and headers; to look at the body, read it with
/// [`Response::bytes`] (which buffers a stream) and hand on
/// `response.map(ResponseBody::from)`.
///
/// ```
/// use restrait::{BoxFuture, Middleware, Next, Request, Response, Result};
/// use restrait::http::HeaderValue;
///
/// /// Adds a tenant header to every request.
/// struct Tenant(HeaderValue);
///
/// impl Middleware for Tenant {
///     fn handle<'a>(&'a self, mut req: Request, next: Next<'a>) -> BoxFuture<'a, Result<Response>> {
///         req.headers_mut().insert("x-tenant", self.0.clone());
///         next.run(req)
///     }
/// }
/// ```
pub trait Middleware: Send + Sync + 'static {
    /// Handles one request; call `next.run(request)` to pass it on.
    fn handle<'a>(&'a self, request: Request, next: Next<'a>) -> BoxFuture<'a, Result<Response>>;
}

/// The rest of the chain after a middleware.
#[derive(Clone, Copy)]
pub struct Next<'a> {
    pub(crate) client: &'a Arc<ClientInner>,
    /// Where the rest of the chain starts in the client's middleware list.
    index: usize,
}

impl<'a> Next<'a> {
    /// The whole chain of `client`, from its first middleware.
    pub(crate) fn start(client: &'a Arc<ClientInner>) -> Self {
        Next { client, index: 0 }
    }

    /// Passes the request to the rest of the chain and, at its end, sends it.
    pub fn run(self, request: Request) -> BoxFuture<'a, Result<Response>> {
        match self.client.middleware.get(self.index) {
            Some(first) => first.handle(
                request,
                Next {
                    client: self.client,
                    index: self.index.saturating_add(1),
                },
            ),
            None => Box::pin(self.client.send_attempt(request)),
        }
    }

    /// An owned handle to the same rest of the chain, for a task that
    /// outlives the call (a token request shared by several calls).
    pub(crate) fn detach(self) -> OwnedNext {
        OwnedNext {
            client: Arc::clone(self.client),
            index: self.index,
        }
    }
}

impl std::fmt::Debug for Next<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let remaining = self.client.middleware.len().saturating_sub(self.index);
        f.debug_struct("Next")
            .field("remaining", &remaining)
            .finish()
    }
}

/// A [`Next`] that owns its client, so that it can move into a spawned task.
pub(crate) struct OwnedNext {
    client: Arc<ClientInner>,
    index: usize,
}

impl OwnedNext {
    /// The borrowed handle, to run a request with.
    pub(crate) fn as_next(&self) -> Next<'_> {
        Next {
            client: &self.client,
            index: self.index,
        }
    }
}
