//! Getting a valid access token: the fast path, and one token request at a
//! time when a new token is needed.
//!
//! State lives behind a `std` mutex that is never held across an `.await`;
//! a `tokio` mutex (the gate) lets one caller at a time load, save or request
//! tokens. A caller that waited at the gate first looks at what happened
//! meanwhile: a new token is used as it is, and a failed token request is
//! answered with a copy of its error instead of a second request. The
//! `epoch`, counted up by every finished token request, tells "something
//! happened while I waited" from "nothing has been tried yet" (for example
//! because the caller that held the gate was cancelled).

use std::fmt;
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use http::HeaderValue;
use tokio::time::Instant;

use crate::auth::Secret;
use crate::error::{AuthError, Error, Result, TransportError};
use crate::middleware::Next;

use super::token::{parse_error, parse_success};
use super::{Grant, OAuth2, TokenSet};

/// Put in a request's extensions: which token generation it carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Applied(pub(crate) u64);

/// A token to send, and its generation.
pub(crate) struct Issued {
    pub(crate) header: HeaderValue,
    pub(crate) generation: u64,
}

pub(crate) struct Flight {
    state: Mutex<State>,
    gate: tokio::sync::Mutex<()>,
}

#[derive(Default)]
struct State {
    current: Option<Current>,
    /// The refresh token to use next; also kept when there is no access
    /// token.
    refresh_token: Option<Secret>,
    /// Counts token sets: each new one gets the next number.
    generation: u64,
    /// Counts finished token requests, successful or not.
    epoch: u64,
    /// How the last token request (or save) failed, replayed to the callers
    /// that waited for it.
    failure: Option<Error>,
    /// False until the store (if any) has been asked for tokens.
    loaded: bool,
    /// The current tokens could not be saved yet: save them before use.
    unsaved: bool,
}

struct Current {
    set: TokenSet,
    header: HeaderValue,
    generation: u64,
    /// When to replace the token: `skew` before it expires.
    refresh_at: Option<Instant>,
}

impl Current {
    fn issued(&self) -> Issued {
        Issued {
            header: self.header.clone(),
            generation: self.generation,
        }
    }
}

fn lock(m: &Mutex<State>) -> MutexGuard<'_, State> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

fn bearer_header(set: &TokenSet) -> Result<HeaderValue> {
    let mut value =
        HeaderValue::try_from(format!("Bearer {}", set.access_token())).map_err(|_| {
            auth_error(AuthError::new(
                "the access token contains characters that are not allowed in an HTTP header",
            ))
        })?;
    value.set_sensitive(true);
    Ok(value)
}

fn auth_error(e: AuthError) -> Error {
    Error::Auth(Box::new(e))
}

impl State {
    /// The current token if it may be sent now: not the one a 401 was for
    /// (`reject`), and not due for replacement (`strict`) or at least not
    /// expired.
    fn usable(&self, reject: Option<u64>, strict: bool) -> Option<Issued> {
        let current = self.current.as_ref()?;
        if reject == Some(current.generation) {
            return None;
        }
        let now = Instant::now();
        let until = if strict {
            current.refresh_at
        } else {
            current.set.expires_at
        };
        until.is_none_or(|at| now < at).then(|| current.issued())
    }

    /// Makes `set` the current token set. Its missing refresh token is the
    /// one we had.
    fn install(&mut self, mut set: TokenSet, header: HeaderValue, skew: Duration) -> Issued {
        if set.refresh_token.is_none() {
            set.refresh_token = self.refresh_token.clone();
        }
        self.refresh_token = set.refresh_token.clone();
        self.generation += 1;
        let refresh_at = match (set.expires_at, set.lifetime) {
            (Some(at), Some(lifetime)) => at.checked_sub(skew.min(lifetime / 2)),
            _ => None,
        };
        let current = Current {
            set,
            header,
            generation: self.generation,
            refresh_at,
        };
        let issued = current.issued();
        self.current = Some(current);
        issued
    }
}

