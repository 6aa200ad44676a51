//! A request's URL as the URI hyper sends: without the fragment, and
//! without userinfo (restrait puts credentials in headers).
//!
//! Almost every request of a client goes to one origin, its base URL. The
//! scheme and authority of the first origin a transport sends to are kept,
//! parsed once; a later request there has only its path and query parsed.
//! A request elsewhere is parsed whole.

use std::sync::OnceLock;

use http::uri::{Authority, PathAndQuery, Scheme};
use url::{Position, Url};

use crate::error::{TransportError, TransportErrorKind};

/// The parsed scheme and authority of the first origin sent to.
#[derive(Default)]
pub(super) struct Origins(OnceLock<Origin>);

struct Origin {
    /// The URL up to its path (`https://host:port`), as the `url` crate
    /// writes it: what a request's URL is compared with.
    prefix: Box<str>,
    scheme: Scheme,
    authority: Authority,
}

impl Origins {
    /// The URI of `url`.
    pub(super) fn to_uri(&self, url: &Url) -> Result<http::Uri, TransportError> {
        if !url.username().is_empty() || url.password().is_some() {
            // Userinfo is left out: parsed whole, as the rare case it is.
            let bare = [
                &url[..Position::BeforeUsername],
                &url[Position::BeforeHost..Position::AfterQuery],
            ]
            .concat();
            return http::Uri::try_from(bare).map_err(unsendable);
        }
        let prefix = &url[..Position::BeforePath];
        if let Some(origin) = self.0.get()
            && *origin.prefix == *prefix
        {
            let path = PathAndQuery::try_from(&url[Position::BeforePath..Position::AfterQuery])
                .map_err(unsendable)?;
            let mut parts = http::uri::Parts::default();
            parts.scheme = Some(origin.scheme.clone());
            parts.authority = Some(origin.authority.clone());
            parts.path_and_query = Some(path);
            return http::Uri::from_parts(parts).map_err(unsendable);
        }
        let uri = http::Uri::try_from(&url[..Position::AfterQuery]).map_err(unsendable)?;
        if self.0.get().is_none()
            && let (Some(scheme), Some(authority)) = (uri.scheme(), uri.authority())
        {
            // Another thread may have kept its origin first: either is right.
            let _ = self.0.set(Origin {
                prefix: prefix.into(),
                scheme: scheme.clone(),
                authority: authority.clone(),
            });
        }
        Ok(uri)
    }
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
            .to_uri(&u("https://h:8443/a/b?x=1&y=%20#frag"))
            .expect("uri");
        assert_eq!(uri.to_string(), "https://h:8443/a/b?x=1&y=%20");
        let uri = origins.to_uri(&u("http://user:pw@h/p?q")).expect("uri");
        assert_eq!(uri.to_string(), "http://h/p?q");
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
            let uri = origins.to_uri(&u(url)).expect("uri");
            let expected = url.split('#').next().unwrap_or(url);
            assert_eq!(uri.to_string(), expected, "{url}");
        }
        let kept = origins.0.get().expect("an origin is kept");
        assert_eq!(&*kept.prefix, "https://api.test:8443");
    }
}
