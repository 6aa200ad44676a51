//! The built-in chain as one composed future: no box per layer.
//!
//! The built-in layers (tracing, redirect, retry, auth) are fields of
//! [`Layers`], each optional, and [`ClientInner::run_chain`] stacks them in
//! their fixed order as [`Stage`]s over one another. Every stage is a
//! concrete type, so the whole call is one state machine; only the user's
//! own middleware (a `dyn Middleware` returning a [`BoxFuture`]) costs a
//! box, and only when there is some.
//!
//! Adding a built-in layer: implement [`Layer`] for it (or keep it a
//! [`Middleware`]: `dyn Middleware` is a `Layer` too, boxed), give
//! [`Layers`] a field for it, and one `Stage::new` line in `run_chain`
//! where it sits in the order.

use std::future::Future;
use std::sync::Arc;

use crate::client::ClientInner;
use crate::error::Result;
use crate::middleware::{BoxFuture, Middleware, Next, redirect, retry, trace};
use crate::request::Request;
use crate::response::Response;

use super::auth::AuthMiddleware;

/// The layers of a client, outermost first.
pub(crate) struct Layers {
    pub(crate) trace: trace::TracingMiddleware,
    pub(crate) redirect: Option<redirect::RedirectMiddleware>,
    pub(crate) retry: Option<retry::RetryMiddleware>,
    pub(crate) auth: Option<AuthMiddleware>,
    /// The user's middleware, in the order added, under auth.
    pub(crate) user: Vec<Arc<dyn Middleware>>,
    /// Whether the innermost guard of the redirect layer runs (see
    /// [`redirect::guarded_send`]).
    pub(crate) guard: bool,
}

impl Layers {
    /// How many layers a call goes through, for `Debug`.
    pub(crate) fn len(&self) -> usize {
        1 + usize::from(self.redirect.is_some())
            + usize::from(self.retry.is_some())
            + usize::from(self.auth.is_some())
            + self.user.len()
            + usize::from(self.guard)
    }
}

/// The rest of the chain, as a built-in layer sees it.
pub(crate) trait Service: Sync {
    /// The client the chain belongs to.
    fn client(&self) -> &Arc<ClientInner>;
    /// Sends `request` through the rest of the chain.
    fn call(&self, request: Request) -> impl Future<Output = Result<Response>> + Send;
}

/// A built-in layer: [`Middleware`] with the rest of the chain as a
/// concrete type, so that its future is not boxed.
pub(crate) trait Layer: Sync {
    fn handle<'s, N: Service>(
        &'s self,
        request: Request,
        next: &'s N,
    ) -> impl Future<Output = Result<Response>> + Send + 's;
}

/// A layer, if the client has it, over the rest of the chain.
pub(crate) struct Stage<'s, L: ?Sized, N> {
    layer: Option<&'s L>,
    next: &'s N,
}

impl<'s, L: ?Sized, N> Stage<'s, L, N> {
    pub(crate) fn new(layer: Option<&'s L>, next: &'s N) -> Self {
        Stage { layer, next }
    }
}

impl<L: Layer + ?Sized, N: Service> Service for Stage<'_, L, N> {
    fn client(&self) -> &Arc<ClientInner> {
        self.next.client()
    }

    async fn call(&self, request: Request) -> Result<Response> {
        match self.layer {
            Some(layer) => layer.handle(request, self.next).await,
            None => self.next.call(request).await,
        }
    }
}

/// The bottom of the built-in chain: the user's middleware, then the
/// transport (through the redirect guard).
pub(crate) struct Bottom<'c>(pub(crate) &'c Arc<ClientInner>);

impl Service for Bottom<'_> {
    fn client(&self) -> &Arc<ClientInner> {
        self.0
    }

    async fn call(&self, request: Request) -> Result<Response> {
        if self.0.layers.user.is_empty() {
            redirect::guarded_send(self.0, request).await
        } else {
            Next::start(self.0).run(request).await
        }
    }
}

/// A [`Service`] behind a pointer, for a `dyn Middleware` among the
/// built-in layers: the one place that boxes.
pub(crate) trait DynService: Sync {
    fn call_boxed(&self, request: Request) -> BoxFuture<'_, Result<Response>>;
}

impl<S: Service> DynService for S {
    fn call_boxed(&self, request: Request) -> BoxFuture<'_, Result<Response>> {
        Box::pin(self.call(request))
    }
}

/// A `dyn Middleware` can sit among the built-in layers: it gets a [`Next`]
/// over the stages below it.
impl Layer for dyn Middleware {
    fn handle<'s, N: Service>(
        &'s self,
        request: Request,
        next: &'s N,
    ) -> impl Future<Output = Result<Response>> + Send + 's {
        Middleware::handle(self, request, Next::stage(next.client(), next))
    }
}

/// A [`Next`] is the rest of the chain for a built-in layer used as a
/// plain [`Middleware`] (the public [`TracingMiddleware`](trace::TracingMiddleware)).
impl Service for Next<'_> {
    fn client(&self) -> &Arc<ClientInner> {
        self.client
    }

    fn call(&self, request: Request) -> impl Future<Output = Result<Response>> + Send {
        self.run(request)
    }
}

impl ClientInner {
    /// Runs a request through every layer of the client and the transport.
    pub(crate) async fn run_chain(self: &Arc<Self>, request: Request) -> Result<Response> {
        let layers = &self.layers;
        let bottom = Bottom(self);
        let auth = Stage::new(layers.auth.as_ref(), &bottom);
        let retry = Stage::new(layers.retry.as_ref(), &auth);
        let redirect = Stage::new(layers.redirect.as_ref(), &retry);
        let trace = Stage::new(Some(&layers.trace), &redirect);
        trace.call(request).await
    }
}
