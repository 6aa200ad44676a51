//! Shared token requests: not bound to the call that started them, kept
//! when it is gone, bounded by their own timeout; a failed refresh of a
//! still-valid token falls back to it; very short lifetimes.

use std::sync::atomic::AtomicBool;

use tokio::time::Instant;

use super::*;
use crate::error::TimeoutKind;
use crate::{CallOptions, RetryPolicy};

/// A request with a call timeout of `limit`.
fn with_deadline(path: &str, limit: Duration) -> Request {
    let mut request = get(path);
    *request.options_mut() = CallOptions::new().timeout(limit);
    request
}

fn no_retry(transport: impl Transport, auth: impl Auth) -> Client {
    Client::builder("https://api.test")
        .transport(transport)
        .auth(auth)
        .retry(RetryPolicy::never())
        .build()
        .expect("client")
}

#[tokio::test(start_paused = true)]
async fn a_refresh_is_not_bound_to_the_deadline_of_the_call_that_started_it() {
    // A (300 ms deadline) starts the token request, which takes 600 ms;
    // B (no deadline) waits for the same one.
    let fake = Fake::default();
    let client = client(
        Slow(fake.transport(Some(3600)), Duration::from_millis(600)),
        OAuth2::refresh_token(TOKEN_URL, "c", "rt0"),
    );
    let a = client.execute(with_deadline("/a", Duration::from_millis(300)));
    let b = async {
        tokio::time::sleep(Duration::from_millis(50)).await;
        client.execute(get("/b")).await
    };
    let (a, b) = tokio::join!(a, b);
    let err = a.expect_err("A's deadline passes");
    assert!(
        matches!(&err, Error::Timeout(t) if t.kind() == TimeoutKind::Call),
        "A gets its own timeout: {err:?}"
    );
    assert_eq!(b.expect("B gets the token").status(), 200);
    assert_eq!(fake.tokens(), 1);
}

#[tokio::test(start_paused = true)]
async fn a_rotated_refresh_token_is_kept_when_every_caller_is_gone() {
    let fake = Fake::default();
    let hook_log = fake.clone();
    let oauth = Arc::new(
        OAuth2::refresh_token(TOKEN_URL, "c", "rt0").on_refresh(move |tokens| {
            hook_log.log_line(format!("saved {}", tokens.refresh_token().unwrap_or("-")));
        }),
    );
    let mock = fake.transport(Some(3600));
    let client = client(
        Slow(mock.clone(), Duration::from_millis(600)),
        oauth.clone(),
    );
    let err = client
        .execute(with_deadline("/me", Duration::from_millis(300)))
        .await
        .expect_err("the deadline passes before the token arrives");
    assert!(matches!(err, Error::Timeout(_)), "{err:?}");
    // Nobody waits any more; the token request still finishes.
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert_eq!(*fake.log.lock().expect("log"), ["saved rt1"]);
    assert_eq!(
        oauth
            .tokens()
            .and_then(|t| t.refresh_token().map(str::to_owned)),
        Some("rt1".to_owned())
    );
    client.execute(get("/me")).await.expect("ok");
    assert_eq!(
        fake.tokens(),
        1,
        "the token got for the cancelled call is used"
    );
}

/// A token endpoint that issues `at1` lasting `expires_in` seconds, then
/// answers 503 while `down` is set; the API takes any token.
fn flaky(expires_in: u64, down: Arc<AtomicBool>, tokens: Arc<AtomicUsize>) -> MockTransport {
    MockTransport::from_fn(move |request| {
        if request.url().host_str() == Some("auth.test") {
            let n = tokens.fetch_add(1, Ordering::SeqCst) + 1;
            if down.load(Ordering::SeqCst) {
                return MockResponse::text(503, "down");
            }
            return MockResponse::json(
                200,
                &serde_json::json!({"access_token": format!("at{n}"), "expires_in": expires_in}),
            );
        }
        MockResponse::new(200)
    })
}

