//! The built-in chain as one composed future: no box per layer.
//!
//! The built-in layers (tracing, cache, redirect, retry, rate limit, auth)
//! are fields of
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
use std::marker::PhantomData;
use std::sync::Arc;

use futures::future::Either;

use crate::client::ClientInner;
use crate::error::Result;
use crate::middleware::{BoxFuture, Middleware, Next, cache, rate_limit, redirect, retry, trace};
use crate::request::Request;
use crate::response::Response;

use super::auth::AuthMiddleware;

/// The layers of a client, outermost first.
pub(crate) struct Layers {
    pub(crate) trace: trace::TracingMiddleware,
    pub(crate) cache: Option<cache::CacheMiddleware>,
    pub(crate) redirect: Option<redirect::RedirectMiddleware>,
    pub(crate) retry: Option<retry::RetryMiddleware>,
    pub(crate) rate_limit: Option<rate_limit::RateLimitMiddleware>,
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
        1 + usize::from(self.cache.is_some())
            + usize::from(self.redirect.is_some())
            + usize::from(self.retry.is_some())
            + usize::from(self.rate_limit.is_some())
            + usize::from(self.auth.is_some())
            + self.user.len()
            + usize::from(self.guard)
    }
}

/// The rest of the chain, as a built-in layer sees it: a few references,
/// copied into each layer's future, so that no future borrows another's.
pub(crate) trait Service<'c>: Copy + Send + Sync + 'c {
    /// The client the chain belongs to.
    fn client(self) -> &'c Arc<ClientInner>;
    /// Sends `request` through the rest of the chain.
    fn call(self, request: Request) -> impl Future<Output = Result<Response>> + Send + 'c;

    /// Sends `request`, of which the layer above keeps a copy, `kept` (the
    /// redirect layer's template, whose body can be sent again); a hop
    /// away from the client's origin if `away`, which `request` is marked
    /// as already. A layer that sends several attempts (retry) sends
    /// `request` first, then copies of `kept` rather than copies of its
    /// own; the others send `request`.
    ///
    /// `request` rather than a copy goes first: a copy's headers have no
    /// room to spare, and the first header added below (the transport's
    /// `Host`) would grow them.
    fn call_kept<'t>(
        self,
        request: Request,
        _kept: &'t Request,
        _away: bool,
    ) -> impl Future<Output = Result<Response>> + Send + 't
    where
        'c: 't,
    {
        self.call(request)
    }
}

/// A copy of a kept request for one attempt: see [`Service::call_kept`].
pub(crate) fn kept_copy(template: &Request, away: bool) -> Result<Request> {
    let mut copy = template
        .try_clone()
        .ok_or_else(|| crate::Error::invalid_request("the request's body cannot be sent again"))?;
    if away {
        redirect::leave_home(&mut copy);
    }
    Ok(copy)
}

/// A built-in layer: [`Middleware`] with the rest of the chain as a
/// concrete type, so that its future is not boxed.
pub(crate) trait Layer: Sync {
    fn handle<'c, N: Service<'c>>(
        &'c self,
        request: Request,
        next: N,
    ) -> impl Future<Output = Result<Response>> + Send + 'c;

    /// [`handle`](Layer::handle) if the client has the layer, else the
    /// rest of the chain. A layer whose future is large makes this one
    /// future of its own, so that the stage does not move it into an
    /// `Either`.
    fn stage<'c, N: Service<'c>>(
        layer: Option<&'c Self>,
        request: Request,
        next: N,
    ) -> impl Future<Output = Result<Response>> + Send + 'c {
        match layer {
            Some(layer) => Either::Left(layer.handle(request, next)),
            None => Either::Right(next.call(request)),
        }
    }

    /// [`handle`](Layer::handle) for a request the layer above keeps a
    /// copy of: see [`Service::call_kept`].
    fn handle_kept<'c, 't, N: Service<'c>>(
        &'c self,
        request: Request,
        _kept: &'t Request,
        _away: bool,
        next: N,
    ) -> impl Future<Output = Result<Response>> + Send + 't
    where
        'c: 't,
    {
        self.handle(request, next)
    }
}

/// A layer, if the client has it, over the rest of the chain.
pub(crate) struct Stage<'c, L: ?Sized, N> {
    layer: Option<&'c L>,
    next: N,
}

impl<L: ?Sized, N: Copy> Clone for Stage<'_, L, N> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<L: ?Sized, N: Copy> Copy for Stage<'_, L, N> {}

impl<'c, L: ?Sized, N> Stage<'c, L, N> {
    pub(crate) fn new(layer: Option<&'c L>, next: N) -> Self {
        Stage { layer, next }
    }
}

impl<'c, L: Layer + ?Sized, N: Service<'c>> Service<'c> for Stage<'c, L, N> {
    fn client(self) -> &'c Arc<ClientInner> {
        self.next.client()
    }

    fn call(self, request: Request) -> impl Future<Output = Result<Response>> + Send + 'c {
        // No future of its own around the layer's: each level of nesting
        // adds to the size of the call's future.
        L::stage(self.layer, request, self.next)
    }

    fn call_kept<'t>(
        self,
        request: Request,
        kept: &'t Request,
        away: bool,
    ) -> impl Future<Output = Result<Response>> + Send + 't
    where
        'c: 't,
    {
        match self.layer {
            Some(layer) => Either::Left(layer.handle_kept(request, kept, away, self.next)),
            None => Either::Right(self.next.call_kept(request, kept, away)),
        }
    }
}

