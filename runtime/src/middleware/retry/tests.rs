//! The retry middleware end to end over a `MockTransport`, in paused time so
//! that backoff costs nothing and waits can be measured exactly.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use http::Method;
use tokio::time::Instant;

use crate::testing::{MockResponse, MockTransport};
use crate::{
    AuthError, BoxFuture, CallOptions, Client, Error, Middleware, Next, Request, Response, Result,
    RetryBudget, RetryPolicy,
};

const URL: &str = "https://api.test/v1/things";
const PATH: &str = "/v1/things";

fn client(mock: &MockTransport, policy: RetryPolicy) -> Client {
    Client::builder("https://api.test/v1")
        .transport(mock.clone())
        .retry(policy)
        .build()
        .expect("client")
}

/// A policy whose waits are always the longest (100, 200, 400 ms ...).
fn top() -> RetryPolicy {
    RetryPolicy::default().jitter(|| 1.0)
}

fn request(method: Method) -> Request {
    Request::new(method, URL.parse().expect("url"))
}

fn with(mut request: Request, options: CallOptions) -> Request {
    *request.options_mut() = options;
    request
}

fn mock(method: Method, statuses: &[u16]) -> MockTransport {
    let mock = MockTransport::new();
    for s in statuses {
        mock.add_route(method.clone(), PATH, MockResponse::new(*s));
    }
    mock
}

fn keys(mock: &MockTransport) -> Vec<Option<String>> {
    mock.requests()
        .iter()
        .map(|r| {
            r.headers()
                .get("idempotency-key")
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned)
        })
        .collect()
}

#[tokio::test(start_paused = true)]
async fn get_503_503_200_succeeds_on_the_third_attempt_after_the_backoff() {
    let mock = mock(Method::GET, &[503, 503, 200]);
    let client = client(&mock, top());
    let start = Instant::now();
    let response = client.execute(request(Method::GET)).await.expect("ok");
    assert_eq!(response.status(), 200);
    assert_eq!(response.attempts(), 3);
    assert_eq!(start.elapsed(), Duration::from_millis(100 + 200));
    let attempts: Vec<u32> = mock.requests().iter().map(Request::attempt).collect();
    assert_eq!(attempts, [0, 1, 2]);
    assert_eq!(keys(&mock), [None, None, None], "a GET never gets a key");
}

#[tokio::test(start_paused = true)]
async fn without_the_redirect_layer_retry_resends_its_own_copies() {
    // With redirects off, retry owns the request (no layer above keeps
    // it): it copies it while an attempt is left, then moves it.
    let mock = mock(Method::PUT, &[503, 503, 200]);
    let client = Client::builder("https://api.test/v1")
        .transport(mock.clone())
        .retry(top().max_retries(2))
        .max_redirects(0)
        .build()
        .expect("client");
    let mut req = request(Method::PUT);
    req.set_body("payload");
    let response = client.execute(req).await.expect("ok");
    assert_eq!(response.status(), 200);
    assert_eq!(response.attempts(), 3);
    let bodies: Vec<_> = mock
        .requests()
        .iter()
        .map(|r| r.body().as_bytes().map(|b| b.to_vec()))
        .collect();
    assert_eq!(bodies, vec![Some(b"payload".to_vec()); 3]);
}

#[tokio::test(start_paused = true)]
async fn retries_stop_at_the_limit_and_the_error_counts_attempts() {
    let mock = mock(Method::GET, &[503]);
    let client = client(&mock, top());
    let response = client
        .execute(request(Method::GET))
        .await
        .expect("response");
    assert_eq!(mock.requests().len(), 4);
    let err = response.error_for_status().expect_err("503");
    assert!(matches!(err, Error::Server(_)));
    assert_eq!(err.api().map(|e| e.attempts()), Some(4));
}

#[tokio::test(start_paused = true)]
async fn a_plain_post_is_not_retried_once_it_reached_the_server() {
    for failure in [MockResponse::new(503), MockResponse::request_error()] {
        let mock = MockTransport::new()
            .route(Method::POST, PATH, failure)
            .route(Method::POST, PATH, MockResponse::new(200));
        let client = client(&mock, top());
        let _ = client.execute(request(Method::POST)).await;
        assert_eq!(mock.requests().len(), 1);
        assert_eq!(keys(&mock), [None]);
    }
}

