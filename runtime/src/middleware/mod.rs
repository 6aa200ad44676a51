//! Middleware: code that runs around every attempt of every call, and the
//! built-in layers in the order a call goes through them: [`trace`],
//! [`cache`], [`redirect`], [`retry`], [`rate_limit`], [`auth`].

pub mod auth;
pub(crate) mod cache;
pub(crate) mod chain;
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
    rest: Rest<'a>,
}

/// Where the rest of the chain starts.
#[derive(Clone, Copy)]
enum Rest<'a> {
    /// At this index of the client's own middleware, then the transport.
    User(usize),
    /// At a built-in stage, below a `dyn Middleware` that sits among the
    /// built-in layers.
    Stage(&'a (dyn chain::DynService + 'a)),
}

impl<'a> Next<'a> {
    /// The user's middleware of `client`, from the first, then the transport.
    pub(crate) fn start(client: &'a Arc<ClientInner>) -> Self {
        Next {
            client,
            rest: Rest::User(0),
        }
    }

    /// The rest of the built-in chain from `stage`, for a `dyn Middleware`
    /// above it.
    pub(crate) fn stage(client: &'a Arc<ClientInner>, stage: &'a dyn chain::DynService) -> Self {
        Next {
            client,
            rest: Rest::Stage(stage),
        }
    }

    /// Passes the request to the rest of the chain and, at its end, sends it.
    pub fn run(self, request: Request) -> BoxFuture<'a, Result<Response>> {
        match self.rest {
            Rest::User(index) => match self.client.layers.user.get(index) {
                Some(first) => first.handle(
                    request,
                    Next {
                        client: self.client,
                        rest: Rest::User(index.saturating_add(1)),
                    },
                ),
                None => Box::pin(redirect::guarded_send(self.client, request)),
            },
            Rest::Stage(stage) => stage.call_boxed(request),
        }
    }

    /// An owned handle to the same rest of the chain, for a task that
    /// outlives the call (a token request shared by several calls). Auth
    /// is the only caller, and its `Next` is always the user's middleware.
    pub(crate) fn detach(self) -> OwnedNext {
        let index = match self.rest {
            Rest::User(index) => index,
            Rest::Stage(_) => 0,
        };
        OwnedNext {
            client: Arc::clone(self.client),
            index,
        }
    }
}

impl std::fmt::Debug for Next<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut f = f.debug_struct("Next");
        match self.rest {
            Rest::User(index) => {
                let remaining = self.client.layers.user.len().saturating_sub(index);
                f.field("remaining", &remaining)
            }
            Rest::Stage(_) => f.field("remaining", &"built-in layers and more"),
        }
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
            rest: Rest::User(self.index),
        }
    }
}

/// True if `a` and `b` have the same origin, as `a.origin() == b.origin()`
/// says, without building the two origins (each a copy of the host) for
/// the `http` and `https` URLs of every call.
pub(crate) fn same_origin(a: &url::Url, b: &url::Url) -> bool {
    use url::Position::{AfterPort, BeforeHost};
    match (a.scheme(), b.scheme()) {
        // The `url` crate writes a special URL's host and port normalised
        // (lower case, the default port left out), so their text decides.
        ("http" | "https", "http" | "https") => {
            a.scheme() == b.scheme() && a[BeforeHost..AfterPort] == b[BeforeHost..AfterPort]
        }
        _ => a.origin() == b.origin(),
    }
}

#[cfg(test)]
mod tests {
    use super::same_origin;

    #[test]
    fn same_origin_agrees_with_url_origins() {
        let urls = [
            "https://api.example.com/v1",
            "https://api.example.com:443/x?q=1",
            "https://API.example.com/",
            "http://api.example.com/",
            "http://api.example.com:80/",
            "https://api.example.com:8443/",
            "https://user:pw@api.example.com/",
            "https://cdn.example.com/",
            "http://127.0.0.1:8080/",
            "http://[::1]:8080/",
            "http://[0:0::1]:8080/",
            "http://127.0.0.1:08080/",
            "http://2130706433:8080/",
            "https://api.example.com.:443/",
            "ftp://api.example.com/",
            "data:text/plain,hi",
        ];
        for a in urls {
            for b in urls {
                let (ua, ub) = (
                    url::Url::parse(a).expect("url"),
                    url::Url::parse(b).expect("url"),
                );
                assert_eq!(same_origin(&ua, &ub), ua.origin() == ub.origin(), "{a} {b}");
            }
        }
    }
}
