//! Authentication: credentials added to every attempt of every call.
//!
//! Auth is a layer of the [`Middleware`](crate::Middleware) chain that sits
//! inside the retry loop (the chain is tracing, redirect, retry, auth, your
//! middleware, transport), so each attempt of a call carries the newest
//! credentials. Configure it on the
//! [`ClientBuilder`](crate::ClientBuilder):
//!
//! - [`bearer_token`](crate::ClientBuilder::bearer_token): `Authorization: Bearer <token>`;
//! - [`api_key`](crate::ClientBuilder::api_key) and
//!   [`api_key_query`](crate::ClientBuilder::api_key_query): a key in a
//!   header or a query parameter whose name you choose;
//! - [`basic_auth`](crate::ClientBuilder::basic_auth): HTTP Basic (RFC 7617);
//! - [`auth`](crate::ClientBuilder::auth) with [`OAuth2`] (refresh-token and
//!   client-credentials grants, refreshed before expiry and after a 401, one
//!   token request at a time) or with your own [`Auth`].
//!
//! ```
//! # fn main() -> restrait::Result<()> {
//! use restrait::{Client, OAuth2};
//!
//! let client = Client::builder("https://api.example.com/v1")
//!     .auth(
//!         OAuth2::refresh_token("https://auth.example.com/oauth/token", "my-app", "rt_123")
//!             .client_secret("cs_456")
//!             .on_refresh(|tokens| {
//!                 // Persist tokens.refresh_token() here: it may have been rotated.
//!                 let _ = tokens.refresh_token();
//!             }),
//!     )
//!     .build()?;
//! # let _ = client; Ok(()) }
//! ```
//!
//! # Secrets
//!
//! Tokens, keys, passwords and client secrets are kept in [`Secret`]s, and
//! every auth type's `Debug` output shows `<redacted>` in their place.
//! Headers that carry credentials are marked sensitive (so HTTP/2 does not
//! index them) and are redacted in the `Debug` output of requests,
//! responses and errors, whatever the header is called; a query parameter
//! that carries an API key is marked secret on the request
//! ([`Request::mark_query_secret`](crate::Request::mark_query_secret)) and
//! redacted in its `Debug` output under the name you chose. A hand-written
//! [`Auth`] should do the same with what it adds. Token requests are not
//! logged with their body.
//!
//! # Redirects
//!
//! Redirects are followed by the client's redirect layer, which sits above
//! retry and auth, so each hop is authorized again, and auth adds
//! credentials only to requests for the client's own origin (scheme, host
//! and port of the base URL). A hop to another origin also loses
//! `Authorization`, `Proxy-Authorization`, `Cookie` and every header marked
//! sensitive or named like a secret, however it was set, and an API key that
//! auth put in the query and the server copied into the `Location` is
//! removed. The transport never follows redirects: restrait builds its
//! `reqwest::Client` with `Policy::none()`, and sets it on a builder given to
//! [`reqwest_client_builder`](crate::ClientBuilder::reqwest_client_builder).
//! A client given to [`reqwest_client`](crate::ClientBuilder::reqwest_client)
//! must be built with `Policy::none()`; if it follows a redirect anyway, the
//! call fails with [`Error::Redirect`](crate::Error::Redirect), though reqwest
//! has already sent that request. See
//! [`max_redirects`](crate::ClientBuilder::max_redirects).

mod oauth2;
mod secret;
mod static_auth;
#[cfg(test)]
mod tests;

use std::any::TypeId;
use std::fmt;
use std::future::Future;
use std::pin::pin;

use futures::future::Either;

use http::StatusCode;

use crate::error::Result;
use crate::middleware::chain::{Layer, Service};
use crate::middleware::{BoxFuture, Next};
use crate::request::Request;
use crate::response::Response;

pub use oauth2::{
    ClientAuth, DEFAULT_SKEW, DEFAULT_TOKEN_TIMEOUT, OAuth2, RefreshLock, StoreError, TokenSet,
    TokenStore,
};
pub use secret::Secret;
pub use static_auth::{ApiKey, ApiKeyLocation, BasicAuth, BearerToken};

