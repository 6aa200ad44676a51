//! OAuth2 (RFC 6749): the refresh-token and client-credentials grants, with
//! proactive refresh, refresh after a 401, single-flight token requests and
//! a hook that sees every rotated refresh token.

mod grant;
mod refresh;
mod state;
mod store;
mod token;

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use http::StatusCode;

use crate::auth::{Auth, Secret};
use crate::error::{Error, Result};
use crate::middleware::{BoxFuture, Next};
use crate::request::Request;
use crate::response::Response;

pub use grant::ClientAuth;
pub use store::{RefreshLock, StoreError, TokenStore};
pub use token::TokenSet;

use grant::{Config, Grant, parse_token_url};
use refresh::{Applied, Flight};

/// How long before its expiry an access token is replaced, by default.
pub const DEFAULT_SKEW: Duration = Duration::from_secs(30);

/// How long a token request may take, by default, before it fails with
/// [`Error::Auth`](crate::Error::Auth) (whose source is an
/// [`Error::Timeout`](crate::Error::Timeout)). Each call to the
/// [`TokenStore`] has the same limit.
pub const DEFAULT_TOKEN_TIMEOUT: Duration = Duration::from_secs(30);

type OnRefresh = dyn Fn(&TokenSet) + Send + Sync;

/// The settings of a flow, shared with the token requests it starts.
#[derive(Clone)]
pub(crate) struct Settings {
    config: Config,
    store: Option<Arc<dyn TokenStore>>,
    on_refresh: Option<Arc<OnRefresh>>,
}

/// OAuth2 bearer-token authentication that gets its own access tokens from a
/// token endpoint, with the refresh-token grant
/// ([`OAuth2::refresh_token`]) or the client-credentials grant
/// ([`OAuth2::client_credentials`]).
///
/// - An access token is replaced `skew` (default 30 s, or half its
///   lifetime if that is shorter) before it expires, and one known to have
///   expired is never sent. A token without
///   `expires_in` is used until the API answers 401.
/// - On a 401 the token is refreshed once and the request sent once more;
///   if another call has already replaced the token that request carried,
///   the request is just sent again with the new one. A second 401 goes back
///   to the caller as [`Error::Unauthorized`](crate::Error::Unauthorized).
/// - However many calls need a new token at once, one token request is
///   made and the others wait for it (and share its failure, if it fails).
///   The calls waiting for it use the token it gets, even one whose
///   lifetime is shorter than the skew.
/// - If a refresh fails while the current token has not expired yet (inside
///   the skew window), the current token is used and the refresh is tried
///   again after a backoff (1 s, doubling up to 30 s); calls fail only once
///   the token has expired.
/// - A rotated refresh token replaces the old one, and every new
///   [`TokenSet`] goes to the [`on_refresh`](OAuth2::on_refresh) hook and
///   the [`store`](OAuth2::store) before any request uses it.
/// - A failed token request is an [`Error::Auth`](crate::Error::Auth) with
///   the endpoint's status and OAuth2 `error` and `error_description`; the
///   retry policy retries it for a 5xx, 408, 429 or a transport error, not
///   for `invalid_grant`.
///
/// Token requests go through the client's own transport, in-flight limit,
/// per-attempt timeout and your middleware, but not through retry or auth
/// again (the retry policy of the call that needed the token decides whether
/// a failed one is tried again); their
/// bodies are never logged. The access token is always sent as
/// `Authorization: Bearer <token>` (RFC 6750), whatever the case of the
/// `token_type` the server named.
///
/// A token request runs as a task of its own (on the Tokio runtime), not
/// inside the call that needed it, and is bounded by its own
/// [`token_timeout`](OAuth2::token_timeout) (default
/// [`DEFAULT_TOKEN_TIMEOUT`], 30 s), not by any caller's deadline. A call
/// whose deadline passes while it waits ends with its own
/// [`Error::Timeout`](crate::Error::Timeout); the others get the token. Even
/// if every call that waited is gone, the request finishes: a rotated
/// refresh token is kept, handed to the hook and saved.
///
/// ```
/// # fn main() -> restrait::Result<()> {
/// use std::time::Duration;
/// use restrait::{Client, OAuth2};
/// use restrait::auth::ClientAuth;
///
/// let oauth = OAuth2::client_credentials("https://auth.example.com/oauth/token", "my-client", "s3cret")
///     .client_auth(ClientAuth::RequestBody)
///     .scope("orders:read orders:write")
///     .skew(Duration::from_secs(60));
/// assert!(!format!("{oauth:?}").contains("s3cret"));
/// let client = Client::builder("https://api.example.com").auth(oauth).build()?;
/// # let _ = client; Ok(()) }
/// ```
#[must_use = "an OAuth2 does nothing until given to `ClientBuilder::auth`"]
pub struct OAuth2 {
    settings: Arc<Settings>,
    flight: Arc<Flight>,
}

