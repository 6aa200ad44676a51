//! Where OAuth2 tokens are kept across process restarts.

use std::time::Duration;

use crate::middleware::BoxFuture;

use super::TokenSet;

/// The error a [`TokenStore`] returns: any error type. Its message ends up
/// in an [`Error::Auth`](crate::Error::Auth), so it must not contain a token.
pub type StoreError = Box<dyn std::error::Error + Send + Sync>;

/// Keeps OAuth2 tokens somewhere that outlives the process (a file, a
/// database, a keyring), so that a rotated refresh token is never lost.
///
/// [`save`](TokenStore::save) is called with every new token set, after the
/// token endpoint answered and before any request uses the new access token;
/// if it fails, the call that needed the token fails with
/// [`Error::Auth`](crate::Error::Auth), the tokens stay in memory, and the
/// next call tries to save them again before using them.
/// [`load`](TokenStore::load) is called once, before the first request, and
/// may supply the tokens to start with (they win over the ones given to the
/// [`OAuth2`](crate::OAuth2) constructor).
///
/// Both run inside the token request's own task, so a call that gives up
/// does not interrupt a save, and each is bounded by the flow's
/// [`token_timeout`](crate::OAuth2::token_timeout): a store that takes
/// longer fails like a store that returned an error.
///
/// ```
/// use std::sync::Mutex;
/// use restrait::BoxFuture;
/// use restrait::auth::{StoreError, TokenSet, TokenStore};
///
/// /// Keeps the tokens in memory (a real store would write a file).
/// #[derive(Default)]
/// struct Memory(Mutex<Option<TokenSet>>);
///
/// impl TokenStore for Memory {
///     fn load(&self) -> BoxFuture<'_, Result<Option<TokenSet>, StoreError>> {
///         let tokens = self.0.lock().map_err(|_| "poisoned".into()).map(|t| t.clone());
///         Box::pin(std::future::ready(tokens))
///     }
///     fn save<'a>(&'a self, tokens: &'a TokenSet) -> BoxFuture<'a, Result<(), StoreError>> {
///         let saved = self.0.lock().map(|mut t| *t = Some(tokens.clone())).map_err(|_| "poisoned".into());
///         Box::pin(std::future::ready(saved))
///     }
/// }
/// ```
pub trait TokenStore: Send + Sync + 'static {
    /// The tokens saved before, if any.
    fn load(&self) -> BoxFuture<'_, Result<Option<TokenSet>, StoreError>>;

    /// Saves a new token set (its refresh token may be a rotated one).
    fn save<'a>(&'a self, tokens: &'a TokenSet) -> BoxFuture<'a, Result<(), StoreError>>;

    /// The lock of a store that several processes share, such as
    /// `restrait::redis::RedisTokenStore` (the `redis` feature): when a new token
    /// is needed, the process that takes it asks the token endpoint, and
    /// the others wait for the token to appear in the store (reading it
    /// with [`load`](TokenStore::load), with a growing pause, for at most
    /// the [`token_timeout`](crate::OAuth2::token_timeout)), so that many
    /// processes make one token request, not one each. If the lock cannot
    /// be taken at all (the store is unreachable), or no token appears in
    /// time, the process asks for one itself. The default, `None`: the
    /// store is this process's alone.
    fn refresh_lock(&self) -> Option<&dyn RefreshLock> {
        None
    }
}

/// A lock with an expiry, taken by one of the processes that share a
/// [`TokenStore`] before it asks for a new token; see
/// [`TokenStore::refresh_lock`].
pub trait RefreshLock: Send + Sync {
    /// Takes the lock for at most `ttl` (after which it frees itself, so a
    /// process that dies holding it blocks nobody for long). `Ok(Some(id))`
    /// when taken, `Ok(None)` when another process holds it, an error when
    /// it cannot be known.
    fn try_acquire(&self, ttl: Duration) -> BoxFuture<'_, Result<Option<String>, StoreError>>;

    /// Frees the lock taken as `id`, if this process still holds it.
    fn release<'a>(&'a self, id: &'a str) -> BoxFuture<'a, Result<(), StoreError>>;
}
