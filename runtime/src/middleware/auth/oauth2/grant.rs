//! The token request (RFC 6749 sections 4.4, 6 and 2.3.1).

use std::fmt;
use std::time::Duration;

use bytes::Bytes;
use http::header::{ACCEPT, AUTHORIZATION, CONTENT_TYPE, HeaderValue, USER_AGENT};
use http::{HeaderMap, Method};
use url::Url;

use crate::auth::Secret;
use crate::auth::secret::basic_value;
use crate::error::{AuthError, Error, Result};
use crate::request::Request;

/// How the client proves its identity to the token endpoint (RFC 6749
/// section 2.3.1). Only used when a client secret is set; a public client
/// (no secret) sends its `client_id` in the form.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum ClientAuth {
    /// `Authorization: Basic` with the client id and secret, each
    /// form-urlencoded first as the RFC requires. Every server must support
    /// it; the default.
    #[default]
    Basic,
    /// `client_id` and `client_secret` as fields of the form body
    /// (`client_secret_post`), for servers that ask for it.
    RequestBody,
}

/// Which grant gets new tokens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Grant {
    /// `grant_type=refresh_token` with the current refresh token.
    RefreshToken,
    /// `grant_type=client_credentials`: the client's own identity.
    ClientCredentials,
}

impl Grant {
    pub(crate) fn name(self) -> &'static str {
        match self {
            Grant::RefreshToken => "refresh_token",
            Grant::ClientCredentials => "client_credentials",
        }
    }
}

/// What a token request is made from.
#[derive(Clone)]
pub(crate) struct Config {
    /// The token endpoint, or why the URL given is not one.
    pub(crate) token_url: std::result::Result<Url, String>,
    pub(crate) client_id: String,
    pub(crate) client_secret: Option<Secret>,
    pub(crate) client_auth: ClientAuth,
    pub(crate) grant: Grant,
    pub(crate) scope: Option<String>,
    /// More form fields (e.g. `audience`); their values may be secret.
    pub(crate) params: Vec<(String, Secret)>,
    pub(crate) skew: Duration,
    /// How long a token request (and each call to the token store) may take.
    pub(crate) token_timeout: Duration,
}

pub(crate) fn parse_token_url(url: &str) -> std::result::Result<Url, String> {
    let parsed = Url::parse(url).map_err(|e| format!("the OAuth2 token URL is not a URL: {e}"))?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(format!(
            "the OAuth2 token URL `{}` must be an http:// or https:// URL",
            crate::redact::redacted_url(&parsed)
        ));
    }
    Ok(parsed)
}

/// The encoding RFC 6749 section 2.3.1 applies to the client id and secret
/// before they are joined for Basic auth.
fn form_encode(value: &str) -> String {
    form_urlencoded::byte_serialize(value.as_bytes()).collect()
}

impl Config {
    /// The POST to the token endpoint, form-encoded, through the same
    /// transport as the API's requests. Only the `User-Agent` of the
    /// client's default headers goes with it: the others are meant for the
    /// API, which may be another origin.
    pub(crate) fn token_request(
        &self,
        refresh_token: Option<&Secret>,
        default_headers: &HeaderMap,
    ) -> Result<Request> {
        let url = self.token_url.clone().map_err(Error::config)?;
        let mut form = form_urlencoded::Serializer::new(String::new());
        form.append_pair("grant_type", self.grant.name());
        if self.grant == Grant::RefreshToken {
            let token = refresh_token.ok_or_else(|| {
                Error::Auth(Box::new(AuthError::new(
                    "there is no refresh token to get a new access token with",
                )))
            })?;
            form.append_pair("refresh_token", token.expose_secret());
        }
        if let Some(scope) = &self.scope {
            form.append_pair("scope", scope);
        }
        let mut basic = None;
        match (&self.client_secret, self.client_auth) {
            (Some(secret), ClientAuth::Basic) => {
                basic = Some(basic_value(
                    &form_encode(&self.client_id),
                    &form_encode(secret.expose_secret()),
                ));
            }
            (Some(secret), ClientAuth::RequestBody) => {
                form.append_pair("client_id", &self.client_id);
                form.append_pair("client_secret", secret.expose_secret());
            }
            (None, _) => {
                form.append_pair("client_id", &self.client_id);
            }
        }
        for (name, value) in &self.params {
            form.append_pair(name, value.expose_secret());
        }
        let mut request = Request::new(Method::POST, url);
        let headers = request.headers_mut();
        headers.insert(
            CONTENT_TYPE,
            HeaderValue::from_static("application/x-www-form-urlencoded"),
        );
        headers.insert(ACCEPT, HeaderValue::from_static("application/json"));
        if let Some(agent) = default_headers.get(USER_AGENT) {
            headers.insert(USER_AGENT, agent.clone());
        }
        if let Some(basic) = basic {
            let mut value = HeaderValue::try_from(basic).map_err(|_| {
                Error::config("the OAuth2 client credentials cannot be sent in a header")
            })?;
            value.set_sensitive(true);
            headers.insert(AUTHORIZATION, value);
        }
        request.set_body(Bytes::from(form.finish()));
        Ok(request)
    }
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let url = match &self.token_url {
            Ok(url) => crate::redact::redacted_url(url),
            Err(e) => e.clone(),
        };
        let params: Vec<&str> = self.params.iter().map(|(n, _)| n.as_str()).collect();
        f.debug_struct("Config")
            .field("grant", &self.grant.name())
            .field("token_url", &url)
            .field("client_id", &self.client_id)
            .field("client_secret", &self.client_secret)
            .field("client_auth", &self.client_auth)
            .field("scope", &self.scope)
            .field("params", &params)
            .field("skew", &self.skew)
            .field("token_timeout", &self.token_timeout)
            .finish_non_exhaustive()
    }
}
