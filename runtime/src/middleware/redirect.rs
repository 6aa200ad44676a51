//! Following redirects, and keeping credentials home while doing so.
//!
//! The redirect layer sits just inside tracing and above retry and auth
//! (tracing -> redirect -> retry -> auth -> yours -> transport), so each hop
//! is a request of its own: it is retried on its own, and auth sees it again
//! and adds credentials only when it goes to the client's own origin. The
//! transport never follows redirects itself: the `reqwest::Client` restrait
//! builds has `Policy::none()`, and [`SendGuard`], the innermost layer,
//! turns a redirect followed by a client handed in by the user into an
//! error. The guard also notes the query each hop was sent with, so that a
//! query pair added below (an API key in the query) is taken out of a
//! `Location` that echoes it.
//!
//! The decisions (is this a redirect to follow, with which method, which
//! headers go along) are plain functions, unit-tested below.

use std::collections::HashSet;
use std::hash::{BuildHasher, RandomState};
use std::sync::{Arc, Mutex, PoisonError};

use http::header::{self, HeaderMap, HeaderName, HeaderValue};
use http::{Method, StatusCode};
use url::Url;

use crate::error::{Error, RedirectError, RedirectErrorKind, Result};
use crate::middleware::{BoxFuture, Middleware, Next};
use crate::request::Request;
use crate::response::Response;

/// How many redirects a call follows by default; see
/// [`ClientBuilder::max_redirects`](crate::ClientBuilder::max_redirects).
pub const DEFAULT_MAX_REDIRECTS: u32 = 10;

/// Follows the redirects of a call, up to `max` hops.
pub(crate) struct RedirectMiddleware {
    max: u32,
}

impl RedirectMiddleware {
    pub(crate) fn new(max: u32) -> Self {
        RedirectMiddleware { max }
    }

    async fn run(&self, request: Request, next: Next<'_>) -> Result<Response> {
        let mut hops = 0;
        let result = self.follow(request, next, &mut hops).await;
        if hops > 0 {
            // On the call's span: tracing is the next layer out.
            tracing::Span::current().record("restrait.redirect_count", hops);
        }
        result
    }

    /// Sends `request`, then each redirect it leads to, counting the hops.
    async fn follow(&self, request: Request, next: Next<'_>, hops: &mut u32) -> Result<Response> {
        let base = next.client.base_url.origin();
        // Credentials the caller put on the request (default headers, call
        // options, a header of the method) were meant for where it first
        // went; they go along only while the call stays at the client's own
        // origin. Auth adds its own to every hop to that origin.
        let started_home = request.url.origin() == base;
        let mut seen = Seen::new(&request.method, &request.url);
        // What each hop is made from: the caller's request with the method,
        // URL and body of the hop, the caller's credentials still in it.
        let mut template = request;
        let probe = SentQuery::default();
        template.extensions.insert(probe.clone());
        loop {
            let body_replayable = replayable_body(&template);
            // A one-shot body goes with this hop; what is left to follow
            // with is the request without it.
            let mut sent = match template.try_clone() {
                Some(copy) => copy,
                None => {
                    let head = template.head_clone();
                    std::mem::replace(&mut template, head)
                }
            };
            if *hops > 0 && !(started_home && sent.url.origin() == base) {
                strip_credentials(&mut sent.headers);
                // For the guard: strip again what a middleware adds below.
                sent.extensions.insert(AwayHop);
            }
            let response = next.run(sent).await?;
            let sent_query = probe.take();
            let location = response.headers().get(header::LOCATION);
            let step = decide(&Hop {
                status: response.status(),
                method: &template.method,
                url: &template.url,
                location,
                body_replayable,
                hops: *hops,
                max: self.max,
            });
            let (mut url, method, keep_body) = match step {
                Step::Return => return Ok(response),
                Step::Refuse(kind) => {
                    return Err(refused(kind, &template, &response, location, *hops));
                }
                Step::Follow {
                    url,
                    method,
                    keep_body,
                } => (url, method, keep_body),
            };
            // Query pairs added below this layer (an API key auth put in the
            // query) that the server copied into the Location: whatever
            // added them runs again for the next hop and decides again, so
            // a key never goes to another origin, nor twice to its own.
            let before = template.url.query();
            if let Some(query) = without_added_pairs(url.query(), before, sent_query.as_deref()) {
                url.set_query(query.as_deref());
            }
            if !seen.insert(&method, &url) {
                let kind = RedirectErrorKind::Loop;
                return Err(refused(kind, &template, &response, location, *hops));
            }
            *hops = hops.saturating_add(1);
            tracing::debug!(
                http.response.status_code = response.status().as_u16(),
                redirect.hop = *hops,
                redirect.cross_origin = url.origin() != base,
                "following a redirect to {}",
                shown(&url),
            );
            // The redirect's own body is of no use: it was read within the
            // error-body limit and goes now.
            drop(response);
            template.url = url;
            template.method = method;
            if !keep_body {
                template.body = crate::Body::empty();
                remove_body_headers(&mut template.headers);
            }
        }
    }
}

