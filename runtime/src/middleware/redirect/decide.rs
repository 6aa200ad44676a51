//! The decisions of the redirect layer: is a response a redirect to follow,
//! where to, and with which method. Plain functions, unit-tested here.

use http::header::HeaderValue;
use http::{Method, StatusCode};
use url::Url;

use crate::error::RedirectErrorKind;
use crate::request::Target;

/// A response of one hop, as [`decide`] needs it.
#[derive(Debug)]
pub(super) struct Hop<'a> {
    pub(super) status: StatusCode,
    pub(super) method: &'a Method,
    /// Parsed only if the response is a redirect to follow.
    pub(super) url: &'a Target,
    pub(super) location: Option<&'a HeaderValue>,
    pub(super) body_replayable: bool,
    /// Redirects followed so far.
    pub(super) hops: u32,
    pub(super) max: u32,
}

/// What to do after a response.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum Step {
    /// Not a redirect to follow: the response goes back to the caller.
    Return,
    /// Send the next hop.
    Follow {
        url: Url,
        method: Method,
        keep_body: bool,
    },
    /// A redirect that must not be followed.
    Refuse(RedirectErrorKind),
}

/// Whether and where to follow a response (loops are caught by [`Seen`]).
///
/// A 3xx without a `Location` (or a 300, 304, 305 or 306) is not a redirect
/// to follow: it goes back as it is. A `Location` that is not an `http(s)`
/// URL, a downgrade from `https` to `http` and a hop past `max` are refused.
/// A 307 or 308 whose body cannot be sent again goes back as it is.
pub(super) fn decide(hop: &Hop<'_>) -> Step {
    let Some((method, keep_body)) = next_method(hop.status, hop.method) else {
        return Step::Return;
    };
    let Some(location) = hop.location else {
        return Step::Return;
    };
    let from = hop.url.url();
    let Some(url) = resolve(from, location) else {
        return Step::Refuse(RedirectErrorKind::InvalidLocation);
    };
    if is_downgrade(from, &url) {
        return Step::Refuse(RedirectErrorKind::Downgrade);
    }
    if hop.hops >= hop.max {
        return Step::Refuse(RedirectErrorKind::TooMany);
    }
    if keep_body && !hop.body_replayable {
        return Step::Return;
    }
    Step::Follow {
        url,
        method,
        keep_body,
    }
}

/// The method of the request that follows a redirect with `status`, and
/// whether it keeps the body; `None` when `status` is not a redirect to
/// follow.
///
/// RFC 9110 section 15.4: after a 301 or 302 a POST becomes a GET (what
/// every user agent does); after a 303 every method but HEAD becomes a GET;
/// 307 and 308 keep the method and the body. A request that becomes a GET
/// loses its body.
fn next_method(status: StatusCode, method: &Method) -> Option<(Method, bool)> {
    match status {
        StatusCode::MOVED_PERMANENTLY | StatusCode::FOUND if *method == Method::POST => {
            Some((Method::GET, false))
        }
        StatusCode::MOVED_PERMANENTLY | StatusCode::FOUND => Some((method.clone(), true)),
        StatusCode::SEE_OTHER if *method == Method::HEAD => Some((Method::HEAD, false)),
        StatusCode::SEE_OTHER => Some((Method::GET, false)),
        StatusCode::TEMPORARY_REDIRECT | StatusCode::PERMANENT_REDIRECT => {
            Some((method.clone(), true))
        }
        _ => None,
    }
}

/// The `Location` resolved against the URL that answered with it, if it is
/// an `http` or `https` URL. Its fragment is kept only if it has one (RFC
/// 9110 section 10.2.2 would inherit the old one, but fragments are never
/// sent).
fn resolve(current: &Url, location: &HeaderValue) -> Option<Url> {
    let text = std::str::from_utf8(location.as_bytes()).ok()?;
    let url = current.join(text.trim()).ok()?;
    match url.scheme() {
        "http" | "https" if url.has_host() => Some(url),
        _ => None,
    }
}

/// True for a hop from `https` to plain `http`.
fn is_downgrade(from: &Url, to: &Url) -> bool {
    from.scheme() == "https" && to.scheme() == "http"
}

#[cfg(test)]
mod tests {
    use super::super::DEFAULT_MAX_REDIRECTS;
    use super::*;

    fn url(s: &str) -> Url {
        Url::parse(s).expect("url")
    }