#[tokio::test(start_paused = true)]
async fn an_idempotent_post_is_retried_with_one_key() {
    let mock = mock(Method::POST, &[503, 502, 201]);
    let client = client(&mock, top());
    let mut req = request(Method::POST);
    req.set_idempotent(true);
    let response = client.execute(req).await.expect("ok");
    assert_eq!(response.status(), 201);
    let keys = keys(&mock);
    assert_eq!(keys.len(), 3);
    let key = keys[0].clone().expect("a key");
    assert!(
        keys.iter().all(|k| k.as_deref() == Some(key.as_str())),
        "{keys:?}"
    );
    let parsed = uuid::Uuid::parse_str(&key).expect("a UUID");
    assert_eq!(parsed.get_version_num(), 4);

    // Another call gets another key.
    let mut req = request(Method::POST);
    req.set_idempotent(true);
    client.execute(req).await.expect("ok");
    let last = mock.last_request().expect("sent");
    assert_ne!(last.headers()["idempotency-key"], key.as_str());
}

#[tokio::test(start_paused = true)]
async fn the_callers_key_wins_and_makes_a_post_retryable() {
    let mock = mock(Method::PATCH, &[500, 200]);
    let client = client(&mock, top());
    let mut req = with(
        request(Method::PATCH),
        CallOptions::new().idempotency_key("order-7"),
    );
    req.headers_mut()
        .insert("idempotency-key", http::HeaderValue::from_static("other"));
    client.execute(req).await.expect("ok");
    assert_eq!(
        keys(&mock),
        [Some("order-7".into()), Some("order-7".into())]
    );
}

#[tokio::test(start_paused = true)]
async fn a_key_already_on_the_request_is_kept() {
    let mock = mock(Method::POST, &[500, 200]);
    let client = client(&mock, top());
    let mut req = request(Method::POST);
    req.set_idempotent(true);
    req.headers_mut()
        .insert("idempotency-key", http::HeaderValue::from_static("mine"));
    client.execute(req).await.expect("ok");
    assert_eq!(keys(&mock), [Some("mine".into()), Some("mine".into())]);
}

#[tokio::test(start_paused = true)]
async fn an_invalid_callers_key_is_an_invalid_request() {
    let mock = mock(Method::POST, &[200]);
    let client = client(&mock, top());
    let req = with(
        request(Method::POST),
        CallOptions::new().idempotency_key("a\nb"),
    );
    let err = client.execute(req).await.expect_err("invalid");
    assert!(matches!(err, Error::InvalidRequest(_)), "{err:?}");
    assert!(mock.requests().is_empty());
}

#[tokio::test(start_paused = true)]
async fn the_key_header_is_configurable() {
    let mock = mock(Method::POST, &[503, 200]);
    let name = http::HeaderName::from_static("x-request-key");
    let client = client(&mock, top().idempotency_header(name));
    let mut req = request(Method::POST);
    req.set_idempotent(true);
    client.execute(req).await.expect("ok");
    let sent = mock.requests();
    assert_eq!(sent.len(), 2);
    assert!(
        sent.iter()
            .all(|r| !r.headers().contains_key("idempotency-key"))
    );
    assert_eq!(
        sent[0].headers()["x-request-key"],
        sent[1].headers()["x-request-key"]
    );
}

#[tokio::test(start_paused = true)]
async fn any_method_retries_429_and_connect_errors() {
    for failure in [MockResponse::new(429), MockResponse::connect_error()] {
        let mock = MockTransport::new()
            .route(Method::POST, PATH, failure)
            .route(Method::POST, PATH, MockResponse::new(200));
        let client = client(&mock, top());
        let response = client.execute(request(Method::POST)).await.expect("ok");
        assert_eq!(response.status(), 200);
        assert_eq!(mock.requests().len(), 2);
        assert_eq!(keys(&mock), [None, None], "a plain POST gets no key");
    }
}

#[tokio::test(start_paused = true)]
async fn a_get_retries_a_broken_connection() {
    let mock = MockTransport::new()
        .route(Method::GET, PATH, MockResponse::request_error())
        .route(Method::GET, PATH, MockResponse::new(200));
    let client = client(&mock, top());
    client.execute(request(Method::GET)).await.expect("ok");
    assert_eq!(mock.requests().len(), 2);
}

#[tokio::test(start_paused = true)]
async fn retry_after_seconds_and_dates_are_waited_for() {
    let date = httpdate::fmt_http_date(std::time::SystemTime::now() + Duration::from_secs(4));
    for (value, least) in [("3", 3), (date.as_str(), 2)] {
        let mock = MockTransport::new()
            .route(
                Method::GET,
                PATH,
                MockResponse::new(503).header("retry-after", value),
            )
            .route(Method::GET, PATH, MockResponse::new(200));
        let client = client(&mock, top());
        let start = Instant::now();
        client.execute(request(Method::GET)).await.expect("ok");
        let waited = start.elapsed();
        // The date is read against the wall clock, which paused time does not
        // stop: allow for the second it may have moved on.
        assert!(
            waited >= Duration::from_secs(least) && waited <= Duration::from_secs(4),
            "{value}: waited {waited:?}"
        );
    }
}