impl OAuth2 {
    fn new(token_url: &str, client_id: String, grant: Grant) -> Self {
        let config = Config {
            token_url: parse_token_url(token_url),
            client_id,
            client_secret: None,
            client_auth: ClientAuth::default(),
            grant,
            scope: None,
            params: Vec::new(),
            skew: DEFAULT_SKEW,
            token_timeout: DEFAULT_TOKEN_TIMEOUT,
        };
        OAuth2 {
            settings: Arc::new(Settings {
                config,
                store: None,
                on_refresh: None,
            }),
            flight: Arc::new(Flight::new()),
        }
    }

    /// The settings, to change while the flow is being configured (no
    /// token request shares them yet, so nothing is copied).
    fn settings_mut(&mut self) -> &mut Settings {
        Arc::make_mut(&mut self.settings)
    }

    fn config_mut(&mut self) -> &mut Config {
        &mut self.settings_mut().config
    }

    /// The refresh-token grant (RFC 6749 section 6): access tokens are got
    /// with `refresh_token`, and with the rotated refresh tokens the server
    /// issues later. Add [`client_secret`](OAuth2::client_secret) for a
    /// confidential client.
    ///
    /// An invalid `token_url` makes
    /// [`ClientBuilder::build`](crate::ClientBuilder::build) fail with
    /// [`Error::Config`](crate::Error::Config).
    pub fn refresh_token(
        token_url: impl AsRef<str>,
        client_id: impl Into<String>,
        refresh_token: impl Into<String>,
    ) -> Self {
        let oauth = OAuth2::new(token_url.as_ref(), client_id.into(), Grant::RefreshToken);
        oauth.flight.set_refresh_token(Secret::new(refresh_token));
        oauth
    }

    /// The refresh-token grant with the tokens to start from supplied by
    /// `store` (see [`TokenStore::load`]), as after a restart. Calls fail
    /// with [`Error::Auth`](crate::Error::Auth) if the store has none.
    pub fn from_store(
        token_url: impl AsRef<str>,
        client_id: impl Into<String>,
        store: impl TokenStore,
    ) -> Self {
        OAuth2::new(token_url.as_ref(), client_id.into(), Grant::RefreshToken).store(store)
    }

    /// The client-credentials grant (RFC 6749 section 4.4): the client gets
    /// tokens for itself with its id and secret.
    pub fn client_credentials(
        token_url: impl AsRef<str>,
        client_id: impl Into<String>,
        client_secret: impl Into<String>,
    ) -> Self {
        OAuth2::new(
            token_url.as_ref(),
            client_id.into(),
            Grant::ClientCredentials,
        )
        .client_secret(client_secret)
    }

    /// The client secret of a confidential client.
    pub fn client_secret(mut self, secret: impl Into<String>) -> Self {
        self.config_mut().client_secret = Some(Secret::new(secret));
        self
    }

    /// How the client id and secret are sent: with Basic auth (the default)
    /// or in the form body.
    pub fn client_auth(mut self, how: ClientAuth) -> Self {
        self.config_mut().client_auth = how;
        self
    }

