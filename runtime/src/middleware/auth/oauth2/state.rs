//! What the OAuth2 flow knows between calls: the current token, the refresh
//! token, the token request in flight and the backoff after a failed one;
//! and the decision each call makes from it. Plain logic behind a `std`
//! mutex that is never held across an `.await`.

use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use http::HeaderValue;
use tokio::sync::watch;
use tokio::time::Instant;

use crate::auth::Secret;
use crate::error::{AuthError, Error, Result};

use super::TokenSet;

/// A token to send, and its generation.
#[derive(Clone)]
pub(crate) struct Issued {
    pub(crate) header: HeaderValue,
    pub(crate) generation: u64,
}

/// How a token request ended, as its waiters see it.
pub(crate) type Outcome = Result<Issued>;

/// Where the callers of one token request wait for its outcome: `None`
/// until it is known.
pub(crate) type Waiting = watch::Receiver<Option<Outcome>>;

/// How long after the first failed refresh of a still-valid token the next
/// one is tried; it doubles with every failure, up to [`MAX_BACKOFF`].
pub(crate) const FIRST_BACKOFF: Duration = Duration::from_secs(1);

/// The longest wait between refreshes of a still-valid token.
pub(crate) const MAX_BACKOFF: Duration = Duration::from_secs(30);

#[derive(Default)]
pub(crate) struct State {
    pub(crate) current: Option<Current>,
    /// The refresh token to use next; also kept when there is no access
    /// token.
    pub(crate) refresh_token: Option<Secret>,
    /// Counts token sets: each new one gets the next number.
    pub(crate) generation: u64,
    /// False until the store (if any) has been asked for tokens.
    pub(crate) loaded: bool,
    /// The current tokens could not be saved yet: save them before use.
    pub(crate) unsaved: bool,
    /// The token request in flight, if any.
    pub(crate) running: Option<Waiting>,
    /// Refreshes that failed in a row, and when the next may be tried
    /// while the current token is still valid.
    pub(crate) backoff: Option<Backoff>,
}

pub(crate) struct Current {
    pub(crate) set: TokenSet,
    pub(crate) header: HeaderValue,
    pub(crate) generation: u64,
    /// When to replace the token: `skew` before it expires.
    pub(crate) refresh_at: Option<Instant>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Backoff {
    pub(crate) failures: u32,
    pub(crate) until: Instant,
}

/// How fresh a token must be to be sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Need {
    /// Not yet due for replacement.
    Fresh,
    /// Not expired (inside the skew window is fine).
    Valid,
}

/// What a call does next.
pub(crate) enum Decision {
    /// Send this token.
    Use(Issued),
    /// Wait for the token request in flight.
    Wait(Waiting),
    /// Start the token request whose waiters are told with this sender
    /// (already recorded as the one in flight).
    Start(watch::Sender<Option<Outcome>>, Waiting),
}

impl Current {
    pub(crate) fn issued(&self) -> Issued {
        Issued {
            header: self.header.clone(),
            generation: self.generation,
        }
    }
}

pub(crate) fn lock(m: &Mutex<State>) -> MutexGuard<'_, State> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

pub(crate) fn auth_error(e: AuthError) -> Error {
    Error::Auth(Box::new(e))
}

/// `Authorization: Bearer <access token>`, marked sensitive.
pub(crate) fn bearer_header(set: &TokenSet) -> Result<HeaderValue> {
    let mut value =
        HeaderValue::try_from(format!("Bearer {}", set.access_token())).map_err(|_| {
            auth_error(AuthError::new(
                "the access token contains characters that are not allowed in an HTTP header",
            ))
        })?;
    value.set_sensitive(true);
    Ok(value)
}

/// The wait before the next refresh after `failures` failed ones in a row.
pub(crate) fn backoff_delay(failures: u32) -> Duration {
    let factor = 2u32.saturating_pow(failures.saturating_sub(1).min(16));
    FIRST_BACKOFF.saturating_mul(factor).min(MAX_BACKOFF)
}

impl State {
    /// The current token if it may be sent now: loaded and saved, not the
    /// one a 401 was for (`reject`), and as fresh as `need` says.
    pub(crate) fn usable(&self, reject: Option<u64>, need: Need) -> Option<Issued> {
        if !self.loaded || self.unsaved {
            return None;
        }
        let current = self.current.as_ref()?;
        if reject == Some(current.generation) {
            return None;
        }
        let until = match need {
            Need::Fresh => current.refresh_at.or(current.set.expires_at),
            Need::Valid => current.set.expires_at,
        };
        until
            .is_none_or(|at| Instant::now() < at)
            .then(|| current.issued())
    }

    /// What a call that needs a token does: use the current one if it is
    /// fresh (or still valid while refreshes back off), else wait for the
    /// token request in flight, else start one. The new request is recorded
    /// as in flight here, under the same lock as the decision, so that two
    /// calls never both start one.
    pub(crate) fn decide(&mut self, reject: Option<u64>) -> Decision {
        if let Some(issued) = self.usable(reject, Need::Fresh) {
            return Decision::Use(issued);
        }
        let backing_off = self.backoff.is_some_and(|b| Instant::now() < b.until);
        if backing_off && let Some(issued) = self.usable(reject, Need::Valid) {
            return Decision::Use(issued);
        }
        if let Some(waiting) = &self.running {
            // A request whose task went away without an answer (its
            // runtime shut down) is no longer in flight.
            let abandoned = waiting.has_changed().is_err() && waiting.borrow().is_none();
            if !abandoned {
                return Decision::Wait(waiting.clone());
            }
            self.running = None;
        }
        let (tx, rx) = watch::channel(None);
        self.running = Some(rx.clone());
        Decision::Start(tx, rx)
    }

    /// Records that the token request in flight ended: a success ends the
    /// backoff, a failure makes the next wait longer.
    pub(crate) fn finish(&mut self, succeeded: bool) {
        self.running = None;
        self.backoff = if succeeded {
            None
        } else {
            let failures = self.backoff.map_or(0, |b| b.failures).saturating_add(1);
            let now = Instant::now();
            let until = now.checked_add(backoff_delay(failures)).unwrap_or(now);
            Some(Backoff { failures, until })
        };
    }

    /// Makes `set` the current token set. Its missing refresh token is the
    /// one we had.
    pub(crate) fn install(
        &mut self,
        mut set: TokenSet,
        header: HeaderValue,
        skew: Duration,
    ) -> Issued {
        if set.refresh_token.is_none() {
            set.refresh_token = self.refresh_token.clone();
        }
        self.refresh_token = set.refresh_token.clone();
        self.generation = self.generation.saturating_add(1);
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