/// The bottom of the built-in chain: the user's middleware, then the
/// transport (through the redirect guard).
#[derive(Clone, Copy)]
pub(crate) struct Bottom<'c>(pub(crate) &'c Arc<ClientInner>);

impl<'c> Service<'c> for Bottom<'c> {
    fn client(self) -> &'c Arc<ClientInner> {
        self.0
    }

    fn call(self, request: Request) -> impl Future<Output = Result<Response>> + Send + 'c {
        if self.0.layers.user.is_empty() {
            Either::Left(redirect::guarded_send(self.0, request))
        } else {
            Either::Right(Next::start(self.0).run(request))
        }
    }
}

/// A [`Service`] behind a pointer, for a `dyn Middleware` among the
/// built-in layers.
pub(crate) trait DynService: Sync {
    fn call_boxed(&self, request: Request) -> BoxFuture<'_, Result<Response>>;
}

/// The stages below a `dyn Middleware`, owned by its (boxed) future.
struct Below<'c, S>(S, PhantomData<&'c ()>);

impl<'c, S: Service<'c>> DynService for Below<'c, S> {
    fn call_boxed(&self, request: Request) -> BoxFuture<'_, Result<Response>> {
        Box::pin(self.0.call(request))
    }
}

/// A `dyn Middleware` can sit among the built-in layers: it gets a [`Next`]
/// over the stages below it. It is boxed, as the user's middleware is.
impl Layer for dyn Middleware {
    fn handle<'c, N: Service<'c>>(
        &'c self,
        request: Request,
        next: N,
    ) -> impl Future<Output = Result<Response>> + Send + 'c {
        let client = next.client();
        let below = Below(next, PhantomData);
        Box::pin(
            async move { Middleware::handle(self, request, Next::stage(client, &below)).await },
        )
    }
}

/// A [`Next`] is the rest of the chain for a built-in layer used as a
/// plain [`Middleware`] (the public [`TracingMiddleware`](trace::TracingMiddleware)).
impl<'a> Service<'a> for Next<'a> {
    fn client(self) -> &'a Arc<ClientInner> {
        self.client
    }

    fn call(self, request: Request) -> impl Future<Output = Result<Response>> + Send + 'a {
        self.run(request)
    }
}

impl ClientInner {
    /// Runs a request through every layer of the client and the transport.
    pub(crate) fn run_chain(
        self: &Arc<Self>,
        request: Request,
    ) -> impl Future<Output = Result<Response>> + Send + '_ {
        let layers = &self.layers;
        let auth = Stage::new(layers.auth.as_ref(), Bottom(self));
        let rate_limit = Stage::new(layers.rate_limit.as_ref(), auth);
        let retry = Stage::new(layers.retry.as_ref(), rate_limit);
        let redirect = Stage::new(layers.redirect.as_ref(), retry);
        let cache = Stage::new(layers.cache.as_ref(), redirect);
        Layer::handle(&layers.trace, request, cache)
    }
}

#[cfg(test)]
mod tests {
    use std::mem::size_of_val;

    use super::*;
    use crate::testing::{MockResponse, MockTransport};

    fn request() -> Request {
        Request::new(
            http::Method::GET,
            "https://api.test/x".parse().expect("url"),
        )
    }

    /// The chain's future is boxed once per call, with the step that reads
    /// the body (about 50 bytes more). glibc serves an allocation of up to
    /// 1032 bytes from its per-thread cache; past that, every call's box
    /// takes malloc's slow path (measured: about 560 more instructions per
    /// call when the chain grew to 1,130 bytes). With every built-in layer
    /// the chain's future is about 950 bytes today (6.7 KiB before layers
    /// stopped being `async fn`s, which hold their request argument twice,
    /// and before `Request` was one pointer); `execute`'s own, with the
    /// chain boxed inside it, about 320.
    #[test]
    fn the_call_future_stays_small() {
        let client = crate::Client::builder("https://api.test")
            .bearer_token("t")
            .transport(MockTransport::new())
            .build()
            .expect("client");
        let inner = &client.inner;
        let chain = size_of_val(&inner.run_chain(request()));
        assert!(chain <= 960, "the chain's future is {chain} bytes");
        let execute = size_of_val(&client.execute(request()));
        assert!(execute <= 512, "execute's future is {execute} bytes");
    }

    /// A layer used as a plain `dyn Middleware` among the built-in ones
    /// (as a new layer may be at first) gets a `Next` over the stages
    /// below it.
    #[tokio::test]
    async fn a_dyn_middleware_sits_among_the_stages() {
        struct Tag;
        impl Middleware for Tag {
            fn handle<'a>(
                &'a self,
                mut request: Request,
                next: Next<'a>,
            ) -> BoxFuture<'a, Result<Response>> {
                request
                    .headers_mut()
                    .insert("x-tag", http::HeaderValue::from_static("1"));
                next.run(request)
            }
        }
        let mock = MockTransport::new().route(http::Method::GET, "/x", MockResponse::new(204));
        let client = crate::Client::builder("https://api.test")
            .transport(mock.clone())
            .build()
            .expect("client");
        let tag: Arc<dyn Middleware> = Arc::new(Tag);
        let below = Stage::new(client.inner.layers.retry.as_ref(), Bottom(&client.inner));
        let stage = Stage::new(Some(&*tag), below);
        let response = stage.call(request()).await.expect("response");
        assert_eq!(response.status(), http::StatusCode::NO_CONTENT);
        let sent = mock.requests();
        assert_eq!(sent.len(), 1);
        assert_eq!(
            sent[0].headers().get("x-tag").map(|v| v.as_bytes()),
            Some(&b"1"[..])
        );
    }
}