#[tokio::test(start_paused = true)]
async fn retry_after_is_capped_by_the_policy() {
    let mock = MockTransport::new()
        .route(
            Method::GET,
            PATH,
            MockResponse::new(429).header("retry-after", "3600"),
        )
        .route(Method::GET, PATH, MockResponse::new(200));
    let client = client(&mock, top().max_retry_after(Duration::from_secs(2)));
    let start = Instant::now();
    client.execute(request(Method::GET)).await.expect("ok");
    assert_eq!(start.elapsed(), Duration::from_secs(2));
}

#[tokio::test(start_paused = true)]
async fn a_wait_past_the_deadline_ends_the_call_at_once_with_the_servers_wait() {
    let mock = MockTransport::new().route(
        Method::POST,
        PATH,
        MockResponse::new(429).header("retry-after", "10"),
    );
    let client = Client::builder("https://api.test/v1")
        .transport(mock.clone())
        .retry(top())
        .timeout(Duration::from_secs(5))
        .build()
        .expect("client");
    let start = Instant::now();
    let response = client
        .execute(request(Method::POST))
        .await
        .expect("response");
    assert_eq!(start.elapsed(), Duration::ZERO, "no sleep");
    assert_eq!(mock.requests().len(), 1);
    match response.error_for_status() {
        Err(Error::RateLimited { retry_after, error }) => {
            assert_eq!(retry_after, Some(Duration::from_secs(10)));
            assert_eq!(error.attempts(), 1);
        }
        other => panic!("expected RateLimited, got {other:?}"),
    }
}

#[tokio::test(start_paused = true)]
async fn backoff_stops_before_the_deadline() {
    let mock = mock(Method::GET, &[503]);
    // Waits of 1 s, 2 s, 4 s ... within a 5 s deadline: after 1 s and 2 s
    // the next wait (4 s) would cross it.
    let policy = top().base_delay(Duration::from_secs(1)).max_retries(10);
    let client = Client::builder("https://api.test/v1")
        .transport(mock.clone())
        .retry(policy)
        .timeout(Duration::from_secs(5))
        .build()
        .expect("client");
    let start = Instant::now();
    let response = client
        .execute(request(Method::GET))
        .await
        .expect("response");
    assert_eq!(response.status(), 503);
    assert_eq!(mock.requests().len(), 3);
    assert_eq!(start.elapsed(), Duration::from_secs(3));
}

#[tokio::test(start_paused = true)]
async fn max_retries_from_the_call_overrides_the_policy() {
    let mock = mock(Method::GET, &[503]);
    let client = client(&mock, top());
    let req = with(request(Method::GET), CallOptions::new().max_retries(0));
    client.execute(req).await.expect("response");
    assert_eq!(mock.requests().len(), 1);

    let mock = self::mock(Method::GET, &[503]);
    let client = self::client(&mock, RetryPolicy::never());
    let req = with(request(Method::GET), CallOptions::new().max_retries(5));
    client.execute(req).await.expect("response");
    assert_eq!(mock.requests().len(), 6);
}

#[tokio::test(start_paused = true)]
async fn a_call_policy_overrides_the_clients() {
    let mock = mock(Method::GET, &[503]);
    let client = client(&mock, RetryPolicy::never());
    client
        .execute(request(Method::GET))
        .await
        .expect("response");
    assert_eq!(mock.requests().len(), 1, "never");

    let policy = top().max_retries(1).statuses([503]);
    let req = with(request(Method::GET), CallOptions::new().retry(policy));
    client.execute(req).await.expect("response");
    assert_eq!(mock.requests().len(), 3, "one call, two attempts");
}

#[tokio::test(start_paused = true)]
async fn the_default_client_retries() {
    let mock = mock(Method::GET, &[503, 200]);
    let client = Client::builder("https://api.test/v1")
        .transport(mock.clone())
        .build()
        .expect("client");
    let response = client.execute(request(Method::GET)).await.expect("ok");
    assert_eq!(response.attempts(), 2);
}

