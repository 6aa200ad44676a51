//! Token sets and reading the token endpoint's answer (RFC 6749 sections
//! 5.1 and 5.2).

use std::fmt;
use std::time::{Duration, SystemTime};

use http::StatusCode;
use serde_json::{Map, Value};
use tokio::time::Instant;

use crate::auth::Secret;
use crate::error::AuthError;

/// The tokens an OAuth2 token endpoint issued: an access token, perhaps a
/// refresh token, and when the access token expires.
///
/// [`OAuth2`](crate::OAuth2) hands every new token set to its
/// [`on_refresh`](crate::OAuth2::on_refresh) hook and its
/// [`TokenStore`](crate::auth::TokenStore) before any request uses it; a
/// store can build one with [`TokenSet::new`] to supply the tokens to start
/// with. `Debug` shows no token.
///
/// ```
/// use std::time::{Duration, SystemTime};
/// use restrait::auth::TokenSet;
///
/// let saved = TokenSet::new("at_1")
///     .with_refresh_token("rt_1")
///     .with_expires_at(SystemTime::now() + Duration::from_secs(600));
/// assert_eq!(saved.refresh_token(), Some("rt_1"));
/// assert!(!format!("{saved:?}").contains("at_1"));
/// ```
#[derive(Clone)]
pub struct TokenSet {
    pub(crate) access_token: Secret,
    pub(crate) token_type: String,
    pub(crate) refresh_token: Option<Secret>,
    pub(crate) scope: Option<String>,
    /// How long the access token was valid for when it was issued (or
    /// loaded).
    pub(crate) lifetime: Option<Duration>,
    pub(crate) expires_at: Option<Instant>,
    pub(crate) expires_at_system: Option<SystemTime>,
}

impl TokenSet {
    /// A token set with an access token that does not expire until the
    /// server says so with a 401.
    pub fn new(access_token: impl Into<String>) -> Self {
        TokenSet {
            access_token: Secret::new(access_token),
            token_type: "Bearer".to_owned(),
            refresh_token: None,
            scope: None,
            lifetime: None,
            expires_at: None,
            expires_at_system: None,
        }
    }

    /// With a refresh token.
    #[must_use]
    pub fn with_refresh_token(mut self, refresh_token: impl Into<String>) -> Self {
        self.refresh_token = Some(Secret::new(refresh_token));
        self
    }

    /// With an access token that expires `expires_in` from now.
    #[must_use]
    pub fn with_expires_in(mut self, expires_in: Duration) -> Self {
        self.set_expiry(expires_in);
        self
    }

    /// With an access token that expires at `at` (wall-clock time, as a
    /// store would have saved it from [`expires_at`](TokenSet::expires_at)).
    /// A time in the past means it has expired.
    #[must_use]
    pub fn with_expires_at(self, at: SystemTime) -> Self {
        let left = at
            .duration_since(SystemTime::now())
            .unwrap_or(Duration::ZERO);
        self.with_expires_in(left)
    }

    /// With the scope the token was granted for.
    #[must_use]
    pub fn with_scope(mut self, scope: impl Into<String>) -> Self {
        self.scope = Some(scope.into());
        self
    }

    fn set_expiry(&mut self, expires_in: Duration) {
        self.lifetime = Some(expires_in);
        self.expires_at = Instant::now().checked_add(expires_in);
        self.expires_at_system = SystemTime::now().checked_add(expires_in);
    }

    /// The access token.
    pub fn access_token(&self) -> &str {
        self.access_token.expose_secret()
    }

    /// The refresh token, if the server issued one (or the previous one,
    /// kept when a refresh did not rotate it).
    pub fn refresh_token(&self) -> Option<&str> {
        self.refresh_token.as_ref().map(Secret::expose_secret)
    }

    /// The `token_type` the server named (`Bearer`).
    pub fn token_type(&self) -> &str {
        &self.token_type
    }

    /// The scope the server granted, if it said.
    pub fn scope(&self) -> Option<&str> {
        self.scope.as_deref()
    }

    /// How long the access token was valid for when issued (`expires_in`),
    /// if the server said.
    pub fn expires_in(&self) -> Option<Duration> {
        self.lifetime
    }

    /// When the access token expires, as wall-clock time to save, if known.
    pub fn expires_at(&self) -> Option<SystemTime> {
        self.expires_at_system
    }

    /// True if the access token is known to have expired.
    pub fn is_expired(&self) -> bool {
        self.expires_at.is_some_and(|at| Instant::now() >= at)
    }
}

impl fmt::Debug for TokenSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenSet")
            .field("access_token", &self.access_token)
            .field("token_type", &self.token_type)
            .field("refresh_token", &self.refresh_token)
            .field("scope", &self.scope)
            .field("expires_in", &self.lifetime)
            .field("expires_at", &self.expires_at_system)
            .finish()
    }
}

/// Reads a successful token response. Error messages never quote the body,
/// which holds the tokens.
pub(crate) fn parse_success(status: StatusCode, body: &[u8]) -> Result<TokenSet, AuthError> {
    let invalid = |what: &str| {
        AuthError::new(format!(
            "the token endpoint's {} answer is not a valid token response: {what}",
            status.as_u16()
        ))
        .with_status(status)
    };
    let object = match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(object)) => object,
        _ => return Err(invalid("it is not a JSON object")),
    };
    let access_token = match object.get("access_token") {
        Some(Value::String(t)) if !t.is_empty() => t,
        _ => return Err(invalid("`access_token` is missing or not a string")),
    };
    let mut set = TokenSet::new(access_token.clone());
    if let Some(token_type) = string(&object, "token_type") {
        set.token_type = token_type;
    }
    if let Some(refresh) = string(&object, "refresh_token").filter(|t| !t.is_empty()) {
        set.refresh_token = Some(Secret::new(refresh));
    }
    set.scope = string(&object, "scope");
    match object.get("expires_in").map(seconds) {
        None | Some(Ok(None)) => {}
        Some(Ok(Some(lifetime))) => set.set_expiry(lifetime),
        Some(Err(())) => return Err(invalid("`expires_in` is not a number of seconds")),
    }
    Ok(set)
}

