//! The `Host` header of a plain-http request, made once for an origin.
//!
//! hyper-util, under both transports, writes `Host` for each HTTP/1
//! request that has none: a `format!` of host and port, about 2,000
//! instructions a call. A transport whose connections to an `http` origin
//! are always HTTP/1.1 puts the header on the request itself, made once
//! for the first origin it sends to, and hyper-util leaves it alone. Not
//! over https: there ALPN may choose HTTP/2, which carries the authority
//! as `:authority` and no `Host`.

use std::sync::OnceLock;

use bytes::Bytes;
use http::header::{Entry, HOST, HeaderMap, HeaderValue};
use url::{Position, Url};

/// The `Host` of an `http` authority, as hyper-util writes it: the host
/// (an IPv6 address in brackets), then the port unless it is 80.
pub(super) fn host_value(host: &str, port: Option<u16>) -> Option<HeaderValue> {
    let value = match port {
        Some(port) if port != 80 => format!("{host}:{port}"),
        _ => host.to_owned(),
    };
    HeaderValue::from_maybe_shared(Bytes::from(value)).ok()
}

/// Puts `host` on `headers` unless they name their own.
pub(super) fn add(headers: &mut HeaderMap, host: HeaderValue) {
    if let Entry::Vacant(vacant) = headers.entry(HOST) {
        vacant.insert(host);
    }
}

/// The `Host` of the first plain-http origin a transport sends to.
#[derive(Debug, Default)]
pub(super) struct KnownHost(OnceLock<Known>);

#[derive(Debug)]
struct Known {
    /// The URL up to its path (`http://host:port`), as the `url` crate writes it.
    prefix: Box<str>,
    host: HeaderValue,
}

impl KnownHost {
    /// Puts the `Host` of `url` on `headers` if `url` is plain http to the
    /// known origin (the first such URL makes it known) and they have none.
    pub(super) fn add_to(&self, url: &Url, headers: &mut HeaderMap) {
        if url.scheme() != "http" || !url.username().is_empty() || url.password().is_some() {
            return;
        }
        let prefix = &url[..Position::BeforePath];
        if let Some(known) = self.0.get() {
            if *known.prefix == *prefix {
                add(headers, known.host.clone());
            }
            return;
        }
        if let Some(host) = url.host_str().and_then(|h| host_value(h, url.port())) {
            // Another thread may have made its origin known first: either is right.
            let _ = self.0.set(Known {
                prefix: prefix.into(),
                host,
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn host_of(first: &str, then: &str) -> Option<String> {
        let known = KnownHost::default();
        let mut headers = HeaderMap::new();
        known.add_to(&Url::parse(first).expect("url"), &mut headers);
        assert!(
            headers.is_empty(),
            "the first URL only makes its origin known"
        );
        known.add_to(&Url::parse(then).expect("url"), &mut headers);
        headers
            .get(HOST)
            .map(|h| h.to_str().expect("ascii").to_owned())
    }

    /// As hyper-util writes it, for the known origin only, over http only.
    #[test]
    fn the_known_plain_http_origin_gets_its_host() {
        let same = |url: &str| host_of(url, url);
        assert_eq!(same("http://api.test/a").as_deref(), Some("api.test"));
        assert_eq!(same("http://api.test:80/a").as_deref(), Some("api.test"));
        assert_eq!(
            same("http://api.test:8080/a").as_deref(),
            Some("api.test:8080")
        );
        assert_eq!(same("http://[::1]:8080/a").as_deref(), Some("[::1]:8080"));
        assert_eq!(same("http://127.0.0.1/a?q").as_deref(), Some("127.0.0.1"));
        assert_eq!(same("https://api.test/a"), None);
        assert_eq!(same("http://user:pw@api.test/a"), None);
        assert_eq!(host_of("http://api.test/a", "http://other.test/a"), None);
        assert_eq!(host_of("http://api.test/a", "http://api.test:81/a"), None);
        assert_eq!(
            host_of("http://api.test/a", "http://api.test/b").as_deref(),
            Some("api.test")
        );
    }

    /// A request that names its own `Host` keeps it.
    #[test]
    fn a_host_of_the_request_stays() {
        let known = KnownHost::default();
        let url = Url::parse("http://api.test/a").expect("url");
        known.add_to(&url, &mut HeaderMap::new());
        let mut headers = HeaderMap::new();
        headers.insert(HOST, HeaderValue::from_static("virtual.test"));
        known.add_to(&url, &mut headers);
        assert_eq!(headers[HOST], "virtual.test");
    }
}