#[tokio::test(start_paused = true)]
async fn dropping_the_call_stops_further_attempts() {
    let mock = mock(Method::GET, &[503]);
    let client = client(&mock, top().base_delay(Duration::from_secs(1)));
    let call = client.execute(request(Method::GET));
    let cut = tokio::time::timeout(Duration::from_millis(500), call).await;
    assert!(cut.is_err(), "still sleeping");
    tokio::time::sleep(Duration::from_secs(60)).await;
    assert_eq!(mock.requests().len(), 1);
}

#[tokio::test(start_paused = true)]
async fn a_failing_server_drains_the_budget() {
    let mock = mock(Method::GET, &[503]);
    let client = client(&mock, RetryPolicy::default());
    for _ in 0..10_000 {
        let response = client
            .execute(request(Method::GET))
            .await
            .expect("response");
        assert_eq!(response.status(), 503);
    }
    let attempts = mock.requests().len();
    // 500 tokens at 5 a retry: 100 retries, then single attempts.
    assert_eq!(attempts, 10_100);

    // Once drained, a call is one attempt.
    client
        .execute(request(Method::GET))
        .await
        .expect("response");
    assert_eq!(mock.requests().len(), attempts + 1);
}

#[tokio::test(start_paused = true)]
async fn successes_refill_the_budget() {
    let budget = RetryBudget::new()
        .capacity(10)
        .retry_cost(5)
        .success_refill(1);
    let failing = Arc::new(std::sync::atomic::AtomicBool::new(true));
    let flag = failing.clone();
    let mock = MockTransport::from_fn(move |_| {
        MockResponse::new(if flag.load(Ordering::SeqCst) {
            503
        } else {
            200
        })
    });
    let client = client(&mock, top().budget(budget));
    let call = |client: Client| async move {
        client
            .execute(request(Method::GET))
            .await
            .expect("response")
    };
    call(client.clone()).await; // 3 attempts: 2 retries drain 10 tokens
    assert_eq!(mock.requests().len(), 3);
    call(client.clone()).await; // drained: 1 attempt
    assert_eq!(mock.requests().len(), 4);

    failing.store(false, Ordering::SeqCst);
    for _ in 0..5 {
        call(client.clone()).await;
    }
    failing.store(true, Ordering::SeqCst);
    let before = mock.requests().len();
    call(client.clone()).await; // five successes paid for one retry
    assert_eq!(mock.requests().len(), before + 2);
}

#[tokio::test(start_paused = true)]
async fn a_retry_that_succeeds_is_given_back_to_the_budget() {
    // Room for two retries, and no refill for a plain success: only the
    // refund of a retry that worked keeps the budget from draining.
    let budget = RetryBudget::new()
        .capacity(10)
        .retry_cost(5)
        .success_refill(0);
    let seen = Arc::new(AtomicUsize::new(0));
    let counter = seen.clone();
    // Every call's first attempt fails and its retry succeeds.
    let mock = MockTransport::from_fn(move |_| {
        let n = counter.fetch_add(1, Ordering::SeqCst);
        MockResponse::new(if n.is_multiple_of(2) { 503 } else { 200 })
    });
    let client = client(&mock, top().budget(budget));
    for i in 0..5 {
        let response = client
            .execute(request(Method::GET))
            .await
            .expect("response");
        assert_eq!(response.status(), 200, "call {i}");
    }
    assert_eq!(seen.load(Ordering::SeqCst), 10);
}

#[tokio::test(start_paused = true)]
async fn a_flaky_but_healthy_server_never_meets_the_budget() {
    let seen = Arc::new(AtomicUsize::new(0));
    let counter = seen.clone();
    // One request in ten fails.
    let mock = MockTransport::from_fn(move |_| {
        let n = counter.fetch_add(1, Ordering::SeqCst);
        MockResponse::new(if n % 10 == 9 { 503 } else { 200 })
    });
    let client = client(&mock, RetryPolicy::default());
    for _ in 0..10_000 {
        let response = client
            .execute(request(Method::GET))
            .await
            .expect("response");
        assert_eq!(response.status(), 200, "every failure was retried");
    }
    assert!(seen.load(Ordering::SeqCst) > 11_000);
}

#[tokio::test(start_paused = true)]
async fn without_a_budget_every_call_retries() {
    let mock = mock(Method::GET, &[503]);
    let client = client(&mock, top().base_delay(Duration::ZERO).no_budget());
    for _ in 0..300 {
        client
            .execute(request(Method::GET))
            .await
            .expect("response");
    }
    assert_eq!(mock.requests().len(), 1200);
}

/// Fails like an auth middleware whose token endpoint is down, `fails` times.
struct FlakyAuth {
    fails: AtomicUsize,
    permanent: bool,
}

