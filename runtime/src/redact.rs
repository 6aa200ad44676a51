//! Keeping secrets out of `Debug` output, logs and error messages.

use std::fmt;

use http::{HeaderMap, HeaderName};

/// Shown in place of a secret.
pub(crate) const REDACTED: &str = "<redacted>";

/// True for headers whose values are credentials: `Authorization`,
/// `Proxy-Authorization`, cookies, and any header whose name mentions a key,
/// token, secret, password or signature (e.g. `X-Api-Key`).
pub(crate) fn is_sensitive(name: &HeaderName) -> bool {
    const NAMED: [&str; 4] = [
        "authorization",
        "proxy-authorization",
        "cookie",
        "set-cookie",
    ];
    let name = name.as_str();
    NAMED.contains(&name) || names_a_secret(name)
}

/// True for a header or query-parameter name that mentions a key, token,
/// secret, password, signature, session or auth (e.g. `X-Api-Key`,
/// `access_token`); `name` must be lowercase.
fn names_a_secret(name: &str) -> bool {
    const PARTS: [&str; 7] = [
        "key",
        "token",
        "secret",
        "password",
        "signature",
        "session",
        "auth",
    ];
    PARTS.iter().any(|p| name.contains(p))
}

/// Formats a header map with the values of sensitive headers replaced:
/// those [`is_sensitive`] names, and every value marked
/// [sensitive](http::HeaderValue::is_sensitive) (as all credentials that an
/// auth adds are, whatever the header's name).
pub(crate) struct RedactedHeaders<'a>(pub(crate) &'a HeaderMap);

impl fmt::Debug for RedactedHeaders<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut map = f.debug_map();
        for (name, value) in self.0 {
            if value.is_sensitive() || is_sensitive(name) {
                map.entry(&name.as_str(), &REDACTED);
            } else {
                map.entry(&name.as_str(), &String::from_utf8_lossy(value.as_bytes()));
            }
        }
        map.finish()
    }
}

/// The start of a body, as text, for messages: at most [`EXCERPT_CHARS`]
/// characters, invalid UTF-8 replaced.
pub(crate) struct Excerpt<'a>(pub(crate) &'a [u8]);

/// How much of a body an excerpt shows.
pub(crate) const EXCERPT_CHARS: usize = 200;

impl Excerpt<'_> {
    pub(crate) fn to_text(&self) -> String {
        let text = String::from_utf8_lossy(self.0);
        let mut out: String = text.chars().take(EXCERPT_CHARS).collect();
        if text.chars().nth(EXCERPT_CHARS).is_some() {
            out.push('…');
        }
        out
    }
}

impl fmt::Debug for Excerpt<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.to_text(), f)
    }
}

/// The names of query parameters that hold a secret whatever they are
/// called (an API key in the query under a name of the user's choosing),
/// kept in a request's extensions by the auth that added them.
#[derive(Debug, Clone, Default)]
pub(crate) struct SecretQuery(pub(crate) Vec<String>);

/// The URL with its password and the values of sensitive query parameters
/// (`api_key`, `access_token`, ...) replaced, for messages and logs.
pub(crate) fn redacted_url(url: &url::Url) -> String {
    redacted_url_with(url, &[])
}

/// [`redacted_url`], also replacing the values of the query parameters
/// named in `secret`.
pub(crate) fn redacted_url_with(url: &url::Url, secret: &[String]) -> String {
    let mut shown = url.clone();
    if shown.password().is_some() {
        let _ = shown.set_password(Some(REDACTED));
    }
    if let Some(query) = url.query() {
        let mut out = form_urlencoded::Serializer::new(String::new());
        for (key, value) in form_urlencoded::parse(query.as_bytes()) {
            let hidden =
                secret.iter().any(|s| *s == key) || names_a_secret(&key.to_ascii_lowercase());
            out.append_pair(&key, if hidden { REDACTED } else { &value });
        }
        shown.set_query(Some(&out.finish()));
    }
    shown.to_string()
}

/// Text that was meant to be a URL but does not parse, for messages: what
/// looks like userinfo (`user:password@`) is replaced, and a query or
/// fragment is left out, since either may hold a credential.
pub(crate) fn redacted_raw_url(text: &str) -> String {
    let text = match text.find(['?', '#']) {
        Some(end) => &text[..end],
        None => text,
    };
    let start = text.find("://").map_or(0, |i| i + 3);
    let authority_end = text[start..].find('/').map_or(text.len(), |i| start + i);
    match text[start..authority_end].rfind('@') {
        Some(at) => format!("{}{REDACTED}@{}", &text[..start], &text[start + at + 1..]),
        None => text.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sensitive_headers_are_hidden() {
        let mut h = HeaderMap::new();
        h.insert("authorization", "Bearer sk_live_1".parse().expect("value"));
        h.insert("x-api-key", "k123".parse().expect("value"));
        h.insert("content-type", "application/json".parse().expect("value"));
        let shown = format!("{:?}", RedactedHeaders(&h));
        assert!(
            !shown.contains("sk_live_1") && !shown.contains("k123"),
            "{shown}"
        );
        assert!(shown.contains("application/json"));
    }

    #[test]
    fn values_marked_sensitive_are_hidden_whatever_the_name() {
        let mut h = HeaderMap::new();
        let mut value = http::HeaderValue::from_static("k_custom_1");
        value.set_sensitive(true);
        h.insert("x-client", value);
        h.insert("x-plain", "shown".parse().expect("value"));
        let shown = format!("{:?}", RedactedHeaders(&h));
        assert!(!shown.contains("k_custom_1"), "{shown}");
        assert!(shown.contains("shown"), "{shown}");
    }

    #[test]
    fn secret_query_names_are_hidden() {
        let url =
            url::Url::parse("https://h/p?appid=k_1&page=2&api_key=k_2&appid=k_3").expect("url");
        let shown = redacted_url_with(&url, &["appid".to_owned()]);
        assert_eq!(
            shown,
            "https://h/p?appid=%3Credacted%3E&page=2&api_key=%3Credacted%3E&appid=%3Credacted%3E"
        );
        assert!(redacted_url(&url).contains("k_1"), "only named ones");
    }

    #[test]
    fn raw_urls_lose_userinfo_query_and_fragment() {
        let cases = [
            ("https://u:pw@bad host/v1", "https://<redacted>@bad host/v1"),
            ("u:pw@host", "<redacted>@host"),
            ("https://a@b:pw@h/x@y", "https://<redacted>@h/x@y"),
            ("https://h/p?api_key=pw", "https://h/p"),
            ("https://h/p#pw", "https://h/p"),
            ("https://h@", "https://<redacted>@"),
            ("", ""),
        ];
        for (raw, want) in cases {
            assert_eq!(redacted_raw_url(raw), want, "{raw}");
        }
    }

    #[test]
    fn excerpt_is_bounded_and_lossy() {
        let long = vec![b'a'; 1000];
        assert_eq!(Excerpt(&long).to_text().chars().count(), EXCERPT_CHARS + 1);
        assert_eq!(Excerpt(b"\xff ok").to_text(), "\u{fffd} ok");
    }
}
