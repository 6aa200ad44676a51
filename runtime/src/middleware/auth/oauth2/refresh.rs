//! Getting a valid access token: the fast path, and one token request at a
//! time when a new token is needed.
//!
//! The token request (with the store's load and save around it) runs as a
//! task of its own, not inside the call that started it: a caller whose
//! deadline passes, or who is dropped, stops waiting, but the request goes
//! on for the others, and the tokens it gets are kept, handed to the hook
//! and saved even when nobody waits any more. It is bounded by the flow's
//! token timeout instead of any caller's deadline.
//!
//! Every caller waits on a `watch` channel for the outcome: a new token is
//! used as it is, even one already due for replacement (a very short
//! lifetime), and a failure is answered with a copy of its error, or with
//! the current token if that has not expired yet.

use std::fmt;
use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::watch;
use tracing::Instrument as _;

use crate::auth::Secret;
use crate::error::{AuthError, Error, Result, TimeoutError, TimeoutKind, TransportError};
use crate::middleware::{Next, OwnedNext};

use super::state::{
    Decision, Issued, Need, Outcome, State, Waiting, auth_error, bearer_header, lock,
};
use super::store::RefreshLock;
use super::token::{parse_error, parse_success};
use super::{Grant, OAuth2, Settings, TokenSet};

/// Put in a request's extensions: which token generation it carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Applied(pub(crate) u64);

/// The state one OAuth2 flow shares between its calls and its token
/// requests.
pub(crate) struct Flight {
    state: Mutex<State>,
}

/// How many token requests one call waits for at most before giving up: a
/// second is only needed when the first answered with the token the call
/// was told (by a 401) not to use again.
const MAX_ROUNDS: usize = 2;

/// The first pause of a process waiting for another one's token to show
/// up in a shared store; it doubles up to [`MAX_POLL`].
const FIRST_POLL: Duration = Duration::from_millis(20);
const MAX_POLL: Duration = Duration::from_millis(500);

impl Flight {
    pub(crate) fn new() -> Self {
        Flight {
            state: Mutex::new(State {
                loaded: true,
                ..State::default()
            }),
        }
    }

    pub(crate) fn set_refresh_token(&self, token: Secret) {
        lock(&self.state).refresh_token = Some(token);
    }

    pub(crate) fn expect_load(&self) {
        lock(&self.state).loaded = false;
    }

    /// Installs tokens given at configuration time or loaded from a store.
    /// Tokens whose access token cannot be a header value are dropped (and
    /// a refresh gets new ones); their refresh token is kept.
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

    fn has_refresh_token(&self) -> bool {
        lock(&self.state).refresh_token.is_some()
    }
}

impl OAuth2 {
    /// True if a new token can be requested at all (the refresh-token grant
    /// needs a refresh token; a store may still supply one).
    pub(super) fn can_get_tokens(&self) -> bool {
        self.settings.config.grant == Grant::ClientCredentials
            || self.settings.store.is_some()
            || self.flight.has_refresh_token()
    }

    /// A token to send: the current one if it is fresh, else the outcome of
    /// the one token request in flight for all the callers that need it.
    /// `reject` is the generation a 401 was answered to: a token of that
    /// generation is not used again.
    pub(super) async fn token(&self, next: Next<'_>, reject: Option<u64>) -> Result<Issued> {
        for _ in 0..MAX_ROUNDS {
            let decision = lock(&self.flight.state).decide(reject);
            let waiting = match decision {
                Decision::Use(issued) => return Ok(issued),
                Decision::Wait(waiting) => waiting,
                Decision::Start(tx, waiting) => {
                    self.start(next, reject, tx);
                    waiting
                }
            };
            match wait(waiting).await {
                Ok(issued) if Some(issued.generation) != reject => return Ok(issued),
                // Loaded or saved, not requested: the rejected token again.
                Ok(_) => continue,
                Err(e) => {
                    // A token that has not expired yet is still good: the
                    // refresh is tried again after a backoff.
                    let fallback = lock(&self.flight.state).usable(reject, Need::Valid);
                    return match fallback {
                        Some(issued) => {
                            tracing::debug!(
                                "the OAuth2 refresh failed: using the current token until it expires"
                            );
                            Ok(issued)
                        }
                        None => Err(e),
                    };
                }
            }
        }
        Err(auth_error(AuthError::new(
            "the token endpoint did not issue a new access token",
        )))
    }