/// Reads an error response: `{"error": "invalid_grant", "error_description": ".."}`
/// when the server follows RFC 6749 section 5.2, or only the status.
pub(crate) fn parse_error(status: StatusCode, body: &[u8]) -> AuthError {
    let object = match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(object)) => Some(object),
        _ => None,
    };
    let code = object.as_ref().and_then(|o| string(o, "error"));
    let description = object.as_ref().and_then(|o| string(o, "error_description"));
    AuthError::new(format!(
        "the token endpoint answered {}",
        crate::auth::oauth2::status_text(status)
    ))
    .with_status(status)
    .with_oauth(code, description)
}

fn string(object: &Map<String, Value>, key: &str) -> Option<String> {
    match object.get(key) {
        Some(Value::String(s)) => Some(s.clone()),
        _ => None,
    }
}

/// `expires_in` as a duration: a number of seconds, or (as some servers
/// send it) a string holding one. `null` means unknown.
fn seconds(value: &Value) -> Result<Option<Duration>, ()> {
    let secs = match value {
        Value::Null => return Ok(None),
        Value::Number(n) => n.as_f64().ok_or(())?,
        Value::String(s) => s.trim().parse::<f64>().map_err(|_| ())?,
        _ => return Err(()),
    };
    if !secs.is_finite() {
        return Err(());
    }
    Ok(Some(Duration::from_secs_f64(secs.clamp(0.0, 1e9))))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn reads_a_full_response() {
        let body = br#"{"access_token":"at","token_type":"bearer","expires_in":3600,"refresh_token":"rt2","scope":"read write"}"#;
        let set = parse_success(StatusCode::OK, body).expect("valid");
        assert_eq!(set.access_token(), "at");
        assert_eq!(set.refresh_token(), Some("rt2"));
        assert_eq!(set.token_type(), "bearer");
        assert_eq!(set.scope(), Some("read write"));
        assert_eq!(set.expires_in(), Some(Duration::from_secs(3600)));
        assert!(!set.is_expired());
        tokio::time::advance(Duration::from_secs(3600)).await;
        assert!(set.is_expired());
    }

    #[test]
    fn expires_in_may_be_missing_a_string_or_null() {
        for (body, expected) in [
            (r#"{"access_token":"a"}"#, None),
            (r#"{"access_token":"a","expires_in":null}"#, None),
            (r#"{"access_token":"a","expires_in":"60"}"#, Some(60)),
            (r#"{"access_token":"a","expires_in":-5}"#, Some(0)),
        ] {
            let set = parse_success(StatusCode::OK, body.as_bytes()).expect(body);
            assert_eq!(
                set.expires_in(),
                expected.map(Duration::from_secs),
                "{body}"
            );
        }
    }

    #[test]
    fn invalid_responses_do_not_quote_the_body() {
        for body in [
            "<html>secret_abc</html>",
            r#"{"token":"secret_abc"}"#,
            r#"{"access_token":42,"x":"secret_abc"}"#,
            r#"{"access_token":"secret_abc","expires_in":"soon"}"#,
            r#"["secret_abc"]"#,
        ] {
            let err = parse_success(StatusCode::OK, body.as_bytes()).expect_err(body);
            let shown = format!("{err} {err:?}");
            assert!(!shown.contains("secret_abc"), "{shown}");
            assert_eq!(err.status(), Some(StatusCode::OK));
        }
    }

    #[test]
    fn an_empty_access_token_is_no_token() {
        let err = parse_success(StatusCode::OK, br#"{"access_token":""}"#).expect_err("empty");
        assert!(err.to_string().contains("`access_token`"), "{err}");
    }

    #[test]
    fn debug_names_the_fields_but_not_the_tokens() {
        let set = parse_success(
            StatusCode::OK,
            br#"{"access_token":"at_x","refresh_token":"rt_x","scope":"read"}"#,
        )
        .expect("valid");
        let shown = format!("{set:?}");
        assert!(shown.starts_with("TokenSet {"), "{shown}");
        assert!(shown.contains(r#"scope: Some("read")"#), "{shown}");
        assert!(shown.contains("refresh_token: Some("), "{shown}");
        assert!(
            !shown.contains("at_x") && !shown.contains("rt_x"),
            "{shown}"
        );
    }

    #[test]
    fn error_bodies_give_the_oauth_code() {
        let err = parse_error(
            StatusCode::BAD_REQUEST,
            br#"{"error":"invalid_grant","error_description":"refresh token revoked"}"#,
        );
        assert_eq!(err.error(), Some("invalid_grant"));
        assert_eq!(err.error_description(), Some("refresh token revoked"));
        assert_eq!(err.status(), Some(StatusCode::BAD_REQUEST));
        assert!(err.to_string().contains("invalid_grant"), "{err}");
        let err = parse_error(StatusCode::BAD_GATEWAY, b"<html>bad gateway</html>");
        assert_eq!(err.error(), None);
        assert_eq!(err.status(), Some(StatusCode::BAD_GATEWAY));
    }
}
