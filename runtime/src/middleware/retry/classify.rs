//! "Is this worth retrying": what an attempt's outcome says, and which
//! requests may be sent again. Kept apart from "when" (the policy's waits).

use http::{Method, StatusCode};

use crate::error::{AuthError, Error, Result, TimeoutKind};
use crate::request::Request;
use crate::response::Response;

use super::policy::RetryPolicy;

/// What one attempt's outcome means for the call.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Verdict {
    /// The server answered and nothing suggests trying again (a 2xx, a 404,
    /// ...). Counts as a success for the retry budget.
    Done,
    /// A failure that another try would not fix.
    Fatal,
    /// Worth another try, if the request may be sent again (see
    /// [`Reason::any_method`]).
    Retry(Reason),
}

/// Why an attempt is worth another try.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Reason {
    /// A status of the policy's set.
    Status(StatusCode),
    /// No connection was made: the request never left.
    Connect,
    /// The server refused the request unprocessed (an HTTP/2 refused
    /// stream, see [`TransportError::is_refused`](crate::TransportError::is_refused)).
    Refused,
    /// The connection broke after the request may have been sent.
    Transport,
    /// The attempt's own time limit ran out.
    Timeout,
    /// Credentials could not be had for now (the token endpoint failed
    /// transiently), so the request was not sent.
    Auth,
}

impl Reason {
    /// True when sending again cannot repeat a side effect whatever the
    /// method: the server refused to start (429) or never saw the request.
    pub(crate) fn any_method(self) -> bool {
        match self {
            Reason::Status(s) => s == StatusCode::TOO_MANY_REQUESTS,
            Reason::Connect | Reason::Refused | Reason::Auth => true,
            Reason::Transport | Reason::Timeout => false,
        }
    }

    /// A short name for traces.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Reason::Status(s) if s == StatusCode::TOO_MANY_REQUESTS => "rate_limited",
            Reason::Status(_) => "status",
            Reason::Connect => "connect",
            Reason::Refused => "refused",
            Reason::Transport => "transport",
            Reason::Timeout => "timeout",
            Reason::Auth => "auth",
        }
    }
}

/// Reads an attempt's outcome.
pub(crate) fn classify(policy: &RetryPolicy, result: &Result<Response>) -> Verdict {
    match result {
        Ok(response) if policy.statuses.contains(&response.status()) => {
            Verdict::Retry(Reason::Status(response.status()))
        }
        Ok(_) => Verdict::Done,
        Err(e) => classify_error(e),
    }
}

fn classify_error(e: &Error) -> Verdict {
    match e {
        // A cassette with no recording for the request answers the same way
        // every time: retrying only delays the error that names the fix.
        Error::Transport(t) if crate::testing::CassetteError::find(t).is_some() => Verdict::Fatal,
        Error::Transport(t) if t.is_connect() => Verdict::Retry(Reason::Connect),
        Error::Transport(t) if t.is_refused() => Verdict::Retry(Reason::Refused),
        Error::Transport(_) => Verdict::Retry(Reason::Transport),
        Error::Timeout(t) if t.kind() == TimeoutKind::Attempt => Verdict::Retry(Reason::Timeout),
        Error::Auth(a) if auth_is_transient(a) => Verdict::Retry(Reason::Auth),
        // A call timeout means the deadline is gone; a body too large, a
        // permanent auth failure and the rest would fail the same way again.
        _ => Verdict::Fatal,
    }
}

fn transient_status(status: StatusCode) -> bool {
    status.is_server_error()
        || status == StatusCode::REQUEST_TIMEOUT
        || status == StatusCode::TOO_MANY_REQUESTS
}

/// An auth error is worth another try when the token endpoint answered
/// 5xx/408/429 or could not be reached; `invalid_grant` and other 4xx
/// answers are final.
fn auth_is_transient(e: &AuthError) -> bool {
    if let Some(status) = e.status() {
        return transient_status(status);
    }
    match e.source.as_deref() {
        Some(Error::Transport(_)) => true,
        Some(Error::Timeout(t)) => t.kind() == TimeoutKind::Attempt,
        Some(Error::Auth(inner)) => auth_is_transient(inner),
        Some(other) => other.status().is_some_and(transient_status),
        None => false,
    }
}

