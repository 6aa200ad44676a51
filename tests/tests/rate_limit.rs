//! Client-side rate limits against a real server on 127.0.0.1 that counts
//! what it receives. Time is paused: tokio moves the clock on to the next
//! slot whenever the runtime is idle, so pacing costs nothing, and what is
//! asserted is what reached the server.

mod support;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use futures::StreamExt;
use restrait::{Client, Error, Quota, Result, RetryPolicy, resource};
use serde::Deserialize;
use support::{Reply, TestServer};
use tokio::time::Instant;

#[derive(Debug, Deserialize)]
struct Hit {
    n: usize,
}

#[resource]
trait Api {
    #[get("/things")]
    async fn things(&self) -> Result<Hit>;

    #[get("/search")]
    #[rate_limit("search")]
    async fn search(&self, #[query] q: &str) -> Result<Hit>;

    #[get("/other")]
    #[rate_limit("unconfigured")]
    async fn other(&self) -> Result<Hit>;

    #[get("/pages")]
    #[rate_limit("pages")]
    #[paginate(cursor = "next", param = "cursor", items = "data")]
    fn pages(&self) -> restrait::Paginator<Hit>;
}

/// A server that numbers the requests it answers.
async fn counting() -> TestServer {
    let seen = Arc::new(AtomicUsize::new(0));
    TestServer::start(move |_| {
        let n = seen.fetch_add(1, Ordering::SeqCst);
        async move { Reply::json(200, &serde_json::json!({ "n": n })) }
    })
    .await
}

fn api(client: Client) -> ApiClient {
    ApiClient::new(client)
}

#[tokio::test(start_paused = true)]
async fn calls_past_the_burst_wait_for_their_slots() {
    let server = counting().await;
    let client = restrait_tests::client_builder(server.url())
        .rate_limit(Quota::per_second(2).burst(2))
        .build()
        .expect("client");
    let api = api(client);
    let start = Instant::now();
    for i in 0..5 {
        assert_eq!(api.things().await.expect("call").n, i);
    }
    assert_eq!(server.request_count(), 5);
    // Two at once, then one every 500 ms: the fifth goes 1.5 s in at the
    // earliest (paused time only moves on to the next slot).
    assert!(Instant::now() - start >= Duration::from_millis(1500));
}

#[tokio::test(start_paused = true)]
async fn a_slot_past_the_deadline_fails_at_once_and_sends_nothing() {
    let server = counting().await;
    let client = restrait_tests::client_builder(server.url())
        .rate_limit(Quota::per_minute(1))
        .timeout(Duration::from_secs(5))
        .build()
        .expect("client");
    let api = api(client);
    api.things().await.expect("first slot");
    let start = Instant::now();
    let err = api.things().await.expect_err("no slot within 5 s");
    assert!(
        Instant::now() - start < Duration::from_secs(5),
        "did not wait"
    );
    assert!(err.is_local_rate_limit(), "{err:?}");
    assert!(err.to_string().contains("client's rate limit"), "{err}");
    let Error::RateLimited { retry_after, error } = &err else {
        panic!("{err:?}");
    };
    assert_eq!(error.attempts(), 0);
    assert!(
        retry_after.is_some_and(|d| d > Duration::from_secs(50)),
        "{retry_after:?}"
    );
    assert_eq!(server.request_count(), 1);
}

#[tokio::test(start_paused = true)]
async fn a_group_has_its_own_quota_on_top_of_the_clients() {
    let server = counting().await;
    let client = restrait_tests::client_builder(server.url())
        .rate_limit_group("search", Quota::per_minute(2))
        .timeout(Duration::from_secs(5))
        .build()
        .expect("client");
    let api = api(client);
    api.search("a").await.expect("slot 1");
    api.search("b").await.expect("slot 2");
    let err = api.search("c").await.expect_err("group exhausted");
    assert!(err.to_string().contains("group `search`"), "{err}");
    assert!(err.is_local_rate_limit());
    // Methods outside the group, and a group the client does not
    // configure, are not held back by it.
    for _ in 0..10 {
        api.things().await.expect("ungrouped");
        api.other().await.expect("unconfigured group");
    }
    assert_eq!(server.request_count(), 22);
    assert!(
        server
            .requests()
            .iter()
            .all(|r| r.path() != "/search" || r.query() != Some("q=c"))
    );
}

#[tokio::test(start_paused = true)]
async fn retries_draw_on_the_same_budget() {
    let server = TestServer::start(|_| async { Reply::status(503) }).await;
    let client = restrait_tests::client_builder(server.url())
        .rate_limit(Quota::per_minute(2))
        .retry(RetryPolicy::default().max_retries(5).jitter(|| 1.0))
        .timeout(Duration::from_secs(10))
        .build()
        .expect("client");
    let err = api(client).things().await.expect_err("503s, then no slot");
    // The first attempt and one retry took the two slots; the next retry
    // found its slot a minute away.
    assert!(err.is_local_rate_limit(), "{err:?}");
    assert_eq!(server.request_count(), 2);
}

#[tokio::test(start_paused = true)]
async fn many_callers_share_the_slots() {
    let server = counting().await;
    let client = restrait_tests::client_builder(server.url())
        .rate_limit(Quota::per_second(10).burst(5))
        .build()
        .expect("client");
    let api = api(client);
    let start = Instant::now();
    let calls: Vec<_> = (0..25)
        .map(|_| {
            let api = api.clone();
            tokio::spawn(async move { api.things().await.map(|h| h.n) })
        })
        .collect();
    let mut seen = Vec::new();
    for call in calls {
        seen.push(call.await.expect("task").expect("call"));
    }
    seen.sort_unstable();
    assert_eq!(seen, (0..25).collect::<Vec<_>>());
    // 5 at once, then 20 more at 10 per second.
    assert!(Instant::now() - start >= Duration::from_secs(2));
}

#[test]
fn an_empty_quota_is_a_config_error() {
    for builder in [
        Client::builder("http://127.0.0.1:1").rate_limit(Quota::per_second(0)),
        Client::builder("http://127.0.0.1:1").rate_limit_group("g", Quota::per_minute(3).burst(0)),
        Client::builder("http://127.0.0.1:1").rate_limit(Quota::new(1, Duration::ZERO)),
    ] {
        let err = builder.build().expect_err("invalid quota");
        assert!(matches!(err, Error::Config(_)), "{err:?}");
    }
}

/// A server with a budget of `budget` requests that reports what is left
/// in `style`, and answers 429 once it is used up; the budget comes back
/// `reset` seconds after it ran out.
async fn budgeted(budget: usize, style: &'static str) -> TestServer {
    let seen = Arc::new(AtomicUsize::new(0));
    TestServer::start(move |_| {
        let n = seen.fetch_add(1, Ordering::SeqCst);
        async move {
            if n >= budget {
                return Reply::status(429).header("retry-after", "30");
            }
            let left = (budget - n - 1).to_string();
            let reply = Reply::json(200, &serde_json::json!({ "n": n }));
            let reset_at = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .expect("clock")
                .as_secs()
                + 30;
            match style {
                "ietf" => reply
                    .header("ratelimit-policy", "\"default\";q=3;w=30")
                    .header("ratelimit", &format!("\"default\";r={left};t=30")),
                "github" => reply
                    .header("x-ratelimit-limit", "3")
                    .header("x-ratelimit-remaining", &left)
                    .header("x-ratelimit-reset", &reset_at.to_string()),
                _ => reply
                    .header("x-ratelimit-limit-requests", "3")
                    .header("x-ratelimit-remaining-requests", &left)
                    .header("x-ratelimit-reset-requests", "30s"),
            }
        }
    })
    .await
}

#[tokio::test(start_paused = true)]
async fn a_used_up_server_budget_holds_calls_instead_of_sending_them_into_a_429() {
    for style in ["ietf", "github", "openai"] {
        let server = budgeted(3, style).await;
        let client = restrait_tests::client_builder(server.url())
            .adapt_to_server_limits(true)
            .retry(RetryPolicy::never())
            .timeout(Duration::from_secs(10))
            .build()
            .expect("client");
        let api = api(client);
        for _ in 0..3 {
            api.things().await.expect("within the budget");
        }
        let err = api.things().await.expect_err("held past the deadline");
        assert!(err.is_local_rate_limit(), "{style}: {err:?}");
        assert!(err.to_string().contains("server's rate limit"), "{err}");
        assert_eq!(
            server.request_count(),
            3,
            "{style}: no request went into a 429"
        );
    }
}

#[tokio::test(start_paused = true)]
async fn a_held_call_goes_once_the_budget_resets() {
    let server = budgeted(1, "ietf").await;
    let client = restrait_tests::client_builder(server.url())
        .rate_limit(Quota::per_second(100))
        .retry(RetryPolicy::never())
        .build()
        .expect("client");
    let api = api(client);
    api.things().await.expect("the budget's one request");
    let start = Instant::now();
    // Held for the 30 s reset, then sent (into the 429 this server
    // answers once the budget is gone: the hold came first).
    let _ = api.things().await;
    assert!(Instant::now() - start >= Duration::from_secs(30));
    assert_eq!(server.request_count(), 2);
}

#[tokio::test(start_paused = true)]
async fn every_page_of_a_list_takes_a_slot() {
    // Endless pages: `{"data": [{"n": k}], "next": k + 1}`.
    let server = TestServer::start(|r| async move {
        let k: usize = r
            .query()
            .and_then(|q| q.strip_prefix("cursor="))
            .and_then(|k| k.parse().ok())
            .unwrap_or(0);
        Reply::json(
            200,
            &serde_json::json!({"data": [{"n": k}], "next": (k + 1).to_string()}),
        )
    })
    .await;
    let client = restrait_tests::client_builder(server.url())
        .rate_limit_group("pages", Quota::per_minute(3))
        .timeout(Duration::from_secs(5))
        .build()
        .expect("client");
    let items: Vec<_> = api(client).pages().collect().await;
    assert_eq!(items.len(), 4, "three pages, then the error: {items:?}");
    assert!(items[..3].iter().all(|i| i.is_ok()));
    let err = items[3].as_ref().expect_err("no slot for page 4");
    assert!(err.is_local_rate_limit(), "{err:?}");
    assert_eq!(server.request_count(), 3);
}
