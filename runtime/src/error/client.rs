//! Errors the client raises itself: auth, a bad request, pagination,
//! redirects, configuration.

use super::*;

/// Credentials could not be obtained or refreshed.
#[derive(Debug, thiserror::Error)]
#[error("authentication failed: {message}{}", self.oauth_suffix())]
pub struct AuthError {
    pub(crate) message: String,
    pub(crate) status: Option<StatusCode>,
    pub(crate) error: Option<String>,
    pub(crate) error_description: Option<String>,
    #[source]
    pub(crate) source: Option<Box<Error>>,
}

impl AuthError {
    /// A new auth error with a message.
    pub fn new(message: impl Into<String>) -> Self {
        AuthError {
            message: message.into(),
            status: None,
            error: None,
            error_description: None,
            source: None,
        }
    }
    /// Adds the OAuth2 `error` code and `error_description`.
    pub fn with_oauth(mut self, error: Option<String>, description: Option<String>) -> Self {
        self.error = error;
        self.error_description = description;
        self
    }
    /// Adds the status of the token endpoint's answer.
    pub fn with_status(mut self, status: StatusCode) -> Self {
        self.status = Some(status);
        self
    }
    /// Adds the underlying error.
    pub fn with_source(mut self, source: Error) -> Self {
        self.source = Some(Box::new(source));
        self
    }
    /// What happened.
    pub fn message(&self) -> &str {
        &self.message
    }
    /// The token endpoint's status, if it answered.
    pub fn status(&self) -> Option<StatusCode> {
        self.status
    }
    /// The OAuth2 `error` code (e.g. `invalid_grant`).
    pub fn error(&self) -> Option<&str> {
        self.error.as_deref()
    }
    /// The OAuth2 `error_description`.
    pub fn error_description(&self) -> Option<&str> {
        self.error_description.as_deref()
    }
    fn oauth_suffix(&self) -> String {
        match (&self.error, &self.error_description) {
            (Some(e), Some(d)) => format!(" ({e}: {d})"),
            (Some(e), None) => format!(" ({e})"),
            _ => String::new(),
        }
    }
}

/// The request could not be built; nothing was sent.
#[derive(Debug, Clone, thiserror::Error)]
#[error("invalid request: {message}")]
pub struct InvalidRequest {
    pub(crate) message: String,
}

impl InvalidRequest {
    /// What was wrong.
    pub fn message(&self) -> &str {
        &self.message
    }
}

/// A paged list could not be followed.
#[derive(Debug, Clone, thiserror::Error)]
#[error("pagination stopped: {message}")]
pub struct PaginationError {
    pub(crate) message: String,
}

impl PaginationError {
    /// Why.
    pub fn message(&self) -> &str {
        &self.message
    }
}

/// Why a redirect was not followed; see [`RedirectError`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum RedirectErrorKind {
    /// The redirect leads back to a URL this call already requested (with
    /// the same method).
    Loop,
    /// The call was redirected more often than the client's
    /// [`max_redirects`](crate::ClientBuilder::max_redirects).
    TooMany,
    /// The redirect leads from `https` to plain `http`.
    Downgrade,
    /// The `Location` header is not text, not a URL, or not an `http`/`https` URL.
    InvalidLocation,
    /// The transport followed a redirect itself (a `reqwest::Client` built
    /// with a redirect policy other than `Policy::none()`), past the
    /// client's credential and downgrade rules.
    FollowedByTransport,
}

impl fmt::Display for RedirectErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            RedirectErrorKind::Loop => "redirect loop",
            RedirectErrorKind::TooMany => "too many redirects",
            RedirectErrorKind::Downgrade => "redirect from https to http refused",
            RedirectErrorKind::InvalidLocation => "redirect to an invalid location",
            RedirectErrorKind::FollowedByTransport => "the transport followed a redirect itself",
        })
    }
}

/// A redirect was not followed. The message names the call, the redirect's
/// status and its target without a query string (which may hold a key).
#[derive(Debug, Clone, thiserror::Error)]
#[error("{call}: {kind}{}", self.details())]
pub struct RedirectError {
    pub(crate) kind: RedirectErrorKind,
    pub(crate) call: CallInfo,
    /// The status of the redirect that was refused, when the server sent one.
    pub(crate) status: Option<StatusCode>,
    /// How many redirects had been followed.
    pub(crate) hops: u32,
    /// The refused target, already redacted (no query, no userinfo).
    pub(crate) location: Option<String>,
}

impl RedirectError {
    /// Why the redirect was not followed.
    pub fn kind(&self) -> RedirectErrorKind {
        self.kind
    }
    /// The method and path template of the call.
    pub fn call(&self) -> &CallInfo {
        &self.call
    }
    /// The status of the refused redirect (e.g. 302), if the server sent one.
    pub fn status(&self) -> Option<StatusCode> {
        self.status
    }
    /// How many redirects the call had followed before this one.
    pub fn hops(&self) -> u32 {
        self.hops
    }
    /// Where the refused redirect pointed, without its query string, fragment
    /// or userinfo.
    pub fn location(&self) -> Option<&str> {
        self.location.as_deref()
    }
    fn details(&self) -> String {
        use std::fmt::Write as _;
        let mut out = String::new();
        match (self.status, &self.location) {
            (Some(status), Some(to)) => {
                let _ = write!(out, ": {} to {to}", status.as_u16());
            }
            (Some(status), None) => {
                let _ = write!(out, ": {}", status.as_u16());
            }
            (None, Some(to)) => {
                let _ = write!(out, ": to {to}");
            }
            (None, None) => {}
        }
        if self.hops > 0 {
            let _ = write!(out, " after {} redirects", self.hops);
        }
        if self.kind == RedirectErrorKind::FollowedByTransport {
            out.push_str(
                "; build the reqwest::Client with `redirect(reqwest::redirect::Policy::none())` \
                 or hand in its builder with `ClientBuilder::reqwest_client_builder`",
            );
        }
        out
    }
}

/// The client configuration is invalid.
#[derive(Debug, Clone, thiserror::Error)]
#[error("invalid client configuration: {message}")]
pub struct ConfigError {
    pub(crate) message: String,
}

impl ConfigError {
    /// What was wrong.
    pub fn message(&self) -> &str {
        &self.message
    }
}
