//! The retry policy against a real HTTP server on 127.0.0.1 that counts the
//! attempts it receives. Time is paused: tokio moves the clock on whenever
//! the runtime is idle, so backoff and `Retry-After` waits cost nothing and
//! can be measured, while the sockets work as usual.

mod support;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use restrait::http::{HeaderName, Method};
use restrait::{
    BoxFuture, CallOptions, Client, Error, Middleware, Next, Request, Response, Result, RetryPolicy,
};
use restrait_tests::client_builder;
use restrait_tests::helpers::{self, counting_server as server};
use support::{Reply, TestServer};
use tokio::time::Instant;

/// A server answering the statuses in turn, the last one repeating.
async fn statuses(list: &'static [u16]) -> TestServer {
    server(move |n| Reply::status(list[n.min(list.len() - 1)])).await
}

/// The longest waits of the default schedule: 100, 200, 400 ms.
fn policy() -> RetryPolicy {
    RetryPolicy::default().jitter(|| 1.0)
}

fn client(server: &TestServer, policy: RetryPolicy) -> Client {
    client_builder(server.url())
        .retry(policy)
        .build()
        .expect("valid client")
}

fn request(client: &Client, method: Method) -> Request {
    helpers::request(client, method, "/things")
}

fn with(mut request: Request, options: CallOptions) -> Request {
    *request.options_mut() = options;
    request
}

fn keys(server: &TestServer) -> Vec<Option<String>> {
    server
        .requests()
        .iter()
        .map(|r| r.header("idempotency-key").map(str::to_owned))
        .collect()
}

#[tokio::test(start_paused = true)]
async fn get_503_503_200_succeeds_in_three_attempts() {
    let server = statuses(&[503, 503, 200]).await;
    let client = client(&server, policy());
    let start = Instant::now();
    let response = client
        .execute(request(&client, Method::GET))
        .await
        .expect("ok");
    assert_eq!(response.status(), 200);
    assert_eq!(response.attempts(), 3);
    assert_eq!(server.request_count(), 3);
    let waited = start.elapsed();
    assert!(
        waited >= Duration::from_millis(300) && waited < Duration::from_millis(400),
        "backoff 100 ms + 200 ms, waited {waited:?}"
    );
    assert_eq!(keys(&server), [None, None, None], "a GET gets no key");
}

#[tokio::test(start_paused = true)]
async fn a_failed_call_says_how_many_attempts_it_made() {
    let server = statuses(&[502]).await;
    let client = client(&server, policy().max_retries(2));
    let err = client
        .execute(request(&client, Method::PUT))
        .await
        .expect("response")
        .error_for_status()
        .expect_err("502");
    assert_eq!(server.request_count(), 3);
    assert_eq!(err.api().map(|e| e.attempts()), Some(3));
    assert!(err.to_string().contains("after 3 attempts"), "{err}");
}

#[tokio::test(start_paused = true)]
async fn a_plain_post_is_not_retried_after_reaching_the_server() {
    let server = statuses(&[503, 200]).await;
    let client = client(&server, policy());
    let response = client
        .execute(request(&client, Method::POST))
        .await
        .expect("response");
    assert_eq!(response.status(), 503);
    assert_eq!(server.request_count(), 1);
    assert_eq!(keys(&server), [None]);
}

#[tokio::test(start_paused = true)]
async fn an_idempotent_post_is_retried_with_one_stable_key() {
    let server = statuses(&[503, 500, 201]).await;
    let client = client(&server, policy());
    let mut req = request(&client, Method::POST);
    req.set_idempotent(true);
    req.set_body("{\"amount\":5}");
    let response = client.execute(req).await.expect("ok");
    assert_eq!(response.status(), 201);
    let seen = server.requests();
    assert_eq!(seen.len(), 3);
    let key = seen[0].header("idempotency-key").expect("a key").to_owned();
    assert_eq!(key.len(), 36, "a UUID: {key}");
    for r in &seen {
        assert_eq!(r.header("idempotency-key"), Some(key.as_str()));
        assert_eq!(r.text(), "{\"amount\":5}", "the body is sent again");
    }
}

