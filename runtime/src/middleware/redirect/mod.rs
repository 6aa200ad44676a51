//! Following redirects, and keeping credentials home while doing so.
//!
//! The redirect layer sits just inside tracing and above retry and auth
//! (tracing -> redirect -> retry -> auth -> yours -> transport), so each hop
//! is a request of its own: it is retried on its own, and auth sees it again
//! and adds credentials only when it goes to the client's own origin. The
//! transport never follows redirects itself: the `reqwest::Client` restrait
//! builds has `Policy::none()`, and [`guarded_send`], at the bottom of the
//! chain, turns a redirect followed by a client handed in by the user into
//! an error. The guard also notes the query each hop was sent with, so that
//! a query pair added below (an API key in the query) is taken out of a
//! `Location` that echoes it.
//!
//! The decisions (is this a redirect to follow, with which method, which
//! headers go along) are plain functions in [`decide`] and [`credentials`],
//! unit-tested there.

mod credentials;
mod decide;
mod guard;

pub(crate) use credentials::is_credential;
pub(crate) use guard::guarded_send;

use std::collections::HashSet;
use std::future::Future;
use std::hash::{BuildHasher, RandomState};
use std::pin::pin;

use http::Method;
use http::header::{self, HeaderValue};
use url::Url;

use crate::error::{Error, RedirectError, RedirectErrorKind, Result};
use crate::middleware::chain::{Layer, Service, kept_copy};
use crate::middleware::same_origin;
use crate::request::{Request, Target};
use crate::response::Response;
use credentials::{remove_body_headers, strip_credentials, without_added_pairs};
use decide::{Hop, Step, decide};
use guard::{AwayHop, SentQuery};

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
}

impl Layer for RedirectMiddleware {
    fn handle<'c, N: Service<'c>>(
        &'c self,
        template: Request,
        next: N,
    ) -> impl Future<Output = Result<Response>> + Send + 'c {
        Self::run(Some(self), template, next)
    }

    /// One future whether the client follows redirects or not: the stage
    /// makes no `Either` that this (large) future would be moved into.
    fn stage<'c, N: Service<'c>>(
        layer: Option<&'c Self>,
        request: Request,
        next: N,
    ) -> impl Future<Output = Result<Response>> + Send + 'c {
        Self::run(layer, request, next)
    }
}

impl RedirectMiddleware {
    /// Sends the request, then each redirect it leads to, and notes the
    /// number of hops on the call's span; without the layer, sends it on.
    /// One function, so that the layer's future is one level of nesting.
    #[allow(
        clippy::manual_async_fn,
        reason = "an `async fn` holds its by-value arguments twice in its future"
    )]
    fn run<'c, N: Service<'c>>(
        layer: Option<&'c Self>,
        mut template: Request,
        next: N,
    ) -> impl Future<Output = Result<Response>> + Send + 'c {
        // An `async` block, not an `async fn`, which would hold the
        // request twice.
        async move {
            let Some(layer) = layer else {
                return pin!(next.call(template)).await;
            };
            // `template`: what each hop is made from, the caller's request with
            // the method, URL and body of the hop, the caller's credentials
            // still in it.
            let mut hops: u32 = 0;
            let client = next.client();
            let base = &client.base_url;
            // Credentials the caller put on the request (default headers, call
            // options, a header of the method) were meant for where it first
            // went; they go along only while the call stays at the client's own
            // origin. Auth adds its own to every hop to that origin.
            let started_home = template.parts.url.same_origin(base);
            // The requests sent so far, recorded from the first redirect on.
            let mut seen: Option<Seen> = None;
            // Only a layer below this one can add query pairs (auth, or the
            // user's middleware): without one, there is nothing to take out.
            let probe = (client.layers.auth.is_some() || !client.layers.user.is_empty())
                .then(SentQuery::default);
            if let Some(probe) = &probe {
                template.parts.extensions.insert(probe.clone());
            }
            let result = loop {
                let body_replayable = replayable_body(&template);
                let away = hops > 0 && !(started_home && template.parts.url.same_origin(base));
                // Each hop's future is made in place (`pin!`), not moved into
                // this one; its borrow of the template ends with the hop.
                let sent = if body_replayable {
                    // The request goes on and a copy of it stays here, for
                    // the next hop and for the layers below that send again
                    // (retry copies it for each further attempt): one copy,
                    // not a copy of a copy.
                    let copy = match kept_copy(&template, false) {
                        Ok(copy) => copy,
                        Err(e) => break Err(e),
                    };
                    let mut sent = std::mem::replace(&mut template, copy);
                    if away {
                        leave_home(&mut sent);
                    }
                    pin!(next.call_kept(sent, &template, away)).await
                } else {
                    // A one-shot body goes with this hop; what is left to
                    // follow with is the request without it.
                    let head = template.head_clone();
                    let mut sent = std::mem::replace(&mut template, head);
                    if away {
                        leave_home(&mut sent);
                    }
                    pin!(next.call(sent)).await
                };
                let response = match sent {
                    Ok(response) => response,
                    Err(e) => break Err(e),
                };
                let sent_query = probe.as_ref().and_then(SentQuery::take);
                let location = response.headers().get(header::LOCATION);
                let step = decide(&Hop {
                    status: response.status(),
                    method: &template.parts.method,
                    url: &template.parts.url,
                    location,
                    body_replayable,
                    hops,
                    max: layer.max,
                });
                let (mut url, method, keep_body) = match step {
                    Step::Return => break Ok(response),
                    Step::Refuse(kind) => {
                        break Err(refused(kind, &template, &response, location, hops));
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
                let before = template.parts.url.query();
                if let Some(query) = without_added_pairs(url.query(), before, sent_query.as_deref())
                {
                    url.set_query(query.as_deref());
                }
                let seen =
                    seen.get_or_insert_with(|| Seen::new(&template.parts.method, template.url()));
                if !seen.insert(&method, &url) {
                    let kind = RedirectErrorKind::Loop;
                    break Err(refused(kind, &template, &response, location, hops));
                }
                hops = hops.saturating_add(1);
                tracing::debug!(
                    http.response.status_code = response.status().as_u16(),
                    redirect.hop = hops,
                    redirect.cross_origin = !same_origin(&url, base),
                    "following a redirect to {}",
                    shown(&url),
                );
                // The redirect's own body is of no use: it was read within the
                // error-body limit and goes now.
                drop(response);
                template.parts.url = Target::Parsed(url);
                template.parts.method = method;
                if !keep_body {
                    template.parts.body = crate::Body::empty();
                    remove_body_headers(&mut template.parts.headers);
                }
            };
            if hops > 0 {
                // On the call's span: tracing is the next layer out.
                tracing::Span::current().record("restrait.redirect_count", hops);
            }
            result
        }
    }
}

/// Readies a hop away from the client's origin: it loses the caller's
/// credentials, and is marked for the guard, which strips again what a
/// middleware adds below.
pub(crate) fn leave_home(request: &mut Request) {
    strip_credentials(&mut request.parts.headers);
    request.parts.extensions.insert(AwayHop);
}

/// The one place that says whether a request's body can be sent again on a
/// 307 or 308: bytes, a file and a form of such parts can; a one-shot
/// stream cannot, so its 307 or 308 goes back to the caller as it is.
fn replayable_body(request: &Request) -> bool {
    request.parts.body.is_replayable()
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
        let target = &url[..url::Position::AfterQuery];
        let hash = self.hasher.hash_one((method.as_str(), target));
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
        match request.url().join(text.trim()) {
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
    use http::{HeaderMap, StatusCode};

    fn url(s: &str) -> Url {
        Url::parse(s).expect("url")
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