    /// Starts a token request as a task of its own; its outcome goes to
    /// `tx`.
    fn start(&self, next: Next<'_>, reject: Option<u64>, tx: watch::Sender<Option<Outcome>>) {
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            // Unreachable through `Client`, which runs on Tokio; no panic
            // for a hand-made caller either.
            let mut state = lock(&self.flight.state);
            state.running = None;
            tx.send_replace(Some(Err(auth_error(AuthError::new(
                "OAuth2 token requests need a Tokio runtime",
            )))));
            return;
        };
        let task = TokenTask {
            settings: Arc::clone(&self.settings),
            flight: Arc::clone(&self.flight),
            next: next.detach(),
        };
        drop(runtime.spawn(task.run(reject, tx).in_current_span()));
    }
}

/// Waits for the outcome of a token request.
async fn wait(mut waiting: Waiting) -> Outcome {
    match waiting.wait_for(Option::is_some).await {
        Ok(value) => value
            .as_ref()
            .map(copy_outcome)
            .unwrap_or_else(|| Err(abandoned())),
        Err(_) => Err(abandoned()),
    }
}

fn abandoned() -> Error {
    auth_error(AuthError::new(
        "the token request was abandoned before it finished",
    ))
}

fn copy_outcome(outcome: &Outcome) -> Outcome {
    match outcome {
        Ok(issued) => Ok(issued.clone()),
        Err(e) => Err(replay(e)),
    }
}

/// One token request, with what it needs to outlive the call that started
/// it.
struct TokenTask {
    settings: Arc<Settings>,
    flight: Arc<Flight>,
    next: OwnedNext,
}

impl TokenTask {
    /// Gets a token, records the outcome and tells the waiters.
    async fn run(self, reject: Option<u64>, tx: watch::Sender<Option<Outcome>>) {
        let outcome = self.get(reject).await;
        if let Err(e) = &outcome {
            tracing::warn!(error = %e, "the OAuth2 token request failed");
        }
        let mut state = lock(&self.flight.state);
        state.finish(outcome.is_ok());
        // Sent with the state locked, so that no call sees the request
        // finished without its outcome.
        tx.send_replace(Some(outcome));
    }

    /// Loads or saves what a store still needs, then requests new tokens
    /// unless that already gave a usable one.
    async fn get(&self, reject: Option<u64>) -> Outcome {
        if !lock(&self.flight.state).loaded {
            self.load().await?;
            if let Some(issued) = lock(&self.flight.state).usable(reject, Need::Fresh) {
                return Ok(issued);
            }
        }
        if lock(&self.flight.state).unsaved {
            self.save_current().await?;
            if let Some(issued) = lock(&self.flight.state).usable(reject, Need::Valid) {
                return Ok(issued);
            }
        }
        match self
            .settings
            .store
            .as_deref()
            .and_then(|s| s.refresh_lock())
        {
            Some(shared) => self.shared_refresh(shared, reject).await,
            None => self.refresh().await,
        }
    }

    /// A refresh among processes that share the store: the one that takes
    /// the store's lock asks for the token (unless another process stored
    /// one meanwhile), the others wait for it to show up in the store.
    async fn shared_refresh(&self, shared: &dyn RefreshLock, reject: Option<u64>) -> Outcome {
        let limit = self.settings.config.token_timeout;
        let now = tokio::time::Instant::now();
        let give_up = now.checked_add(limit).unwrap_or(now);
        let before = self.flight.tokens().map(|t| t.access_token.clone());
        let mut pause = FIRST_POLL;
        loop {
            match tokio::time::timeout(limit, shared.try_acquire(limit)).await {
                Ok(Ok(Some(id))) => {
                    let outcome = match self.adopt_stored(before.as_ref(), reject).await {
                        Some(issued) => Ok(issued),
                        None => self.refresh().await,
                    };
                    if let Err(e) = shared.release(&id).await {
                        // It frees itself when its time is up.
                        tracing::debug!(error = %e, "could not free the token store's lock");
                    }
                    return outcome;
                }
                Ok(Ok(None)) => {}
                Ok(Err(e)) => {
                    tracing::warn!(error = %e, "the shared token store cannot be locked: requesting the token in this process");
                    return self.refresh().await;
                }
                Err(_) => {
                    tracing::warn!(
                        "the shared token store's lock did not answer in time: requesting the token in this process"
                    );
                    return self.refresh().await;
                }
            }
            tokio::time::sleep(pause).await;
            pause = pause.saturating_mul(2).min(MAX_POLL);
            if let Some(issued) = self.adopt_stored(before.as_ref(), reject).await {
                return Ok(issued);
            }
            if tokio::time::Instant::now() >= give_up {
                tracing::warn!(
                    "no other process stored a new token within the token timeout: requesting one in this process"
                );
                return self.refresh().await;
            }
        }
    }