#[tokio::test(start_paused = true)]
async fn the_callers_key_wins_on_every_attempt() {
    let server = statuses(&[503, 200]).await;
    let client = client(&server, policy());
    let req = with(
        request(&client, Method::PATCH),
        CallOptions::new().idempotency_key("charge-2024-0001"),
    );
    client.execute(req).await.expect("ok");
    assert_eq!(
        keys(&server),
        [
            Some("charge-2024-0001".to_owned()),
            Some("charge-2024-0001".to_owned())
        ]
    );
}

#[tokio::test(start_paused = true)]
async fn the_key_header_name_is_the_policys() {
    let server = statuses(&[503, 200]).await;
    let name = HeaderName::from_static("x-idempotency-key");
    let client = client(&server, policy().idempotency_header(name));
    let mut req = request(&client, Method::POST);
    req.set_idempotent(true);
    client.execute(req).await.expect("ok");
    let seen = server.requests();
    assert_eq!(seen.len(), 2);
    assert!(seen[0].header("x-idempotency-key").is_some());
    assert_eq!(
        seen[0].header("x-idempotency-key"),
        seen[1].header("x-idempotency-key")
    );
    assert_eq!(keys(&server), [None, None]);
}

#[tokio::test(start_paused = true)]
async fn a_post_is_retried_on_429_after_retry_after_seconds() {
    let server = server(|n| match n {
        0 => Reply::status(429).header("retry-after", "3"),
        _ => Reply::status(200),
    })
    .await;
    let client = client(&server, policy());
    let start = Instant::now();
    let response = client
        .execute(request(&client, Method::POST))
        .await
        .expect("ok");
    assert_eq!(response.status(), 200);
    assert_eq!(server.request_count(), 2);
    let waited = start.elapsed();
    assert!(
        waited >= Duration::from_secs(3) && waited < Duration::from_millis(3100),
        "waited {waited:?}"
    );
}

#[tokio::test(start_paused = true)]
async fn retry_after_as_an_http_date_is_honoured() {
    let at = std::time::SystemTime::now() + Duration::from_secs(5);
    let date = httpdate_string(at);
    let server = server(move |n| match n {
        0 => Reply::status(503).header("retry-after", &date),
        _ => Reply::status(200),
    })
    .await;
    let client = client(&server, policy());
    let start = Instant::now();
    client
        .execute(request(&client, Method::GET))
        .await
        .expect("ok");
    assert_eq!(server.request_count(), 2);
    // The date has whole seconds and is read against the wall clock.
    let waited = start.elapsed();
    assert!(
        waited >= Duration::from_secs(3) && waited <= Duration::from_secs(5),
        "waited {waited:?}"
    );
}

/// An IMF-fixdate, as servers send it.
fn httpdate_string(at: std::time::SystemTime) -> String {
    let secs = at
        .duration_since(std::time::UNIX_EPOCH)
        .expect("after 1970")
        .as_secs();
    let days = secs / 86_400;
    let (h, m, s) = (secs % 86_400 / 3600, secs % 3600 / 60, secs % 60);
    // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + u64::from(month <= 2);
    let weekday = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"][(days % 7) as usize];
    let months = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    format!(
        "{weekday}, {day:02} {} {year} {h:02}:{m:02}:{s:02} GMT",
        months[(month - 1) as usize]
    )
}

#[tokio::test(start_paused = true)]
async fn retry_after_is_capped_by_the_policy() {
    let server = server(|n| match n {
        0 => Reply::status(429).header("retry-after", "86400"),
        _ => Reply::status(200),
    })
    .await;
    let client = client(&server, policy().max_retry_after(Duration::from_secs(2)));
    let start = Instant::now();
    client
        .execute(request(&client, Method::GET))
        .await
        .expect("ok");
    let waited = start.elapsed();
    assert!(
        waited >= Duration::from_secs(2) && waited < Duration::from_millis(2100),
        "waited {waited:?}"
    );
}

