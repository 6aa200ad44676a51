//! Beyond the happy path: retry storm, token stampede, pagination, and the
//! macro's expansion time.

use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use futures::{StreamExt, TryStreamExt};
use restrait::__private::{Method, RequestBuilder, ResourceClient};
use restrait::auth::TokenSet;
use restrait::{Client, OAuth2, Pagination, RetryPolicy};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::contenders::{BoxError, User, Users, UsersClient, raw_reqwest};
use crate::server::{Server, TOTAL_ITEMS};
use crate::stats::median;

/// An always-503 route, `calls` calls `concurrency` at a time, with the
/// default retry budget and without: attempts the server saw per call.
pub(crate) async fn retry_storm(server: &Server, calls: usize, concurrency: usize) -> Value {
    // The default policy (3 retries, full jitter), with a 5 ms base delay
    // instead of 100 ms so that the scenario takes a second, not a minute.
    let policy = || RetryPolicy::default().base_delay(Duration::from_millis(5));
    let mut out = serde_json::Map::new();
    for (name, policy) in [
        ("budget_on", policy()),
        ("budget_off", policy().no_budget()),
    ] {
        let client = Client::builder(&server.base)
            .retry(policy)
            .build()
            .expect("restrait client");
        let users = UsersClient::new(client);
        let before = server.counters.unavailable_requests.load(Ordering::SeqCst);
        let start = Instant::now();
        let failed = futures::stream::iter(0..calls)
            .map(|_| users.unavailable())
            .buffer_unordered(concurrency)
            .filter(|r| std::future::ready(r.is_err()))
            .count()
            .await;
        let secs = start.elapsed().as_secs_f64();
        let attempts = server.counters.unavailable_requests.load(Ordering::SeqCst) - before;
        out.insert(
            name.into(),
            json!({
                "calls": calls,
                "failed": failed,
                "attempts": attempts,
                "attempts_per_call": attempts as f64 / calls as f64,
                "secs": secs,
            }),
        );
    }
    Value::Object(out)
}

/// `calls` concurrent calls through a client whose OAuth2 token has
/// expired: how many token requests reach the token endpoint.
pub(crate) async fn token_stampede(server: &Server, calls: usize) -> Value {
    let oauth = OAuth2::client_credentials(
        format!("{}/oauth/token", server.base),
        "bench",
        "bench-secret",
    )
    .initial_tokens(TokenSet::new("expired").with_expires_in(Duration::ZERO));
    let client = Client::builder(&server.base)
        .auth(oauth)
        // Keeps the loopback server's accept backlog out of the figure.
        .max_in_flight(64)
        .build()
        .expect("restrait client");
    let users = UsersClient::new(client);
    let before = server.counters.token_requests.load(Ordering::SeqCst);
    let start = Instant::now();
    let results = futures::future::join_all((0..calls).map(|i| users.get(i as u64 + 1))).await;
    let secs = start.elapsed().as_secs_f64();
    let ok = results.iter().filter(|r| r.is_ok()).count();
    let token_requests = server.counters.token_requests.load(Ordering::SeqCst) - before;
    json!({
        "calls": calls,
        "succeeded": ok,
        "token_requests": token_requests,
        "secs": secs,
    })
}

const PAGE_SIZE: u32 = 100;

/// restrait's cursor paginator over all items.
async fn paginate_restrait(resource: &ResourceClient) -> Result<usize, BoxError> {
    let mut first = RequestBuilder::new(resource, Method::GET, "/users");
    first.path("/users");
    first.query("limit", &PAGE_SIZE);
    let items = first
        .paginate::<User>(Pagination::cursor("next_cursor", "cursor").items("data"))
        .try_fold(0usize, |n, user| {
            std::hint::black_box(user);
            std::future::ready(Ok(n + 1))
        })
        .await?;
    Ok(items)
}

