//! What a hop away from the client's origin loses: credential headers, the
//! headers of a dropped body, and query pairs added below the redirect
//! layer that the server echoed into a `Location`.

use http::header::{self, HeaderMap, HeaderName, HeaderValue};

/// True for a header that carries a credential: `Authorization`,
/// `Proxy-Authorization`, `Cookie`, any value marked sensitive
/// ([`HeaderValue::is_sensitive`], which every auth method sets), and any
/// name that says it holds a key, token, secret or password (e.g.
/// `X-Api-Key`), as redaction does.
pub(crate) fn is_credential(name: &HeaderName, value: &HeaderValue) -> bool {
    *name == header::AUTHORIZATION
        || *name == header::PROXY_AUTHORIZATION
        || *name == header::COOKIE
        || name.as_str() == "cookie2"
        || value.is_sensitive()
        || crate::redact::is_sensitive(name)
}

/// Removes every header that carries a credential (all values of its name).
pub(crate) fn strip_credentials(headers: &mut HeaderMap) {
    let names: Vec<HeaderName> = headers
        .iter()
        .filter(|(name, value)| is_credential(name, value))
        .map(|(name, _)| name.clone())
        .collect();
    for name in names {
        headers.remove(name);
    }
}

/// Removes the headers that describe a body, for a hop that drops it.
pub(super) fn remove_body_headers(headers: &mut HeaderMap) {
    for name in [
        header::CONTENT_TYPE,
        header::CONTENT_LENGTH,
        header::CONTENT_ENCODING,
        header::CONTENT_LANGUAGE,
        header::CONTENT_LOCATION,
        header::TRANSFER_ENCODING,
    ] {
        headers.remove(name);
    }
}

/// The `Location`'s query without the pairs that were added to the request
/// below the redirect layer (in `sent` but not in `before`): an API key in
/// the query that the server copied into a redirect. `None` when nothing is
/// taken out, so that the URL is followed byte for byte (signed URLs break
/// when re-encoded); otherwise the other pairs keep their encoding.
pub(super) fn without_added_pairs(
    location: Option<&str>,
    before: Option<&str>,
    sent: Option<&str>,
) -> Option<Option<String>> {
    let (location, sent) = (location?, sent?);
    let decode = |segment: &str| {
        form_urlencoded::parse(segment.as_bytes())
            .next()
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
    };
    let pairs = |query: Option<&str>| -> Vec<(String, String)> {
        query
            .map(|q| {
                form_urlencoded::parse(q.as_bytes())
                    .map(|(k, v)| (k.into_owned(), v.into_owned()))
                    .collect()
            })
            .unwrap_or_default()
    };
    let mut added = pairs(Some(sent));
    for pair in pairs(before) {
        if let Some(i) = added.iter().position(|p| *p == pair) {
            added.swap_remove(i);
        }
    }
    if added.is_empty() {
        return None;
    }
    let mut removed = false;
    let kept: Vec<&str> = location
        .split('&')
        .filter(|segment| {
            let Some(pair) = decode(segment) else {
                return true;
            };
            match added.iter().position(|p| *p == pair) {
                Some(i) => {
                    added.swap_remove(i);
                    removed = true;
                    false
                }
                None => true,
            }
        })
        .collect();
    if !removed {
        return None;
    }
    let kept = kept.join("&");
    Some((!kept.is_empty()).then_some(kept))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_are_stripped_and_the_rest_kept() {
        let mut headers = HeaderMap::new();
        let mut secret = HeaderValue::from_static("t-1");
        secret.set_sensitive(true);
        headers.insert("authorization", HeaderValue::from_static("Bearer sk"));
        headers.insert("proxy-authorization", HeaderValue::from_static("Basic x"));
        headers.insert("cookie", HeaderValue::from_static("session=s"));
        headers.append("x-api-key", HeaderValue::from_static("k1"));
        headers.append("x-api-key", HeaderValue::from_static("k2"));
        headers.insert("x-tenant", secret);
        headers.insert("accept", HeaderValue::from_static("application/json"));
        headers.insert("user-agent", HeaderValue::from_static("restrait"));
        strip_credentials(&mut headers);
        let mut left: Vec<&str> = headers.keys().map(HeaderName::as_str).collect();
        left.sort_unstable();
        assert_eq!(left, ["accept", "user-agent"]);
    }

    #[test]
    fn a_dropped_body_takes_its_headers_along() {
        let mut headers = HeaderMap::new();
        for name in [
            "content-type",
            "content-length",
            "content-encoding",
            "accept",
        ] {
            headers.insert(name, HeaderValue::from_static("x"));
        }
        remove_body_headers(&mut headers);
        let left: Vec<&str> = headers.keys().map(HeaderName::as_str).collect();
        assert_eq!(left, ["accept"]);
    }

    #[test]
    fn echoed_query_credentials_are_taken_out() {
        let sent = Some("page=2&api_key=k+1%2F2");
        let before = Some("page=2");
        // The server copied the whole query: the key goes, the rest stays.
        assert_eq!(
            without_added_pairs(Some("page=2&api_key=k+1%2F2"), before, sent),
            Some(Some("page=2".to_owned()))
        );
        // Encoded differently, still the same pair.
        assert_eq!(
            without_added_pairs(Some("api_key=k%201/2"), before, sent),
            Some(None)
        );
        // A signed URL of its own is followed byte for byte.
        let signed = Some("X-Amz-Signature=ab%2Bc&sig=x y");
        assert_eq!(without_added_pairs(signed, before, sent), None);
        // Nothing was added below: nothing to take out.
        assert_eq!(without_added_pairs(Some("page=2"), before, before), None);
        assert_eq!(without_added_pairs(None, before, sent), None);
        // A pair that was in the caller's own URL is not a credential of ours.
        assert_eq!(
            without_added_pairs(
                Some("api_key=mine"),
                Some("api_key=mine"),
                Some("api_key=mine&api_key=k")
            ),
            None
        );
    }
}