#[tokio::test(start_paused = true)]
async fn a_wait_past_the_deadline_ends_the_call_with_the_servers_wait() {
    let server = server(|_| Reply::status(429).header("retry-after", "30")).await;
    let client = client_builder(server.url())
        .retry(policy())
        .timeout(Duration::from_secs(10))
        .build()
        .expect("valid");
    let start = Instant::now();
    let err = client
        .execute(request(&client, Method::GET))
        .await
        .expect("response")
        .error_for_status()
        .expect_err("429");
    assert!(start.elapsed() < Duration::from_secs(1), "no sleep");
    assert_eq!(server.request_count(), 1);
    match err {
        Error::RateLimited { retry_after, .. } => {
            assert_eq!(retry_after, Some(Duration::from_secs(30)));
        }
        other => panic!("expected RateLimited, got {other:?}"),
    }
}

#[tokio::test(start_paused = true)]
async fn backoff_stays_within_the_deadline() {
    let server = statuses(&[503]).await;
    // Waits of 1, 2, 4, 8 s against a 6 s deadline: after 1 s and 2 s, the
    // 4 s wait would cross it.
    let client = client_builder(server.url())
        .retry(policy().base_delay(Duration::from_secs(1)).max_retries(10))
        .timeout(Duration::from_secs(6))
        .build()
        .expect("valid");
    let start = Instant::now();
    let response = client
        .execute(request(&client, Method::GET))
        .await
        .expect("response");
    assert_eq!(response.status(), 503);
    assert_eq!(server.request_count(), 3);
    assert!(start.elapsed() < Duration::from_secs(4));
}

#[tokio::test(start_paused = true)]
async fn an_attempt_that_times_out_is_retried() {
    let server = server(|n| match n {
        0 => Reply::status(200).after(Duration::from_secs(60)),
        _ => Reply::status(200),
    })
    .await;
    let client = client_builder(server.url())
        .retry(policy())
        .attempt_timeout(Duration::from_secs(1))
        .build()
        .expect("valid");
    let response = client
        .execute(request(&client, Method::GET))
        .await
        .expect("ok");
    assert_eq!(response.attempts(), 2);
    assert_eq!(server.request_count(), 2);
}

/// Counts the attempts that pass through it (it sits inside the retry
/// middleware, so it sees each one).
#[derive(Clone, Default)]
struct CountAttempts(Arc<AtomicUsize>);

impl Middleware for CountAttempts {
    fn handle<'a>(&'a self, request: Request, next: Next<'a>) -> BoxFuture<'a, Result<Response>> {
        self.0.fetch_add(1, Ordering::SeqCst);
        next.run(request)
    }
}

#[tokio::test(start_paused = true)]
async fn a_refused_connection_is_retried_even_for_a_post() {
    // A port nobody listens on.
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        listener.local_addr().expect("addr").port()
    };
    let counter = CountAttempts::default();
    let client = client_builder(format!("http://127.0.0.1:{port}"))
        .retry(policy())
        .middleware(counter.clone())
        .build()
        .expect("valid");
    let err = client
        .execute(request(&client, Method::POST))
        .await
        .expect_err("refused");
    assert!(err.is_connect(), "{err:?}");
    assert_eq!(counter.0.load(Ordering::SeqCst), 4);
    match &err {
        restrait::Error::Transport(e) => assert_eq!(e.attempts(), 4),
        other => panic!("expected a transport error, got {other:?}"),
    }
    assert!(err.to_string().ends_with("(after 4 attempts)"), "{err}");
}