    fn hop<'a>(
        status: u16,
        method: &'a Method,
        from: &'a Target,
        to: Option<&'a HeaderValue>,
    ) -> Hop<'a> {
        Hop {
            status: StatusCode::from_u16(status).expect("status"),
            method,
            url: from,
            location: to,
            body_replayable: true,
            hops: 0,
            max: DEFAULT_MAX_REDIRECTS,
        }
    }

    #[test]
    fn methods_after_each_redirect() {
        let get = (Method::GET, true);
        let cases = [
            (301, Method::POST, Some((Method::GET, false))),
            (302, Method::POST, Some((Method::GET, false))),
            (301, Method::GET, Some(get.clone())),
            (302, Method::PUT, Some((Method::PUT, true))),
            (302, Method::DELETE, Some((Method::DELETE, true))),
            (303, Method::POST, Some((Method::GET, false))),
            (303, Method::PUT, Some((Method::GET, false))),
            (303, Method::GET, Some((Method::GET, false))),
            (303, Method::HEAD, Some((Method::HEAD, false))),
            (307, Method::POST, Some((Method::POST, true))),
            (308, Method::PATCH, Some((Method::PATCH, true))),
            (300, Method::GET, None),
            (304, Method::GET, None),
            (305, Method::GET, None),
            (306, Method::GET, None),
            (200, Method::GET, None),
            (404, Method::GET, None),
        ];
        for (status, method, want) in cases {
            let status = StatusCode::from_u16(status).expect("status");
            assert_eq!(next_method(status, &method), want, "{status} {method}");
        }
    }

    #[test]
    fn locations_resolve_against_the_current_url() {
        let from = url("https://api.example.com/v1/files/7?api_key=k");
        let cases = [
            ("/v2/x", Some("https://api.example.com/v2/x")),
            ("other", Some("https://api.example.com/v1/files/other")),
            ("../y?a=1", Some("https://api.example.com/v1/y?a=1")),
            ("//cdn.example.net/a", Some("https://cdn.example.net/a")),
            (
                "https://cdn.example.net/a?sig=s",
                Some("https://cdn.example.net/a?sig=s"),
            ),
            (" /padded ", Some("https://api.example.com/padded")),
            ("ftp://example.com/f", None),
            ("javascript:alert(1)", None),
            ("data:text/plain,hi", None),
            ("http://[::1", None),
        ];
        for (location, want) in cases {
            let value = HeaderValue::from_str(location).expect("value");
            let got = resolve(&from, &value);
            assert_eq!(got.as_ref().map(Url::as_str), want, "{location}");
        }
        let not_utf8 = HeaderValue::from_bytes(b"/caf\xe9").expect("value");
        assert_eq!(resolve(&from, &not_utf8), None);
    }

    #[test]
    fn downgrades_are_https_to_http_only() {
        let s = url("https://a.example/");
        let p = url("http://a.example/");
        assert!(is_downgrade(&s, &p));
        assert!(!is_downgrade(&p, &s));
        assert!(!is_downgrade(&s, &s));
        assert!(!is_downgrade(&p, &p));
    }

    #[test]
    fn decisions() {
        let from = Target::Parsed(url("https://api.example.com/a"));
        let post = Method::POST;
        let to = HeaderValue::from_static("https://cdn.example.net/b");
        let down = HeaderValue::from_static("http://api.example.com/a");
        let bad = HeaderValue::from_static("mailto:x@y");

        assert_eq!(decide(&hop(302, &post, &from, None)), Step::Return);
        assert_eq!(decide(&hop(200, &post, &from, Some(&to))), Step::Return);
        assert_eq!(
            decide(&hop(303, &post, &from, Some(&to))),
            Step::Follow {
                url: url("https://cdn.example.net/b"),
                method: Method::GET,
                keep_body: false
            }
        );
        assert_eq!(
            decide(&hop(302, &post, &from, Some(&down))),
            Step::Refuse(RedirectErrorKind::Downgrade)
        );
        assert_eq!(
            decide(&hop(302, &post, &from, Some(&bad))),
            Step::Refuse(RedirectErrorKind::InvalidLocation)
        );
        let too_many = Hop {
            hops: 10,
            ..hop(307, &post, &from, Some(&to))
        };
        assert_eq!(decide(&too_many), Step::Refuse(RedirectErrorKind::TooMany));
        let one_shot = Hop {
            body_replayable: false,
            ..hop(307, &post, &from, Some(&to))
        };
        assert_eq!(decide(&one_shot), Step::Return);
        // A body that is dropped anyway does not need to be replayable.
        let one_shot_303 = Hop {
            body_replayable: false,
            ..hop(303, &post, &from, Some(&to))
        };
        assert!(matches!(decide(&one_shot_303), Step::Follow { .. }));
    }
}
