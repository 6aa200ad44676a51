//! A request's URL as the URI hyper sends: without the fragment, and
//! without userinfo (restrait puts credentials in headers).
//!
//! Almost every request of a client goes to one origin, its base URL. The
//! scheme and authority of the first origin a transport sends to are kept,
//! parsed once. A request a resource method built goes as the text it was
//! built as (see [`Target`]), never parsed into a `Url`; any other has its
//! path and query taken from its URL, and its origin parsed unless it is
//! the kept one.

use std::sync::OnceLock;

use bytes::Bytes;
use http::HeaderValue;
use http::uri::{Authority, PathAndQuery, Scheme};
use url::{Position, Url};

use crate::error::{TransportError, TransportErrorKind};
use crate::request::Target;
use crate::transport::host::host_value;

/// The parsed scheme and authority of the first origin sent to.
#[derive(Default)]
pub(super) struct Origins(OnceLock<Origin>);

struct Origin {
    /// The URL up to its path (`https://host:port`), as the `url` crate
    /// writes it: what a request's URL is compared with.
    prefix: Box<str>,
    scheme: Scheme,
    authority: Authority,
    /// The `Host` header of a plain-http origin, made once (see [`Sendable`]).
    host: Option<HeaderValue>,
}

/// A request's URI, and the `Host` header it goes with when that is known
/// in advance: for the kept origin, if its scheme is `http` (see
/// [`crate::transport::host`]).
pub(super) struct Sendable {
    pub(super) uri: http::Uri,
    pub(super) host: Option<HeaderValue>,
}

impl Origins {
    /// The URI of `target`: text built on a base URL goes as it is after
    /// the base's origin; a parsed URL has its path and query taken, and
    /// its origin parsed unless it is the kept one.
    pub(super) fn to_uri(&self, target: Target) -> Result<Sendable, TransportError> {
        let origin = match target.text() {
            Some((base, _)) if no_userinfo(base) => {
                Some(self.origin(&base[..Position::BeforePath])?)
            }
            _ => None,
        };
        let url = match origin {
            Some(origin) => match target.into_text() {
                // The text moves into the URI: no copy, no parse but hyper's check.
                Ok(tail) => {
                    let path = PathAndQuery::from_maybe_shared(Bytes::from(tail));
                    return assemble(origin, path.map_err(unsendable)?);
                }
                Err(url) => url,
            },
            None => target.into_url(),
        };
        if no_userinfo(&url) {
            let origin = self.origin(&url[..Position::BeforePath])?;
            let path = PathAndQuery::try_from(&url[Position::BeforePath..Position::AfterQuery]);
            return assemble(origin, path.map_err(unsendable)?);
        }
        // Userinfo is left out: parsed whole, as the rare case it is.
        let bare = [
            &url[..Position::BeforeUsername],
            &url[Position::BeforeHost..Position::AfterQuery],
        ]
        .concat();
        let uri = http::Uri::try_from(bare).map_err(unsendable)?;
        Ok(Sendable { uri, host: None })
    }

    /// The scheme and authority of `prefix` (a URL up to its path), and
    /// its `Host` if it is the kept origin (see [`Sendable`]): the kept
    /// ones, else parsed (and kept, if no origin is yet).
    fn origin(&self, prefix: &str) -> Result<Parsed, TransportError> {
        if let Some(origin) = self.0.get()
            && *origin.prefix == *prefix
        {
            return Ok((
                origin.scheme.clone(),
                origin.authority.clone(),
                origin.host.clone(),
            ));
        }
        let uri = http::Uri::try_from(prefix).map_err(unsendable)?;
        let (Some(scheme), Some(authority)) = (uri.scheme(), uri.authority()) else {
            return Err(unsendable_text(format!("{prefix} has no scheme and host")));
        };
        if self.0.get().is_none() {
            // Another thread may have kept its origin first: either is right.
            let _ = self.0.set(Origin {
                prefix: prefix.into(),
                scheme: scheme.clone(),
                authority: authority.clone(),
                host: (*scheme == Scheme::HTTP)
                    .then(|| host_value(authority.host(), authority.port_u16()))
                    .flatten(),
            });
        }
        Ok((scheme.clone(), authority.clone(), None))
    }
}

/// A scheme, an authority, and the `Host` that goes with them if known.
type Parsed = (Scheme, Authority, Option<HeaderValue>);

fn assemble(
    (scheme, authority, host): Parsed,
    path: PathAndQuery,
) -> Result<Sendable, TransportError> {
    let mut parts = http::uri::Parts::default();
    parts.scheme = Some(scheme);
    parts.authority = Some(authority);
    parts.path_and_query = Some(path);
    let uri = http::Uri::from_parts(parts).map_err(unsendable)?;
    Ok(Sendable { uri, host })
}

fn no_userinfo(url: &Url) -> bool {
    url.username().is_empty() && url.password().is_none()
}