/// Adds credentials to requests, and may react when the server answers
/// 401 Unauthorized.
///
/// [`authorize`](Auth::authorize) runs before every attempt of every call.
/// When the answer is 401, [`on_unauthorized`](Auth::on_unauthorized) is
/// asked whether new credentials are now available; if it says yes, the
/// original request is authorized again and sent once more. A second 401 is
/// returned to the caller (as [`Error::Unauthorized`](crate::Error::Unauthorized)).
///
/// Both methods get the rest of the middleware chain as `next`: a request
/// passed to `next.run` (a token request, say) goes through your own
/// middleware and the transport, but not through retry or auth again.
///
/// ```
/// use restrait::auth::Auth;
/// use restrait::http::HeaderValue;
/// use restrait::{BoxFuture, Next, Request, Result};
///
/// /// Signs each request with a static tenant header and a key.
/// struct TenantKey { header: HeaderValue }
///
/// impl Auth for TenantKey {
///     fn authorize<'a>(&'a self, request: &'a mut Request, _next: Next<'a>) -> BoxFuture<'a, Result<()>> {
///         request.headers_mut().insert("x-tenant-key", self.header.clone());
///         Box::pin(std::future::ready(Ok(())))
///     }
/// }
///
/// # fn main() -> restrait::Result<()> {
/// let mut header = HeaderValue::from_static("t-1:k-2");
/// header.set_sensitive(true);
/// let client = restrait::Client::builder("https://api.example.com")
///     .auth(TenantKey { header })
///     .build()?;
/// # let _ = client; Ok(()) }
/// ```
pub trait Auth: Send + Sync + 'static {
    /// Checks the configuration once, when the auth is given to
    /// [`ClientBuilder::auth`](crate::ClientBuilder::auth), so that a bad
    /// credential (say, a token with a line break) fails
    /// [`build`](crate::ClientBuilder::build) with `Error::Config` instead of
    /// every call. The message must not contain the secret. The default
    /// accepts everything.
    fn check(&self) -> Result<()> {
        Ok(())
    }

    /// Adds credentials to `request` (headers, query), fetching them first if
    /// need be. An error fails the attempt; return
    /// [`Error::Auth`](crate::Error::Auth) when credentials cannot be had.
    fn authorize<'a>(
        &'a self,
        request: &'a mut Request,
        next: Next<'a>,
    ) -> BoxFuture<'a, Result<()>>;

    /// The server answered 401 to `request` (as `authorize` left it):
    /// returns `true` if new credentials are now available and the request
    /// should be sent once more. The default returns `false`, so the 401
    /// goes back to the caller.
    fn on_unauthorized<'a>(
        &'a self,
        request: &'a Request,
        response: &'a Response,
        next: Next<'a>,
    ) -> BoxFuture<'a, Result<bool>> {
        let _ = (request, response, next);
        Box::pin(std::future::ready(Ok(false)))
    }

    /// Who the credentials this auth adds belong to, for the client's
    /// [`Cache`](crate::Cache): a hash of the static credential, so that
    /// clients with the same one may share entries and clients with
    /// different ones never do. The default, `None`, gives the client a
    /// share of the cache of its own (the safe choice for credentials
    /// that change, such as OAuth2 tokens). Never the secret itself.
    fn cache_key(&self) -> Option<u64> {
        None
    }
}

impl<A: Auth + ?Sized> Auth for std::sync::Arc<A> {
    fn check(&self) -> Result<()> {
        (**self).check()
    }

    fn authorize<'a>(
        &'a self,
        request: &'a mut Request,
        next: Next<'a>,
    ) -> BoxFuture<'a, Result<()>> {
        (**self).authorize(request, next)
    }

    fn on_unauthorized<'a>(
        &'a self,
        request: &'a Request,
        response: &'a Response,
        next: Next<'a>,
    ) -> BoxFuture<'a, Result<bool>> {
        (**self).on_unauthorized(request, response, next)
    }

    fn cache_key(&self) -> Option<u64> {
        (**self).cache_key()
    }
}

