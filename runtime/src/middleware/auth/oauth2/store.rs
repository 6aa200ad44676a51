//! Where OAuth2 tokens are kept across process restarts.

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
}