#[tokio::test(start_paused = true)]
async fn each_retry_decision_is_a_tracing_event_without_secrets() {
    let (capture, _guard) = restrait_tests::LogCapture::install(tracing::Level::DEBUG);

    // tracing caches each callsite's interest process-wide, computed on the
    // thread that first reaches it: a sibling test without a subscriber may
    // have cached `never`. Reach the retry callsites here, then have their
    // interest computed again against this thread's subscriber.
    let warm = statuses(&[503]).await;
    let warm_client = client(&warm, policy().max_retries(1));
    warm_client
        .execute(request(&warm_client, Method::GET))
        .await
        .expect("response");
    capture.refresh();
    capture.clear();

    let server = server(|n| match n {
        0 => Reply::status(503).body("secret-body"),
        _ => Reply::status(503),
    })
    .await;
    let client = client_builder(server.url())
        .retry(policy().max_retries(1))
        .default_header("authorization", "Bearer sk_live_secret")
        .build()
        .expect("valid");
    client
        .execute(request(&client, Method::GET))
        .await
        .expect("response");

    let logs = capture.text();
    let retry = logs
        .lines()
        .find(|l| l.contains("retrying GET"))
        .unwrap_or_else(|| panic!("no retry event in:\n{logs}"));
    for field in [
        "http.request.resend_count=1",
        "http.response.status_code=503",
        "retry.reason=\"status\"",
        "retry.wait_ms=100",
    ] {
        assert!(retry.contains(field), "missing {field} in {retry}");
    }
    let give_up = logs
        .lines()
        .find(|l| l.contains("not retrying GET"))
        .unwrap_or_else(|| panic!("no give-up event in:\n{logs}"));
    assert!(
        give_up.contains("retry.decision=\"retries_exhausted\""),
        "{give_up}"
    );
    assert!(!logs.contains("sk_live_secret"), "a secret leaked:\n{logs}");
    assert!(!logs.contains("secret-body"), "a body leaked:\n{logs}");
}

/// The attributes of a `#[resource]` trait drive the policy.
mod declared {
    use restrait::{Result, resource};

    #[resource]
    pub(crate) trait Jobs {
        #[post("/jobs")]
        #[idempotent]
        async fn start(&self) -> Result<()>;

        #[post("/jobs/plain")]
        async fn start_plain(&self) -> Result<()>;

        #[get("/jobs")]
        #[retry(never)]
        async fn list(&self) -> Result<()>;

        #[get("/jobs/one")]
        #[retry(max = 1)]
        async fn one(&self) -> Result<()>;
    }
}

#[tokio::test(start_paused = true)]
async fn method_attributes_and_call_options_set_the_retries() {
    use declared::{Jobs, JobsClient};

    let server = statuses(&[503]).await;
    let count = |path: &str| {
        server
            .requests()
            .iter()
            .filter(|r| r.path() == path)
            .count()
    };
    let jobs = JobsClient::new(client(&server, policy()));

    let err = jobs.start().await.expect_err("503");
    assert_eq!(err.api().map(|e| e.attempts()), Some(4));
    assert_eq!(count("/jobs"), 4, "#[idempotent] POST");
    let started: Vec<_> = server
        .requests()
        .iter()
        .filter(|r| r.path() == "/jobs")
        .map(|r| r.header("idempotency-key").map(str::to_owned))
        .collect();
    assert!(started[0].is_some() && started.iter().all(|k| *k == started[0]));

    jobs.start_plain().await.expect_err("503");
    assert_eq!(count("/jobs/plain"), 1, "plain POST");

    jobs.list().await.expect_err("503");
    assert_eq!(count("/jobs") - 4, 1, "#[retry(never)]");

    jobs.one().await.expect_err("503");
    assert_eq!(count("/jobs/one"), 2, "#[retry(max = 1)]");

    // A call option wins over the attribute.
    let more = jobs.with_options(CallOptions::new().max_retries(3));
    more.list().await.expect_err("503");
    assert_eq!(count("/jobs") - 5, 4, "with_options(max_retries(3))");

    // A key from the caller makes a plain POST retryable.
    let keyed = jobs.with_options(CallOptions::new().idempotency_key("job-1"));
    keyed.start_plain().await.expect_err("503");
    assert_eq!(count("/jobs/plain") - 1, 4);
    assert_eq!(server.last().header("idempotency-key"), Some("job-1"));
}