/// Methods that may always be sent again (RFC 9110 idempotent methods).
pub(crate) fn idempotent_method(method: &Method) -> bool {
    matches!(
        *method,
        Method::GET | Method::HEAD | Method::PUT | Method::DELETE | Method::OPTIONS | Method::TRACE
    )
}

/// True if sending the request twice has the effect of sending it once: its
/// method is idempotent, the endpoint is `#[idempotent]`, or the call carries
/// an idempotency key the server deduplicates on.
pub(crate) fn replayable(request: &Request) -> bool {
    idempotent_method(request.method()) || needs_key(request)
}

/// True if every attempt must carry an idempotency key: an unsafe method
/// (POST, PATCH, ...) marked `#[idempotent]` or given a key by the caller.
pub(crate) fn needs_key(request: &Request) -> bool {
    !idempotent_method(request.method())
        && (request.is_idempotent() || request.options().get_idempotency_key().is_some())
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use http::HeaderMap;

    use super::*;
    use crate::error::{CallInfo, TimeoutError, TransportError, TransportErrorKind};

    fn status(code: u16) -> Result<Response> {
        Ok(Response::new(
            StatusCode::from_u16(code).expect("status"),
            HeaderMap::new(),
            crate::ResponseBody::empty(),
        ))
    }

    fn transport(kind: TransportErrorKind) -> Error {
        Error::Transport(TransportError::new(kind, "x", None))
    }

    fn timeout(kind: TimeoutKind) -> Error {
        Error::Timeout(Box::new(TimeoutError {
            kind,
            after: Duration::from_secs(1),
            call: CallInfo::new(Method::GET, "/"),
            attempts: 1,
            not_retried: None,
        }))
    }

    fn auth(error: AuthError) -> Error {
        Error::Auth(Box::new(error))
    }

    #[test]
    fn classification_table() {
        let p = RetryPolicy::default();
        let retry = |r| Verdict::Retry(r);
        let st = |c| Reason::Status(StatusCode::from_u16(c).expect("status"));
        let cases: Vec<(&str, Result<Response>, Verdict)> = vec![
            ("200", status(200), Verdict::Done),
            ("204", status(204), Verdict::Done),
            ("301", status(301), Verdict::Done),
            ("400", status(400), Verdict::Done),
            ("401", status(401), Verdict::Done),
            ("404", status(404), Verdict::Done),
            ("409", status(409), Verdict::Done),
            ("501", status(501), Verdict::Done),
            ("408", status(408), retry(st(408))),
            ("429", status(429), retry(st(429))),
            ("500", status(500), retry(st(500))),
            ("502", status(502), retry(st(502))),
            ("503", status(503), retry(st(503))),
            ("504", status(504), retry(st(504))),
            (
                "connect",
                Err(transport(TransportErrorKind::Connect)),
                retry(Reason::Connect),
            ),
            (
                "reset",
                Err(transport(TransportErrorKind::Request)),
                retry(Reason::Transport),
            ),
            (
                "body",
                Err(transport(TransportErrorKind::Body)),
                retry(Reason::Transport),
            ),
            (
                "cassette miss",
                Err(Error::Transport(TransportError::new(
                    TransportErrorKind::Connect,
                    "no recording",
                    Some(Box::new(crate::testing::CassetteError::Setup(
                        "no recording".into(),
                    ))),
                ))),
                Verdict::Fatal,
            ),
            (
                "attempt timeout",
                Err(timeout(TimeoutKind::Attempt)),
                retry(Reason::Timeout),
            ),
            (
                "call timeout",
                Err(timeout(TimeoutKind::Call)),
                Verdict::Fatal,
            ),
            (
                "too large",
                Err(Error::BodyTooLarge(Box::new(crate::error::BodyTooLarge {
                    limit: 1,
                    call: CallInfo::new(Method::GET, "/"),
                }))),
                Verdict::Fatal,
            ),
            ("invalid", Err(Error::invalid_request("x")), Verdict::Fatal),
            (
                "auth invalid_grant",
                Err(auth(
                    AuthError::new("refresh failed")
                        .with_status(StatusCode::BAD_REQUEST)
                        .with_oauth(Some("invalid_grant".into()), None),
                )),
                Verdict::Fatal,
            ),
            (
                "auth 401",
                Err(auth(
                    AuthError::new("no").with_status(StatusCode::UNAUTHORIZED),
                )),
                Verdict::Fatal,
            ),
            (
                "auth no cause",
                Err(auth(AuthError::new("no token"))),
                Verdict::Fatal,
            ),
            (
                "auth 503",
                Err(auth(
                    AuthError::new("down").with_status(StatusCode::SERVICE_UNAVAILABLE),
                )),
                retry(Reason::Auth),
            ),
            (
                "auth 429",
                Err(auth(
                    AuthError::new("slow").with_status(StatusCode::TOO_MANY_REQUESTS),
                )),
                retry(Reason::Auth),
            ),
            (
                "auth 408",
                Err(auth(
                    AuthError::new("slow").with_status(StatusCode::REQUEST_TIMEOUT),
                )),
                retry(Reason::Auth),
            ),
            (
                "auth over transport",
                Err(auth(
                    AuthError::new("unreachable")
                        .with_source(transport(TransportErrorKind::Request)),
                )),
                retry(Reason::Auth),
            ),
            (
                "auth over attempt timeout",
                Err(auth(
                    AuthError::new("slow").with_source(timeout(TimeoutKind::Attempt)),
                )),
                retry(Reason::Auth),
            ),
            (
                "auth over call timeout",
                Err(auth(
                    AuthError::new("slow").with_source(timeout(TimeoutKind::Call)),
                )),
                Verdict::Fatal,
            ),
        ];
        for (name, result, want) in &cases {
            assert_eq!(classify(&p, result), *want, "{name}");
        }
    }

    #[test]
    fn the_status_set_is_the_policys() {
        let p = RetryPolicy::default().statuses([503]);
        assert_eq!(classify(&p, &status(500)), Verdict::Done);
        assert!(matches!(classify(&p, &status(503)), Verdict::Retry(_)));
        assert_eq!(classify(&p, &status(429)), Verdict::Done);
    }

    #[test]
    fn which_reasons_allow_any_method() {
        assert!(Reason::Status(StatusCode::TOO_MANY_REQUESTS).any_method());
        assert!(Reason::Connect.any_method());
        assert!(Reason::Refused.any_method());
        assert!(Reason::Auth.any_method());
        assert!(!Reason::Status(StatusCode::SERVICE_UNAVAILABLE).any_method());
        assert!(!Reason::Transport.any_method());
        assert!(!Reason::Timeout.any_method());
    }

    #[test]
    fn trace_names_tell_a_rate_limit_from_other_statuses() {
        let names: Vec<_> = [
            Reason::Status(StatusCode::TOO_MANY_REQUESTS),
            Reason::Status(StatusCode::SERVICE_UNAVAILABLE),
            Reason::Connect,
            Reason::Refused,
            Reason::Transport,
            Reason::Timeout,
            Reason::Auth,
        ]
        .into_iter()
        .map(Reason::as_str)
        .collect();
        assert_eq!(
            names,
            [
                "rate_limited",
                "status",
                "connect",
                "refused",
                "transport",
                "timeout",
                "auth"
            ]
        );
    }

    fn request(method: Method) -> Request {
        Request::new(method, "https://api.test/x".parse().expect("url"))
    }

    #[test]
    fn which_requests_replay() {
        for m in [
            Method::GET,
            Method::HEAD,
            Method::PUT,
            Method::DELETE,
            Method::OPTIONS,
        ] {
            let mut r = request(m.clone());
            assert!(replayable(&r), "{m}");
            r.set_idempotent(true);
            *r.options_mut() = crate::CallOptions::new().idempotency_key("k");
            assert!(!needs_key(&r), "{m} never carries a key");
        }
        for m in [Method::POST, Method::PATCH] {
            let mut r = request(m.clone());
            assert!(!replayable(&r) && !needs_key(&r), "{m}");
            r.set_idempotent(true);
            assert!(replayable(&r) && needs_key(&r), "#[idempotent] {m}");
            let mut r = request(m.clone());
            *r.options_mut() = crate::CallOptions::new().idempotency_key("k");
            assert!(replayable(&r) && needs_key(&r), "{m} with a key");
        }
    }
}