    /// A token another process stored, if it is not the one this process
    /// had (`before`) and still fresh; installed as the current one.
    async fn adopt_stored(&self, before: Option<&Secret>, reject: Option<u64>) -> Option<Issued> {
        let store = self.settings.store.as_ref()?;
        let set = self
            .with_store_limit("load the tokens", store.load())
            .await
            .ok()??;
        let same = before.is_some_and(|b| b.expose_secret() == set.access_token());
        if same || set.is_expired() {
            return None;
        }
        self.flight.install(set, self.settings.config.skew);
        lock(&self.flight.state).usable(reject, Need::Fresh)
    }

    /// One token request: installs the new tokens at once (so that a
    /// rotated refresh token is never lost), but marked unsaved until the
    /// hook and the store have seen them.
    async fn refresh(&self) -> Outcome {
        let config = &self.settings.config;
        let refresh_token = lock(&self.flight.state).refresh_token.clone();
        tracing::debug!(
            grant = config.grant.name(),
            "requesting an OAuth2 access token"
        );
        let (mut set, header) = self
            .request_tokens(refresh_token.as_ref())
            .await
            .and_then(|set| bearer_header(&set).map(|header| (set, header)))?;
        tracing::debug!(expires_in = ?set.lifetime, "got a new OAuth2 access token");
        if set.refresh_token.is_none() {
            // Not rotated: the one we have goes on working.
            set.refresh_token = refresh_token;
        }
        let issued = {
            let mut state = lock(&self.flight.state);
            let issued = state.install(set.clone(), header, config.skew);
            state.unsaved = true;
            issued
        };
        if let Some(hook) = &self.settings.on_refresh {
            hook(&set);
        }
        self.save(&set).await?;
        lock(&self.flight.state).unsaved = false;
        Ok(issued)
    }

    async fn request_tokens(&self, refresh_token: Option<&Secret>) -> Result<TokenSet> {
        let config = &self.settings.config;
        let next = self.next.as_next();
        let request = config.token_request(refresh_token, &next.client.default_headers)?;
        let call = request.call_info();
        let limit = config.token_timeout;
        // A buffered request: its body is in memory when the head is back.
        let exchange = async move { next.run(request).await?.bytes().await };
        let response = match tokio::time::timeout(limit, exchange).await {
            Ok(response) => response,
            Err(_) => Err(Error::Timeout(Box::new(TimeoutError {
                kind: TimeoutKind::Attempt,
                after: limit,
                call,
                attempts: 1,
                not_retried: None,
            }))),
        }
        .map_err(|e| auth_error(AuthError::new("the token request failed").with_source(e)))?;
        let status = response.status();
        if status.is_success() {
            parse_success(status, response.body()).map_err(auth_error)
        } else {
            Err(auth_error(parse_error(status, response.body())))
        }
    }

    /// Runs a call to the token store under the token timeout.
    async fn with_store_limit<T>(
        &self,
        what: &str,
        call: impl Future<Output = std::result::Result<T, super::StoreError>>,
    ) -> Result<T> {
        let limit = self.settings.config.token_timeout;
        match tokio::time::timeout(limit, call).await {
            Ok(Ok(value)) => Ok(value),
            Ok(Err(e)) => Err(auth_error(AuthError::new(format!(
                "the token store could not {what}: {e}"
            )))),
            Err(_) => Err(auth_error(AuthError::new(format!(
                "the token store did not {what} within {:.3}s",
                limit.as_secs_f64()
            )))),
        }
    }

    async fn save(&self, set: &TokenSet) -> Result<()> {
        let Some(store) = &self.settings.store else {
            return Ok(());
        };
        self.with_store_limit("save the new tokens", store.save(set))
            .await
    }

    /// Saves the current tokens, which an earlier save failed to.
    async fn save_current(&self) -> Result<()> {
        let Some(set) = self.flight.tokens() else {
            return Ok(());
        };
        self.save(&set).await?;
        lock(&self.flight.state).unsaved = false;
        Ok(())
    }

    /// Asks the store for the tokens to start with.
    async fn load(&self) -> Result<()> {
        if let Some(store) = &self.settings.store {
            let loaded = self
                .with_store_limit("load the tokens", store.load())
                .await?;
            if let Some(set) = loaded {
                self.flight.install(set, self.settings.config.skew);
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
            .field("refreshing", &state.running.is_some())
            .finish_non_exhaustive()
    }
}
