//! Credentials that never change: bearer token, API key, HTTP Basic.

use std::fmt;

use http::header::{AUTHORIZATION, HeaderName, HeaderValue};

use crate::error::{Error, Result};
use crate::middleware::{BoxFuture, Next};
use crate::request::Request;

use super::Auth;
use super::secret::{Secret, basic_value};

/// A header value marked sensitive, or the reason it cannot be one. The
/// reason never contains the value.
type Prepared = std::result::Result<HeaderValue, String>;

fn sensitive_value(value: &str, what: &str) -> Prepared {
    match HeaderValue::try_from(value) {
        Ok(mut v) => {
            v.set_sensitive(true);
            Ok(v)
        }
        Err(_) => Err(format!(
            "the {what} contains characters that are not allowed in an HTTP header"
        )),
    }
}

fn check_prepared(value: &Prepared) -> Result<()> {
    value
        .as_ref()
        .map(|_| ())
        .map_err(|message| Error::config(message.clone()))
}

/// A keyed hash of a prepared credential, for the response cache.
fn prepared_key(value: &Prepared) -> Option<u64> {
    let value = value.as_ref().ok()?;
    Some(crate::middleware::cache::hash_secret(value.as_bytes()))
}

fn ready(result: Result<()>) -> BoxFuture<'static, Result<()>> {
    Box::pin(std::future::ready(result))
}

fn set_header(request: &mut Request, name: &HeaderName, value: &Prepared) -> Result<()> {
    match value {
        Ok(value) => {
            request.headers_mut().insert(name.clone(), value.clone());
            Ok(())
        }
        Err(message) => Err(Error::config(message.clone())),
    }
}

/// A static bearer token: `Authorization: Bearer <token>` (RFC 6750).
///
/// A token with characters that cannot go in a header makes
/// [`ClientBuilder::build`](crate::ClientBuilder::build) fail with
/// [`Error::Config`](crate::Error::Config).
///
/// ```
/// use restrait::auth::BearerToken;
/// let auth = BearerToken::new("sk_test_123");
/// assert!(!format!("{auth:?}").contains("sk_test_123"));
/// ```
pub struct BearerToken {
    value: Prepared,
}

impl BearerToken {
    /// A bearer token.
    pub fn new(token: impl Into<String>) -> Self {
        let token = Secret::new(token);
        BearerToken {
            value: sensitive_value(&format!("Bearer {}", token.expose_secret()), "bearer token"),
        }
    }
}

impl Auth for BearerToken {
    fn check(&self) -> Result<()> {
        check_prepared(&self.value)
    }

    fn authorize<'a>(&'a self, request: &'a mut Request, _: Next<'a>) -> BoxFuture<'a, Result<()>> {
        ready(set_header(request, &AUTHORIZATION, &self.value))
    }

    fn cache_key(&self) -> Option<u64> {
        prepared_key(&self.value)
    }
}

impl fmt::Debug for BearerToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("BearerToken(<redacted>)")
    }
}

/// Where an [`ApiKey`] goes.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ApiKeyLocation {
    /// In a header of this name (e.g. `X-Api-Key`).
    Header(HeaderName),
    /// In a query parameter of this name (e.g. `api_key`).
    Query(String),
}

/// An API key, sent in a header or a query parameter whose name you choose.
///
/// ```
/// use restrait::auth::ApiKey;
/// let in_header = ApiKey::header("X-Api-Key", "k_123");
/// let in_query = ApiKey::query("api_key", "k_123");
/// assert!(!format!("{in_header:?}{in_query:?}").contains("k_123"));
/// ```
pub struct ApiKey {
    location: std::result::Result<ApiKeyLocation, String>,
    key: Secret,
    /// The key as a sensitive header value, for a key sent in a header.
    header_value: Option<HeaderValue>,
}

impl ApiKey {
    /// A key sent in the header `name`. An invalid header name or key makes
    /// [`ClientBuilder::build`](crate::ClientBuilder::build) fail with
    /// [`Error::Config`](crate::Error::Config).
    pub fn header(name: &str, key: impl Into<String>) -> Self {
        let key = Secret::new(key);
        let value = sensitive_value(key.expose_secret(), "API key");
        let location = match (HeaderName::try_from(name), &value) {
            (Err(_), _) => Err(format!(
                "`{name}` is not a valid header name for an API key"
            )),
            (Ok(_), Err(message)) => Err(message.clone()),
            (Ok(name), Ok(_)) => Ok(ApiKeyLocation::Header(name)),
        };
        ApiKey {
            location,
            key,
            header_value: value.ok(),
        }
    }