#[tokio::test(start_paused = true)]
async fn a_failed_refresh_keeps_the_still_valid_token_and_tries_again_later() {
    let down = Arc::new(AtomicBool::new(false));
    let tokens = Arc::new(AtomicUsize::new(0));
    let mock = flaky(4, down.clone(), tokens.clone());
    let client = no_retry(
        mock.clone(),
        OAuth2::client_credentials(TOKEN_URL, "c", "s"),
    );
    let requests = || tokens.load(Ordering::SeqCst);
    let last_token = || {
        mock.last_request()
            .and_then(|r| header(&r, "authorization"))
    };

    client.execute(get("/me")).await.expect("first token");
    assert_eq!(requests(), 1);
    // Due at 2 s (half of 4 s: the 30 s skew is capped); the endpoint is down.
    down.store(true, Ordering::SeqCst);
    tokio::time::advance(Duration::from_millis(2100)).await;
    let response = client
        .execute(get("/me"))
        .await
        .expect("still-valid token used");
    assert_eq!(response.status(), 200);
    assert_eq!(requests(), 2, "the refresh was tried");
    assert_eq!(last_token().as_deref(), Some("Bearer at1"));
    // Backing off: no token request for a second.
    tokio::time::advance(Duration::from_millis(500)).await;
    client.execute(get("/me")).await.expect("ok");
    assert_eq!(requests(), 2, "no refresh during the backoff");
    tokio::time::advance(Duration::from_millis(600)).await;
    client.execute(get("/me")).await.expect("ok");
    assert_eq!(requests(), 3, "tried again after the backoff");
    assert_eq!(last_token().as_deref(), Some("Bearer at1"));
    // Expired at 4 s: now the failure is the caller's.
    tokio::time::advance(Duration::from_millis(1000)).await;
    let err = client.execute(get("/me")).await.expect_err("expired");
    let Error::Auth(auth) = &err else {
        panic!("expected Error::Auth, got {err:?}");
    };
    assert_eq!(auth.status(), Some(StatusCode::SERVICE_UNAVAILABLE));
    assert_eq!(requests(), 4);
    // Back up: a new token.
    down.store(false, Ordering::SeqCst);
    client.execute(get("/me")).await.expect("new token");
    assert_eq!(last_token().as_deref(), Some("Bearer at5"));
}

#[tokio::test(start_paused = true)]
async fn a_token_shorter_lived_than_the_skew_is_requested_once_for_all_waiters() {
    for expires_in in [0, 1] {
        let fake = Fake::default();
        let client = client(
            Slow(fake.transport(Some(expires_in)), Duration::from_millis(50)),
            OAuth2::refresh_token(TOKEN_URL, "c", "rt0"),
        );
        let calls = (0..20).map(|i| client.execute(get(&format!("/n/{i}"))));
        for result in futures::future::join_all(calls).await {
            assert_eq!(result.expect("ok").status(), 200, "expires_in {expires_in}");
        }
        assert_eq!(fake.tokens(), 1, "expires_in {expires_in}");
        let log = fake.log.lock().expect("log").clone();
        assert_eq!(log.len(), 20);
        assert!(log.iter().all(|l| l == "used Bearer at1"), "{log:?}");
    }
}

/// A transport whose token endpoint accepts the request and never answers.
#[derive(Debug, Clone)]
struct Silent(MockTransport);

impl Transport for Silent {
    fn send(
        &self,
        request: Request,
    ) -> BoxFuture<'_, std::result::Result<TransportResponse, TransportError>> {
        if request.url().host_str() == Some("auth.test") {
            return Box::pin(std::future::pending());
        }
        self.0.send(request)
    }
}

#[tokio::test(start_paused = true)]
async fn a_token_request_that_never_answers_times_out() {
    let api = MockTransport::new().route(Method::GET, "/me", MockResponse::new(200));
    for (oauth, limit) in [
        (
            OAuth2::client_credentials(TOKEN_URL, "c", "s"),
            crate::auth::DEFAULT_TOKEN_TIMEOUT,
        ),
        (
            OAuth2::client_credentials(TOKEN_URL, "c", "s").token_timeout(Duration::from_secs(2)),
            Duration::from_secs(2),
        ),
    ] {
        let client = no_retry(Silent(api.clone()), oauth);
        let started = Instant::now();
        let result =
            tokio::time::timeout(Duration::from_secs(3600), client.execute(get("/me"))).await;
        let err = result.expect("no hang").expect_err("timed out");
        assert_eq!(started.elapsed(), limit);
        let Error::Auth(auth) = &err else {
            panic!("expected Error::Auth, got {err:?}");
        };
        let Some(Error::Timeout(timeout)) = auth.source.as_deref() else {
            panic!("expected a timeout as the cause, got {err:?}");
        };
        assert_eq!(timeout.after, limit);
    }
    assert_eq!(crate::auth::DEFAULT_TOKEN_TIMEOUT, Duration::from_secs(30));
}

#[tokio::test(start_paused = true)]
async fn a_huge_expires_in_is_a_token_that_does_not_expire_soon() {
    for expires_in in [
        serde_json::json!(u64::MAX),
        serde_json::json!(1e300),
        serde_json::json!("18446744073709551615"),
    ] {
        let mock = MockTransport::from_fn(move |request| {
            if request.url().host_str() == Some("auth.test") {
                MockResponse::json(
                    200,
                    &serde_json::json!({"access_token": "at", "expires_in": expires_in}),
                )
            } else {
                MockResponse::new(200)
            }
        });
        let oauth = Arc::new(OAuth2::client_credentials(TOKEN_URL, "c", "s"));
        let client = client(mock.clone(), oauth.clone());
        client.execute(get("/me")).await.expect("ok");
        tokio::time::advance(Duration::from_secs(365 * 24 * 3600)).await;
        client.execute(get("/me")).await.expect("ok");
        assert_eq!(mock.requests().len(), 3, "one token request");
        let tokens = oauth.tokens().expect("tokens");
        assert!(!tokens.is_expired());
        assert!(tokens.expires_at().is_some());
    }
}