impl Middleware for FlakyAuth {
    fn handle<'a>(&'a self, request: Request, next: Next<'a>) -> BoxFuture<'a, Result<Response>> {
        if self.permanent {
            let e = AuthError::new("refresh failed")
                .with_status(http::StatusCode::BAD_REQUEST)
                .with_oauth(Some("invalid_grant".into()), None);
            return Box::pin(async move { Err(Error::Auth(Box::new(e))) });
        }
        let left = self.fails.load(Ordering::SeqCst);
        if left > 0 {
            self.fails.store(left - 1, Ordering::SeqCst);
            let e = AuthError::new("token endpoint down")
                .with_status(http::StatusCode::SERVICE_UNAVAILABLE);
            return Box::pin(async move { Err(Error::Auth(Box::new(e))) });
        }
        next.run(request)
    }
}

#[tokio::test(start_paused = true)]
async fn transient_auth_failures_are_retried_and_invalid_grant_is_not() {
    let mock = mock(Method::POST, &[200]);
    let client = Client::builder("https://api.test/v1")
        .transport(mock.clone())
        .retry(top())
        .middleware(FlakyAuth {
            fails: AtomicUsize::new(2),
            permanent: false,
        })
        .build()
        .expect("client");
    let response = client.execute(request(Method::POST)).await.expect("ok");
    assert_eq!(response.attempts(), 3);
    assert_eq!(mock.requests().len(), 1);

    let client = Client::builder("https://api.test/v1")
        .transport(mock.clone())
        .retry(top())
        .middleware(FlakyAuth {
            fails: AtomicUsize::new(0),
            permanent: true,
        })
        .build()
        .expect("client");
    let start = Instant::now();
    let err = client
        .execute(request(Method::GET))
        .await
        .expect_err("auth");
    assert!(matches!(err, Error::Auth(_)));
    assert_eq!(start.elapsed(), Duration::ZERO, "not retried");
}

/// Hangs on its first `hangs` requests, then answers 200; counts requests.
#[derive(Debug)]
struct Hanging {
    hangs: usize,
    seen: AtomicUsize,
}

impl crate::Transport for Hanging {
    fn send(
        &self,
        _request: Request,
    ) -> BoxFuture<'_, std::result::Result<crate::TransportResponse, crate::TransportError>> {
        let n = self.seen.fetch_add(1, Ordering::SeqCst);
        let hang = n < self.hangs;
        Box::pin(async move {
            if hang {
                std::future::pending::<()>().await;
            }
            Ok(crate::TransportResponse {
                status: http::StatusCode::OK,
                headers: http::HeaderMap::new(),
                body: crate::ResponseBody::full(""),
            })
        })
    }
}

#[tokio::test(start_paused = true)]
async fn attempt_timeouts_are_retried_for_replayable_requests_only() {
    for (method, want_attempts) in [(Method::GET, 2), (Method::POST, 1)] {
        let transport = Arc::new(Hanging {
            hangs: 1,
            seen: AtomicUsize::new(0),
        });
        #[derive(Debug)]
        struct Shared(Arc<Hanging>);
        impl crate::Transport for Shared {
            fn send(
                &self,
                request: Request,
            ) -> BoxFuture<'_, std::result::Result<crate::TransportResponse, crate::TransportError>>
            {
                self.0.send(request)
            }
        }
        let client = Client::builder("https://api.test/v1")
            .transport(Shared(transport.clone()))
            .retry(top())
            .attempt_timeout(Duration::from_secs(1))
            .build()
            .expect("client");
        let result = client.execute(request(method.clone())).await;
        assert_eq!(
            transport.seen.load(Ordering::SeqCst),
            want_attempts,
            "{method}"
        );
        match want_attempts {
            2 => assert_eq!(result.expect("ok").attempts(), 2),
            _ => assert!(result.expect_err("timeout").is_timeout()),
        }
    }
}

#[tokio::test(start_paused = true)]
async fn a_call_timeout_is_not_retried() {
    let transport = Hanging {
        hangs: usize::MAX,
        seen: AtomicUsize::new(0),
    };
    let client = Client::builder("https://api.test/v1")
        .transport(transport)
        .retry(top())
        .attempt_timeout(Duration::from_secs(10))
        .timeout(Duration::from_secs(3))
        .build()
        .expect("client");
    let start = Instant::now();
    let err = client
        .execute(request(Method::GET))
        .await
        .expect_err("timeout");
    assert!(err.is_timeout());
    assert_eq!(start.elapsed(), Duration::from_secs(3));
}
