//! The auth settings of [`ClientBuilder`].

use super::builder::ClientBuilder;
use crate::auth::{ApiKey, Auth, AuthMiddleware, BasicAuth, BearerToken};

/// Authentication. Each of these replaces the auth set before; a client has
/// one.
impl ClientBuilder {
    /// Authenticates every request with `auth`: an [`OAuth2`](crate::OAuth2)
    /// flow, a static credential from [`crate::auth`], or your own [`Auth`].
    ///
    /// ```
    /// # fn main() -> restrait::Result<()> {
    /// use restrait::{Client, OAuth2};
    /// let client = Client::builder("https://api.example.com")
    ///     .auth(OAuth2::client_credentials("https://auth.example.com/token", "id", "secret").scope("read"))
    ///     .build()?;
    /// # let _ = client; Ok(()) }
    /// ```
    pub fn auth(mut self, auth: impl Auth) -> Self {
        if let Err(e) = auth.check() {
            self.push_error(match e {
                crate::Error::Config(e) => e.message().to_owned(),
                other => other.to_string(),
            });
        }
        self.quota.auth_cache_key = Some(auth.cache_key());
        self.auth_layer = Some(AuthMiddleware::new(auth));
        self
    }

    /// Sends `Authorization: Bearer <token>` with every request.
    ///
    /// ```
    /// # fn main() -> restrait::Result<()> {
    /// let client = restrait::Client::builder("https://api.example.com")
    ///     .bearer_token("sk_test_123")
    ///     .build()?;
    /// assert!(!format!("{client:?}").contains("sk_test_123"));
    /// # Ok(()) }
    /// ```
    pub fn bearer_token(self, token: impl Into<String>) -> Self {
        self.auth(BearerToken::new(token))
    }

    /// Sends an API key in the header `header` (e.g. `X-Api-Key`) with every
    /// request.
    pub fn api_key(self, header: &str, key: impl Into<String>) -> Self {
        self.auth(ApiKey::header(header, key))
    }

    /// Sends an API key as the query parameter `param` (e.g. `api_key`) of
    /// every request.
    pub fn api_key_query(self, param: &str, key: impl Into<String>) -> Self {
        self.auth(ApiKey::query(param, key))
    }

    /// Sends HTTP Basic credentials (RFC 7617) with every request. Use `""`
    /// for an API that takes a user name only.
    pub fn basic_auth(self, username: impl Into<String>, password: impl Into<String>) -> Self {
        self.auth(BasicAuth::new(username, password))
    }
}