    /// A key sent as the query parameter `name`, percent-encoded. It is
    /// added to the parameters the request already has.
    pub fn query(name: &str, key: impl Into<String>) -> Self {
        let location = if name.is_empty() {
            Err("the query parameter name of an API key must not be empty".to_owned())
        } else {
            Ok(ApiKeyLocation::Query(name.to_owned()))
        };
        ApiKey {
            location,
            key: Secret::new(key),
            header_value: None,
        }
    }

    /// Where the key goes, or `None` for an invalid name or key.
    pub fn location(&self) -> Option<&ApiKeyLocation> {
        self.location.as_ref().ok()
    }
}

impl Auth for ApiKey {
    fn check(&self) -> Result<()> {
        match (&self.location, &self.header_value) {
            (Ok(ApiKeyLocation::Header(_)), None) => {
                Err(Error::config("the API key cannot be sent in a header"))
            }
            (Err(message), _) => Err(Error::config(message.clone())),
            _ => Ok(()),
        }
    }

    fn authorize<'a>(&'a self, request: &'a mut Request, _: Next<'a>) -> BoxFuture<'a, Result<()>> {
        let result = match (&self.location, &self.header_value) {
            (Ok(ApiKeyLocation::Header(name)), Some(value)) => {
                request.headers_mut().insert(name.clone(), value.clone());
                Ok(())
            }
            (Ok(ApiKeyLocation::Query(name)), _) => {
                request
                    .url_mut()
                    .query_pairs_mut()
                    .append_pair(name, self.key.expose_secret());
                request.mark_query_secret(name.as_str());
                Ok(())
            }
            (Ok(ApiKeyLocation::Header(_)), None) => {
                Err(Error::config("the API key cannot be sent in a header"))
            }
            (Err(message), _) => Err(Error::config(message.clone())),
        };
        ready(result)
    }

    fn cache_key(&self) -> Option<u64> {
        Some(crate::middleware::cache::hash_secret(
            self.key.expose_secret().as_bytes(),
        ))
    }
}

impl fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ApiKey")
            .field("location", &self.location)
            .field("key", &self.key)
            .finish()
    }
}

/// HTTP Basic credentials (RFC 7617): `Authorization: Basic
/// base64(user:password)`, UTF-8 encoded.
///
/// ```
/// use restrait::auth::BasicAuth;
/// let auth = BasicAuth::new("alice", "hunter2");
/// assert_eq!(auth.username(), "alice");
/// assert!(!format!("{auth:?}").contains("hunter2"));
/// ```
pub struct BasicAuth {
    username: String,
    value: Prepared,
}

impl BasicAuth {
    /// Credentials for `username` and `password`. A user name containing
    /// `:` makes `build` fail with [`Error::Config`](crate::Error::Config),
    /// as RFC 7617 does not allow it.
    pub fn new(username: impl Into<String>, password: impl Into<String>) -> Self {
        let username = username.into();
        let password = Secret::new(password);
        let value = if username.contains(':') {
            Err("a Basic auth user name must not contain `:`".to_owned())
        } else {
            sensitive_value(
                &basic_value(&username, password.expose_secret()),
                "Basic credential",
            )
        };
        BasicAuth { username, value }
    }

    /// The user name.
    pub fn username(&self) -> &str {
        &self.username
    }
}

impl Auth for BasicAuth {
    fn check(&self) -> Result<()> {
        check_prepared(&self.value)
    }

    fn authorize<'a>(&'a self, request: &'a mut Request, _: Next<'a>) -> BoxFuture<'a, Result<()>> {
        ready(set_header(request, &AUTHORIZATION, &self.value))
    }

    fn cache_key(&self) -> Option<u64> {
        prepared_key(&self.value)
    }
}

impl fmt::Debug for BasicAuth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BasicAuth")
            .field("username", &self.username)
            .field("password", &"<redacted>")
            .finish()
    }
}
