//! A string that never shows itself in `Debug` output.

use std::fmt;
use std::sync::Arc;

/// A credential (token, API key, password, client secret) that prints as
/// `Secret(<redacted>)` in `Debug` output and has no `Display`, so it cannot
/// end up in a log line or an error message by accident. Read it with
/// [`expose_secret`](Secret::expose_secret) where it must be sent.
///
/// Cloning is cheap (one `Arc`).
///
/// ```
/// use restrait::auth::Secret;
/// let key = Secret::new("sk_live_123");
/// assert_eq!(format!("{key:?}"), "Secret(<redacted>)");
/// assert_eq!(key.expose_secret(), "sk_live_123");
/// ```
#[derive(Clone)]
pub struct Secret(Arc<str>);

impl Secret {
    /// Wraps a secret value.
    pub fn new(value: impl Into<String>) -> Self {
        Secret(Arc::from(value.into()))
    }

    /// The secret itself, for the code that sends it.
    pub fn expose_secret(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

impl From<String> for Secret {
    fn from(value: String) -> Self {
        Secret::new(value)
    }
}

impl From<&str> for Secret {
    fn from(value: &str) -> Self {
        Secret::new(value)
    }
}

/// Standard base64 with padding (RFC 4648 section 4), as HTTP Basic
/// authentication uses.
pub(crate) fn base64(input: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(input)
}

/// The value of an `Authorization: Basic` header: base64 of `user:password`.
pub(crate) fn basic_value(user: &str, password: &str) -> String {
    format!("Basic {}", base64(format!("{user}:{password}").as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_matches_rfc_4648_vectors() {
        for (plain, encoded) in [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ] {
            assert_eq!(base64(plain.as_bytes()), encoded, "{plain}");
        }
        assert_eq!(base64(&[0xfb, 0xff, 0xbf]), "+/+/");
    }

    #[test]
    fn basic_value_matches_rfc_7617_example() {
        assert_eq!(
            basic_value("Aladdin", "open sesame"),
            "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ=="
        );
    }

    #[test]
    fn debug_is_redacted() {
        let s = Secret::from("hunter2");
        assert!(!format!("{s:?} {:?}", vec![s.clone()]).contains("hunter2"));
    }
}