impl Flight {
    pub(crate) fn new() -> Self {
        Flight {
            state: Mutex::new(State {
                loaded: true,
                ..State::default()
            }),
            gate: tokio::sync::Mutex::new(()),
        }
    }

    pub(crate) fn set_refresh_token(&self, token: Secret) {
        lock(&self.state).refresh_token = Some(token);
    }

    pub(crate) fn expect_load(&self) {
        lock(&self.state).loaded = false;
    }

    /// Installs tokens given at configuration time. Tokens whose access
    /// token cannot be a header value are dropped (and a refresh gets new
    /// ones); their refresh token is kept.
    pub(crate) fn install(&self, set: TokenSet, skew: Duration) {
        let mut state = lock(&self.state);
        match bearer_header(&set) {
            Ok(header) => {
                state.install(set, header, skew);
            }
            Err(_) => {
                if let Some(refresh) = set.refresh_token {
                    state.refresh_token = Some(refresh);
                }
            }
        }
    }

    pub(crate) fn tokens(&self) -> Option<TokenSet> {
        lock(&self.state).current.as_ref().map(|c| c.set.clone())
    }

    /// Records the outcome of a token request or a save, for the callers
    /// waiting at the gate. A success also marks the tokens saved.
    fn finish(&self, failure: Option<&Error>) {
        let mut state = lock(&self.state);
        state.epoch += 1;
        state.failure = failure.map(replay);
        if failure.is_none() {
            state.unsaved = false;
        }
    }

    fn has_refresh_token(&self) -> bool {
        lock(&self.state).refresh_token.is_some()
    }
}

impl OAuth2 {
    /// True if a new token can be requested at all (the refresh-token grant
    /// needs a refresh token; a store may still supply one).
    pub(super) fn can_get_tokens(&self) -> bool {
        self.config.grant == Grant::ClientCredentials
            || self.store.is_some()
            || self.flight.has_refresh_token()
    }

    /// A token to send: the current one if it is fresh, else a new one
    /// (one token request for all the callers that need it). `reject` is the
    /// generation a 401 was answered to: a token of that generation is not
    /// used again.
    pub(super) async fn token(
        &self,
        next: Next<'_>,
        deadline: Option<Instant>,
        reject: Option<u64>,
    ) -> Result<Issued> {
        let seen_epoch = {
            let state = lock(&self.flight.state);
            if state.loaded && !state.unsaved {
                if let Some(issued) = state.usable(reject, true) {
                    return Ok(issued);
                }
            }
            state.epoch
        };
        let _gate = self.flight.gate.lock().await;
        if !lock(&self.flight.state).loaded {
            self.load().await?;
        }
        let unsaved = {
            let state = lock(&self.flight.state);
            let waited = state.epoch != seen_epoch;
            if waited {
                // Whatever the caller that held the gate did, its outcome
                // is ours: no second request for the same need.
                if let Some(failure) = &state.failure {
                    return Err(replay(failure));
                }
            }
            if !state.unsaved {
                // A token another caller just got is used even if it is
                // already due for replacement (a very short lifetime), as
                // long as it has not expired.
                if let Some(issued) = state.usable(reject, !waited) {
                    return Ok(issued);
                }
            }
            state.unsaved
        };
        if unsaved {
            self.save_again().await?;
            if let Some(issued) = lock(&self.flight.state).usable(reject, false) {
                return Ok(issued);
            }
        }
        self.refresh(next, deadline).await
    }