/// The page loop a reqwest user writes by hand.
async fn paginate_reqwest(client: &reqwest::Client, base: &str) -> Result<usize, BoxError> {
    #[derive(Deserialize)]
    struct PageBody {
        data: Vec<User>,
        next_cursor: Option<String>,
    }
    let mut items = 0;
    let mut cursor: Option<String> = None;
    loop {
        // The cursors are decimal: nothing in them needs escaping.
        let url = match &cursor {
            None => format!("{base}/users?limit={PAGE_SIZE}"),
            Some(cursor) => format!("{base}/users?limit={PAGE_SIZE}&cursor={cursor}"),
        };
        let response = client.get(url).send().await?.error_for_status()?;
        let page: PageBody = serde_json::from_slice(&response.bytes().await?)?;
        for user in page.data {
            std::hint::black_box(user);
            items += 1;
        }
        match page.next_cursor {
            Some(next) if !next.is_empty() => cursor = Some(next),
            _ => return Ok(items),
        }
    }
}

/// Items per second over all pages, restrait and a hand-written reqwest
/// loop alternated `rounds` times.
pub(crate) async fn pagination(server: &Server, rounds: usize) -> Value {
    let resource = ResourceClient::new(
        Client::builder(&server.base)
            .build()
            .expect("restrait client"),
        "Users",
    );
    let client = raw_reqwest();
    let (mut ours, mut theirs, mut ratios) = (Vec::new(), Vec::new(), Vec::new());
    let mut problem = None;
    // One round to warm up, then the measured ones.
    for round in 0..=rounds {
        let start = Instant::now();
        let a = paginate_restrait(&resource).await;
        let a_rate = rate(a, start, &mut problem);
        let start = Instant::now();
        let b = paginate_reqwest(&client, &server.base).await;
        let b_rate = rate(b, start, &mut problem);
        if round > 0 {
            ours.push(a_rate);
            theirs.push(b_rate);
            ratios.push(a_rate / b_rate);
        }
    }
    json!({
        "items": TOTAL_ITEMS,
        "page_size": PAGE_SIZE,
        "rounds": rounds,
        "restrait_items_per_sec": median(&ours),
        "reqwest_items_per_sec": median(&theirs),
        "ratio": median(&ratios),
        "error": problem,
    })
}

fn rate(result: Result<usize, BoxError>, start: Instant, problem: &mut Option<String>) -> f64 {
    let secs = start.elapsed().as_secs_f64();
    match result {
        Ok(n) if n as u64 == TOTAL_ITEMS => n as f64 / secs,
        Ok(n) => {
            *problem = Some(format!("expected {TOTAL_ITEMS} items, got {n}"));
            f64::NAN
        }
        Err(e) => {
            *problem = Some(e.to_string());
            f64::NAN
        }
    }
}

/// Runs the macro crate's own timing example (`macros/examples/expand_timing.rs`,
/// which calls the expansion function on a generated 1,000-method trait) and
/// reads its figures.
pub(crate) fn expansion() -> Value {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let output = std::process::Command::new(cargo)
        .args([
            "run",
            "--release",
            "--quiet",
            "-p",
            "restrait-macros",
            "--example",
            "expand_timing",
        ])
        .current_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/.."))
        .output();
    let output = match output {
        Ok(o) if o.status.success() => o,
        Ok(o) => {
            return json!({
                "error": format!("expand_timing failed: {}", String::from_utf8_lossy(&o.stderr).trim())
            });
        }
        Err(e) => return json!({ "error": format!("cannot run cargo: {e}") }),
    };
    let line = String::from_utf8_lossy(&output.stdout).trim().to_owned();
    // "expanding a 1000-method trait: best 80.1 ms, median 85.2 ms (.. KiB of output)"
    let after = |key: &str| -> Option<f64> {
        let rest = &line[line.find(key)? + key.len()..];
        rest.split_whitespace().next()?.parse().ok()
    };
    json!({
        "methods": 1000,
        "best_ms": after("best "),
        "median_ms": after("median "),
        "line": line,
    })
}