impl<A: Auth + ?Sized> Auth for Box<A> {
    fn check(&self) -> Result<()> {
        (**self).check()
    }

    fn authorize<'a>(
        &'a self,
        request: &'a mut Request,
        next: Next<'a>,
    ) -> BoxFuture<'a, Result<()>> {
        (**self).authorize(request, next)
    }

    fn on_unauthorized<'a>(
        &'a self,
        request: &'a Request,
        response: &'a Response,
        next: Next<'a>,
    ) -> BoxFuture<'a, Result<bool>> {
        (**self).on_unauthorized(request, response, next)
    }

    fn cache_key(&self) -> Option<u64> {
        (**self).cache_key()
    }
}

/// The middleware that applies an [`Auth`] to every attempt and re-sends a
/// request once after a 401 when the auth has new credentials.
pub(crate) struct AuthMiddleware {
    auth: Box<dyn Auth>,
    /// False for the built-in static credentials, which never have new
    /// ones after a 401: then the request is authorized in place and no
    /// copy of it is kept.
    may_renew: bool,
}

impl AuthMiddleware {
    pub(crate) fn new<A: Auth>(auth: A) -> Self {
        let fixed = [
            TypeId::of::<BearerToken>(),
            TypeId::of::<ApiKey>(),
            TypeId::of::<BasicAuth>(),
        ];
        AuthMiddleware {
            may_renew: !fixed.contains(&TypeId::of::<A>()),
            auth: Box::new(auth),
        }
    }

    /// Authorizes and sends a request, and once more after a 401 if the
    /// auth has new credentials.
    async fn renewing<'c, N: Service<'c>>(&self, mut sent: Request, next: N) -> Result<Response> {
        let below = Next::start(next.client());
        // A re-send after a 401 starts again from the original, so that
        // a query-string key is not added twice: keep a copy, if the
        // body can be sent again. The request itself is authorized in
        // place and moves on.
        let original = sent.try_clone();
        self.auth.authorize(&mut sent, below).await?;
        let head = sent.head_clone();
        let response = pin!(next.call(sent)).await?;
        if response.status() != StatusCode::UNAUTHORIZED
            || !self.auth.on_unauthorized(&head, &response, below).await?
        {
            return Ok(response);
        }
        let Some(mut again) = original else {
            // New credentials are there for the next call; this one's
            // body is gone.
            tracing::debug!("401 Unauthorized: a one-shot body is not sent again");
            return Ok(response);
        };
        drop(response);
        tracing::debug!("401 Unauthorized: sending once more with new credentials");
        self.auth.authorize(&mut again, below).await?;
        pin!(next.call(again)).await
    }
}

impl Layer for AuthMiddleware {
    /// A plain function that picks the future, rather than an `async fn`:
    /// that would hold the request once more than the future it awaits,
    /// and this future is part of every call's.
    fn handle<'c, N: Service<'c>>(
        &'c self,
        mut sent: Request,
        next: N,
    ) -> impl Future<Output = Result<Response>> + Send + 'c {
        let client = next.client();
        // Credentials belong to the client's own origin: a request for
        // another one (a redirect hop, a URL the API handed back) goes on
        // without them.
        if !sent.parts.url.same_origin(&client.base_url) {
            return Either::Left(next.call(sent));
        }
        if self.may_renew {
            // Its own future, boxed: it keeps two copies of the request and
            // a response, which would otherwise weigh on every call's future.
            return Either::Right(Either::Left(Box::pin(self.renewing(sent, next))));
        }
        // What `authorize` may send (a token request): the user's
        // middleware and the transport.
        let below = Next::start(client);
        Either::Right(Either::Right(async move {
            self.auth.authorize(&mut sent, below).await?;
            pin!(next.call(sent)).await
        }))
    }
}

impl fmt::Debug for AuthMiddleware {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AuthMiddleware").finish_non_exhaustive()
    }
}