fn unsendable_text(message: String) -> TransportError {
    TransportError::new(
        TransportErrorKind::Connect,
        format!("the URL cannot be sent: {message}"),
        None,
    )
}

fn unsendable(e: impl std::error::Error + Send + Sync + 'static) -> TransportError {
    TransportError::new(
        TransportErrorKind::Connect,
        format!("the URL cannot be sent: {e}"),
        Some(Box::new(e)),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn u(s: &str) -> Url {
        Url::parse(s).expect("url")
    }

    #[test]
    fn the_uri_drops_fragment_and_userinfo() {
        let origins = Origins::default();
        let uri = origins
            .to_uri(Target::Parsed(u("https://h:8443/a/b?x=1&y=%20#frag")))
            .expect("uri")
            .uri;
        assert_eq!(uri.to_string(), "https://h:8443/a/b?x=1&y=%20");
        let uri = origins
            .to_uri(Target::Parsed(u("http://user:pw@h/p?q")))
            .expect("uri")
            .uri;
        assert_eq!(uri.to_string(), "http://h/p?q");
        let base = std::sync::Arc::new(u("http://user:pw@h/v1"));
        let text = Target::built(base, "/v1/p?q".into(), Some(6));
        assert_eq!(
            origins.to_uri(text).expect("uri").uri.to_string(),
            "http://h/v1/p?q"
        );
    }

    /// The kept origin serves only URLs of that origin: another scheme,
    /// host or port is parsed whole, and each URI is the URL's own.
    #[test]
    fn the_kept_origin_serves_only_its_own_urls() {
        let origins = Origins::default();
        let urls = [
            "https://api.test:8443/first?a=1",
            "https://api.test:8443/second",
            "https://api.test:8443/",
            "http://api.test:8443/plain",
            "https://api.test/default-port",
            "https://other.test:8443/x?y#z",
            "https://[::1]:8443/v6",
            "https://api.test:8443/last?q=%20#frag",
        ];
        for url in urls {
            let uri = origins.to_uri(Target::Parsed(u(url))).expect("uri").uri;
            let expected = url.split('#').next().unwrap_or(url);
            assert_eq!(uri.to_string(), expected, "{url}");
        }
        // Text built on a base URL goes as it is, after the base's origin.
        let base = std::sync::Arc::new(u("https://api.test:8443/v1"));
        let text = Target::built(base, "/v1/users/42?a=b".into(), Some(13));
        let uri = origins.to_uri(text).expect("uri").uri;
        assert_eq!(uri.to_string(), "https://api.test:8443/v1/users/42?a=b");
        let kept = origins.0.get().expect("an origin is kept");
        assert_eq!(&*kept.prefix, "https://api.test:8443");
    }

    /// The kept origin's `Host` goes with its plain-http requests; an https
    /// origin's is left to hyper-util, and so is another origin's.
    #[test]
    fn a_plain_http_origin_knows_its_host() {
        let host = |url: &str| {
            let origins = Origins::default();
            let first = origins.to_uri(Target::Parsed(u(url))).expect("uri");
            assert!(first.host.is_none(), "the first request parses the origin");
            let other = origins.to_uri(Target::Parsed(u("http://other.test/x")));
            assert!(other.expect("uri").host.is_none());
            let again = origins.to_uri(Target::Parsed(u(url))).expect("uri");
            again.host.map(|h| h.to_str().expect("ascii").to_owned())
        };
        assert_eq!(host("http://[::1]:8080/a").as_deref(), Some("[::1]:8080"));
        assert_eq!(host("http://api.test:80/a").as_deref(), Some("api.test"));
        assert_eq!(host("https://api.test/a"), None);
    }

    /// Every character that the text of a built request may hold goes on
    /// the wire as it is: hyper takes each one, in the path and in the
    /// query, so no request that the url crate would send fails here.
    #[test]
    fn every_character_kept_as_text_is_sent_as_it_is() {
        let origins = Origins::default();
        let base = std::sync::Arc::new(u("https://api.test"));
        let mut seen = 0;
        for c in (0x20u8..0x7f).map(char::from) {
            for (path, query) in [
                (format!("/a{c}b"), String::new()),
                ("/p".into(), format!("x{c}y")),
            ] {
                if !crate::request::sends_as_is(&path, &query) {
                    continue;
                }
                seen += 1;
                let (tail, at) = match query.as_str() {
                    "" => (path.clone(), None),
                    q => (format!("{path}?{q}"), Some(path.len() + 1)),
                };
                let text = Target::built(std::sync::Arc::clone(&base), tail.clone(), at);
                let uri = origins.to_uri(text).expect("sent").uri;
                assert_eq!(
                    uri.path_and_query().map(|p| p.as_str()),
                    Some(tail.as_str())
                );
            }
        }
        // Letters, digits and the punctuation each part keeps.
        assert!(seen > 120, "{seen}");
    }
}