    /// One token request; its outcome is recorded for the callers waiting
    /// at the gate. Called with the gate held.
    async fn refresh(&self, next: Next<'_>, deadline: Option<Instant>) -> Result<Issued> {
        let refresh_token = lock(&self.flight.state).refresh_token.clone();
        tracing::debug!(
            grant = self.config.grant.name(),
            "requesting an OAuth2 access token"
        );
        let requested = self
            .request_tokens(next, deadline, refresh_token.as_ref())
            .await
            .and_then(|set| bearer_header(&set).map(|header| (set, header)));
        let (mut set, header) = match requested {
            Ok(pair) => pair,
            Err(e) => {
                tracing::warn!(error = %e, "the OAuth2 token request failed");
                self.flight.finish(Some(&e));
                return Err(e);
            }
        };
        tracing::debug!(expires_in = ?set.lifetime, "got a new OAuth2 access token");
        if set.refresh_token.is_none() {
            // Not rotated: the one we have goes on working.
            set.refresh_token = refresh_token;
        }
        // Installed at once, so that a rotated refresh token is not lost
        // even if this call is cancelled now, but marked unsaved: no request
        // uses it before the hook and the store have seen it.
        let issued = {
            let mut state = lock(&self.flight.state);
            let issued = state.install(set.clone(), header, self.config.skew);
            state.unsaved = true;
            issued
        };
        if let Some(hook) = &self.on_refresh {
            hook(&set);
        }
        let saved = self.save(&set).await;
        self.flight.finish(saved.as_ref().err());
        saved.map(|()| issued)
    }

    async fn request_tokens(
        &self,
        next: Next<'_>,
        deadline: Option<Instant>,
        refresh_token: Option<&Secret>,
    ) -> Result<TokenSet> {
        let request =
            self.config
                .token_request(refresh_token, &next.client.default_headers, deadline)?;
        let response = next
            .run(request)
            .await
            .map_err(|e| auth_error(AuthError::new("the token request failed").with_source(e)))?;
        let status = response.status();
        if status.is_success() {
            parse_success(status, response.body()).map_err(auth_error)
        } else {
            Err(auth_error(parse_error(status, response.body())))
        }
    }

    async fn save(&self, set: &TokenSet) -> Result<()> {
        let Some(store) = &self.store else {
            return Ok(());
        };
        store.save(set).await.map_err(|e| {
            auth_error(AuthError::new(format!(
                "the token store could not save the new tokens: {e}"
            )))
        })
    }

    /// Saves the current tokens, which an earlier save failed to (or a
    /// cancelled call did not finish saving).
    async fn save_again(&self) -> Result<()> {
        let Some(set) = self.flight.tokens() else {
            return Ok(());
        };
        let saved = self.save(&set).await;
        self.flight.finish(saved.as_ref().err());
        saved
    }

    /// Asks the store for the tokens to start with.
    async fn load(&self) -> Result<()> {
        if let Some(store) = &self.store {
            let loaded = store.load().await.map_err(|e| {
                auth_error(AuthError::new(format!(
                    "the token store could not load the tokens: {e}"
                )))
            })?;
            if let Some(set) = loaded {
                self.flight.install(set, self.config.skew);
            }
        }
        lock(&self.flight.state).loaded = true;
        Ok(())
    }
}

/// A copy of a token request's error for a caller that waited for it. The
/// parts that decide a retry (the status, a transport or timeout cause)
/// are kept.
fn replay(e: &Error) -> Error {
    match e {
        Error::Auth(a) => auth_error(replay_auth(a)),
        Error::Transport(t) => {
            Error::Transport(TransportError::new(t.kind, t.message.clone(), None))
        }
        Error::Timeout(t) => Error::Timeout(t.clone()),
        Error::Config(c) => Error::Config(c.clone()),
        Error::BodyTooLarge(b) => Error::BodyTooLarge(b.clone()),
        other => auth_error(AuthError::new(other.to_string())),
    }
}

fn replay_auth(a: &AuthError) -> AuthError {
    AuthError {
        message: a.message.clone(),
        status: a.status,
        error: a.error.clone(),
        error_description: a.error_description.clone(),
        source: a.source.as_deref().map(|s| Box::new(replay(s))),
    }
}

impl fmt::Debug for Flight {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = lock(&self.state);
        f.debug_struct("TokenState")
            .field("tokens", &state.current.as_ref().map(|c| &c.set))
            .field("has_refresh_token", &state.refresh_token.is_some())
            .field("generation", &state.generation)
            .finish_non_exhaustive()
    }
}