impl Middleware for RedirectMiddleware {
    fn handle<'a>(&'a self, request: Request, next: Next<'a>) -> BoxFuture<'a, Result<Response>> {
        Box::pin(self.run(request, next))
    }
}

/// The innermost layer, just above the transport: strips credential headers
/// from a hop away from the client's origin once more (whatever middleware
/// below the redirect layer added), notes the query each hop was sent with
/// (for [`RedirectMiddleware`]), and turns a redirect that the
/// transport followed on its own (a `reqwest::Client` handed in with another
/// policy than `Policy::none()`) into [`Error::Redirect`], so that retry does
/// not send it again.
pub(crate) struct SendGuard;

impl Middleware for SendGuard {
    fn handle<'a>(
        &'a self,
        mut request: Request,
        next: Next<'a>,
    ) -> BoxFuture<'a, Result<Response>> {
        if request.extensions.get::<AwayHop>().is_some() {
            // A header a middleware of yours added for the base origin (a
            // hand-made auth, say) does not go elsewhere either.
            strip_credentials(&mut request.headers);
        }
        if let Some(probe) = request.extensions.get::<SentQuery>() {
            probe.set(request.url.query());
        }
        let call = request.call_info();
        Box::pin(async move {
            match next.run(request).await {
                Err(Error::Transport(e)) => {
                    match crate::transport::followed_redirect(&e).map(str::to_owned) {
                        Some(location) => Err(Error::Redirect(Box::new(RedirectError {
                            kind: RedirectErrorKind::FollowedByTransport,
                            call,
                            status: None,
                            hops: 0,
                            location: Some(location),
                        }))),
                        None => Err(Error::Transport(e)),
                    }
                }
                other => other,
            }
        })
    }
}

/// Marks a redirect hop that leaves the client's origin, for [`SendGuard`].
#[derive(Clone, Copy)]
struct AwayHop;

/// Where [`SendGuard`] leaves the query of the last attempt of a hop, as it
/// went out (auth's pairs included).
#[derive(Clone, Default)]
struct SentQuery(Arc<Mutex<Option<String>>>);

impl SentQuery {
    fn set(&self, query: Option<&str>) {
        let mut slot = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        *slot = query.map(str::to_owned);
    }

    fn take(&self) -> Option<String> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner).take()
    }
}

/// The `Location`'s query without the pairs that were added to the request
/// below the redirect layer (in `sent` but not in `before`): an API key in
/// the query that the server copied into a redirect. `None` when nothing is
/// taken out, so that the URL is followed byte for byte (signed URLs break
/// when re-encoded); otherwise the other pairs keep their encoding.
fn without_added_pairs(
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

/// A response of one hop, as [`decide`] needs it.
#[derive(Debug)]
struct Hop<'a> {
    status: StatusCode,
    method: &'a Method,
    url: &'a Url,
    location: Option<&'a HeaderValue>,
    body_replayable: bool,
    /// Redirects followed so far.
    hops: u32,
    max: u32,
}