    /// The `scope` to ask for: space-separated scope names.
    pub fn scope(mut self, scope: impl Into<String>) -> Self {
        self.config_mut().scope = Some(scope.into());
        self
    }

    /// Another field for the token request's form, such as `audience` or
    /// `resource`. Its value is kept out of `Debug` output.
    pub fn param(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.config_mut()
            .params
            .push((name.into(), Secret::new(value.into())));
        self
    }

    /// How long before its expiry an access token is replaced (default
    /// 30 s). For a token that lives less than twice as long, half its
    /// lifetime is used instead.
    pub fn skew(mut self, skew: Duration) -> Self {
        self.config_mut().skew = skew;
        self
    }

    /// How long a token request may take (default
    /// [`DEFAULT_TOKEN_TIMEOUT`], 30 s) before it fails with
    /// [`Error::Auth`](crate::Error::Auth) whose source is an
    /// [`Error::Timeout`](crate::Error::Timeout); each load and save of the
    /// [`store`](OAuth2::store) gets the same limit. The client's own
    /// per-attempt timeout applies to the token request too, if shorter.
    pub fn token_timeout(mut self, limit: Duration) -> Self {
        self.config_mut().token_timeout = limit;
        self
    }

    /// Tokens to start with, such as an access token got at login. If they
    /// hold no refresh token, the one given to the constructor is kept.
    pub fn initial_tokens(self, tokens: TokenSet) -> Self {
        self.flight.install(tokens, self.settings.config.skew);
        self
    }

    /// Calls `hook` with every new token set, before any request uses it:
    /// save its [`refresh_token`](TokenSet::refresh_token), which may have
    /// been rotated (the old one then no longer works).
    pub fn on_refresh(mut self, hook: impl Fn(&TokenSet) + Send + Sync + 'static) -> Self {
        self.settings_mut().on_refresh = Some(Arc::new(hook));
        self
    }

    /// Saves every new token set to `store` before any request uses it, and
    /// loads the tokens to start with from it.
    pub fn store(mut self, store: impl TokenStore) -> Self {
        self.settings_mut().store = Some(Arc::new(store));
        self.flight.expect_load();
        self
    }

    /// A copy of the current tokens, if there are any yet.
    pub fn tokens(&self) -> Option<TokenSet> {
        self.flight.tokens()
    }
}

impl Auth for OAuth2 {
    fn check(&self) -> Result<()> {
        self.settings
            .config
            .token_url
            .as_ref()
            .map(|_| ())
            .map_err(|m| Error::config(m.clone()))
    }

    fn authorize<'a>(
        &'a self,
        request: &'a mut Request,
        next: Next<'a>,
    ) -> BoxFuture<'a, Result<()>> {
        Box::pin(async move {
            let issued = self.token(next, None).await?;
            request
                .headers_mut()
                .insert(http::header::AUTHORIZATION, issued.header);
            request.extensions_mut().insert(Applied(issued.generation));
            Ok(())
        })
    }

    fn on_unauthorized<'a>(
        &'a self,
        request: &'a Request,
        response: &'a Response,
        next: Next<'a>,
    ) -> BoxFuture<'a, Result<bool>> {
        Box::pin(async move {
            if response.status() != StatusCode::UNAUTHORIZED {
                return Ok(false);
            }
            let Some(&Applied(generation)) = request.extensions().get::<Applied>() else {
                return Ok(false);
            };
            if !self.can_get_tokens() {
                return Ok(false);
            }
            self.token(next, Some(generation)).await.map(|_| true)
        })
    }
}

/// `400 Bad Request`, for messages.
pub(crate) fn status_text(status: StatusCode) -> String {
    match status.canonical_reason() {
        Some(reason) => format!("{} {reason}", status.as_u16()),
        None => status.as_u16().to_string(),
    }
}

impl fmt::Debug for OAuth2 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OAuth2")
            .field("config", &self.settings.config)
            .field("store", &self.settings.store.is_some())
            .field("on_refresh", &self.settings.on_refresh.is_some())
            .field("state", &self.flight)
            .finish()
    }
}