/// What to do after a response.
#[derive(Debug, PartialEq, Eq)]
enum Step {
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
fn decide(hop: &Hop<'_>) -> Step {
    let Some((method, keep_body)) = next_method(hop.status, hop.method) else {
        return Step::Return;
    };
    let Some(location) = hop.location else {
        return Step::Return;
    };
    let Some(url) = resolve(hop.url, location) else {
        return Step::Refuse(RedirectErrorKind::InvalidLocation);
    };
    if is_downgrade(hop.url, &url) {
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

/// The one place that says whether a request's body can be sent again on a
/// 307 or 308: bytes, a file and a form of such parts can; a one-shot
/// stream cannot, so its 307 or 308 goes back to the caller as it is.
fn replayable_body(request: &Request) -> bool {
    request.body.is_replayable()
}

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
fn strip_credentials(headers: &mut HeaderMap) {
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
fn remove_body_headers(headers: &mut HeaderMap) {
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

/// The requests (method and URL) a call has sent, as hashes: a bounded
/// record whatever the server's URLs look like.
struct Seen {
    hasher: RandomState,
    hashes: HashSet<u64>,
}

impl Seen {
    fn new(method: &Method, url: &Url) -> Self {
        let mut seen = Seen {
            hasher: RandomState::new(),
            hashes: HashSet::new(),
        };
        seen.insert(method, url);
        seen
    }

    /// Records a request; false if the call sent it before.
    fn insert(&mut self, method: &Method, url: &Url) -> bool {
        let mut target = url.clone();
        target.set_fragment(None);
        let hash = self.hasher.hash_one((method.as_str(), target.as_str()));
        self.hashes.insert(hash)
    }
}

/// A URL for messages and logs: no userinfo, query or fragment.
fn shown(url: &Url) -> String {
    crate::redact::redacted_raw_url(url.as_str())
}

fn refused(
    kind: RedirectErrorKind,
    request: &Request,
    response: &Response,
    location: Option<&HeaderValue>,
    hops: u32,
) -> Error {
    let location = location.map(|value| {
        let text = String::from_utf8_lossy(value.as_bytes());
        match request.url.join(text.trim()) {
            Ok(url) => shown(&url),
            Err(_) => crate::redact::redacted_raw_url(&text),
        }
    });
    Error::Redirect(Box::new(RedirectError {
        kind,
        call: request.call_info(),
        status: Some(response.status()),
        hops,
        location,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(s: &str) -> Url {
        Url::parse(s).expect("url")
    }

    fn hop<'a>(
        status: u16,
        method: &'a Method,
        from: &'a Url,
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
        let from = url("https://api.example.com/a");
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

    #[test]
    fn seen_catches_a_repeat_of_method_and_url() {
        let a = url("https://h/a?x=1");
        let mut seen = Seen::new(&Method::POST, &a);
        assert!(seen.insert(&Method::GET, &a), "POST then GET is no loop");
        assert!(!seen.insert(&Method::GET, &url("https://h/a?x=1#frag")));
        assert!(seen.insert(&Method::GET, &url("https://h/a?x=2")));
        assert!(!seen.insert(&Method::POST, &a));
    }

    #[test]
    fn messages_leave_out_the_query() {
        let request = Request::new(Method::GET, url("https://api.example.com/a?api_key=k1"));
        let response = Response::new(
            StatusCode::FOUND,
            HeaderMap::new(),
            crate::ResponseBody::empty(),
        );
        let to = HeaderValue::from_static("http://user:pw@cdn.example.net/b?sig=s3cret#f");
        let e = refused(
            RedirectErrorKind::Downgrade,
            &request,
            &response,
            Some(&to),
            2,
        );
        let text = e.to_string();
        assert_eq!(
            text,
            "GET /a: redirect from https to http refused: 302 to \
             http://<redacted>@cdn.example.net/b after 2 redirects"
        );
        assert!(!format!("{e:?}").contains("s3cret"));
        let bad = HeaderValue::from_static("gopher://h/x?token=s3cret");
        let e = refused(
            RedirectErrorKind::InvalidLocation,
            &request,
            &response,
            Some(&bad),
            0,
        );
        assert!(!e.to_string().contains("s3cret"), "{e}");
    }
}
