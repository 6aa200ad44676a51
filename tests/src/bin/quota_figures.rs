//! The figures of issue 17, measured against a loopback API that counts
//! what it receives: `cargo run -p restrait-tests --bin quota_figures`.
//!
//! 1. 4 processes x 32 callers sharing a 50 req/s quota (burst 10) on
//!    Redis: what the server sees per second, and how many requests its
//!    own quota (at most 50 + 10 in any one second) refused with a 429.
//! 2. The same with a limiter per process only.
//! 3. 100 processes starting with no token, then the same after the token
//!    expired (the API answers 401 to it): token requests.
//! 4. 100 GETs of one resource under the cache: 304s and bytes saved.
//!
//! It starts its own `redis-server` (see `.ci/install-redis`) and runs the
//! processes as copies of itself (`quota_figures worker ..`).

use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use restrait::redis::{Redis, RedisTokenStore};
use restrait::{Cache, CacheStatus, Client, OAuth2, Quota, Request, RetryPolicy};
use restrait_tests::{RedisServer, Reply, TestServer};

const RATE: u32 = 50;
const BURST: u32 = 10;
const PROCESSES: usize = 4;
const CALLERS: usize = 32;
const SECONDS: u64 = 5;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    match args.first().map(String::as_str) {
        Some("worker") => runtime.block_on(worker(&args[1..])),
        _ => runtime.block_on(figures()),
    }
}

/// The arrival times the API saw, and the 429s its own quota gave.
#[derive(Default)]
struct Seen {
    arrivals: Mutex<Vec<Instant>>,
    refused: AtomicUsize,
    /// The requests the API let through in the last second.
    window: Mutex<std::collections::VecDeque<Instant>>,
    tokens: AtomicUsize,
    expired: AtomicUsize,
}

impl Seen {
    /// True if the API's own quota allows a request now: at most RATE +
    /// BURST in any one second (50 req/s plus one burst).
    fn allow(&self, now: Instant) -> bool {
        let mut window = self.window.lock().expect("lock");
        while window
            .front()
            .is_some_and(|t| now - *t >= Duration::from_secs(1))
        {
            window.pop_front();
        }
        if window.len() >= (RATE + BURST) as usize {
            return false;
        }
        window.push_back(now);
        true
    }

    /// The most requests that arrived within any one second.
    fn peak_per_second(&self) -> usize {
        let mut times = self.arrivals.lock().expect("lock").clone();
        times.sort();
        let mut peak = 0;
        let mut start = 0;
        for end in 0..times.len() {
            while times[end] - times[start] >= Duration::from_secs(1) {
                start += 1;
            }
            peak = peak.max(end - start + 1);
        }
        peak
    }

    fn reset(&self) {
        self.arrivals.lock().expect("lock").clear();
        self.window.lock().expect("lock").clear();
        self.refused.store(0, Ordering::SeqCst);
    }
}

async fn api(seen: Arc<Seen>) -> TestServer {
    TestServer::start(move |r| {
        let seen = seen.clone();
        async move {
            match r.path() {
                "/token" => {
                    let n = seen.tokens.fetch_add(1, Ordering::SeqCst);
                    Reply::json(
                        200,
                        &serde_json::json!({"access_token": format!("at_{n}"), "expires_in": 3600}),
                    )
                }
                "/me" => {
                    let n = r
                        .header("authorization")
                        .and_then(|h| h.strip_prefix("Bearer at_"))
                        .and_then(|n| n.parse::<usize>().ok());
                    match n {
                        Some(n) if n >= seen.expired.load(Ordering::SeqCst) => Reply::status(204),
                        _ => Reply::status(401),
                    }
                }
                _ => {
                    let now = Instant::now();
                    seen.arrivals.lock().expect("lock").push(now);
                    if seen.allow(now) {
                        Reply::status(204)
                    } else {
                        seen.refused.fetch_add(1, Ordering::SeqCst);
                        Reply::status(429).header("retry-after", "1")
                    }
                }
            }
        }
    })
    .await
}

/// Runs `count` copies of this program as workers and waits for them.
fn processes(count: usize, args: &[&str]) {
    let exe = std::env::current_exe().expect("own path");
    let children: Vec<_> = (0..count)
        .map(|_| {
            Command::new(&exe)
                .arg("worker")
                .args(args)
                .stdout(Stdio::null())
                .spawn()
                .expect("spawn a worker")
        })
        .collect();
    for mut child in children {
        let status = child.wait().expect("worker");
        assert!(status.success(), "a worker failed: {status}");
    }
}

async fn figures() {
    let redis = RedisServer::start();
    let seen = Arc::new(Seen::default());
    let server = api(seen.clone()).await;
    let (api_url, redis_url) = (server.url(), redis.url());

    println!(
        "quota: {RATE} req/s, burst {BURST}; {PROCESSES} processes x {CALLERS} callers, {SECONDS} s"
    );
    for mode in ["shared", "local"] {
        seen.reset();
        let started = Instant::now();
        let secs = SECONDS.to_string();
        let (a, r) = (api_url.clone(), redis_url.clone());
        tokio::task::spawn_blocking(move || processes(PROCESSES, &["rate", mode, &a, &r, &secs]))
            .await
            .expect("workers");
        let elapsed = started.elapsed().as_secs_f64();
        let (total, span) = {
            let arrivals = seen.arrivals.lock().expect("lock");
            let first = arrivals.iter().min().copied();
            let last = arrivals.iter().max().copied();
            let span = first.zip(last).map_or(0.0, |(f, l)| (l - f).as_secs_f64());
            (arrivals.len(), span)
        };
        println!(
            "{mode:>6} limiter: {total} requests over {span:.1} s ({:.1} req/s; run {elapsed:.1} s with start-up), peak {} in one second, {} answered 429 by the API's own quota",
            total as f64 / span.max(f64::MIN_POSITIVE),
            seen.peak_per_second(),
            seen.refused.load(Ordering::SeqCst),
        );
    }

    for round in ["no token yet", "after the token expired"] {
        let before = seen.tokens.load(Ordering::SeqCst);
        let (a, r) = (api_url.clone(), redis_url.clone());
        tokio::task::spawn_blocking(move || processes(100, &["token", &a, &r]))
            .await
            .expect("workers");
        let made = seen.tokens.load(Ordering::SeqCst) - before;
        println!("100 processes, {round}: {made} token request(s)");
        seen.expired
            .store(seen.tokens.load(Ordering::SeqCst), Ordering::SeqCst);
    }

    cache_figure().await;
}

async fn cache_figure() {
    let body = serde_json::to_vec(&serde_json::json!({
        "items": (0..200).map(|i| serde_json::json!({"id": i, "name": format!("item {i}")})).collect::<Vec<_>>()
    }))
    .expect("json");
    let len = body.len();
    let full = Arc::new(AtomicUsize::new(0));
    let counted = full.clone();
    let server = TestServer::start(move |r| {
        let (body, counted) = (body.clone(), counted.clone());
        async move {
            if r.header("if-none-match") == Some("\"v1\"") {
                return Reply::status(304).header("etag", "\"v1\"");
            }
            counted.fetch_add(1, Ordering::SeqCst);
            Reply::text(200, String::from_utf8(body).expect("utf-8"))
                .header("etag", "\"v1\"")
                .header("cache-control", "no-cache")
        }
    })
    .await;
    let cache = Cache::memory(1 << 20);
    let client = Client::builder(server.url())
        .cache(cache.clone())
        .build()
        .expect("client");
    let mut revalidated = 0;
    for _ in 0..100 {
        let url = client.base_url().join("/items").expect("url");
        let response = client
            .execute(Request::new(restrait::http::Method::GET, url))
            .await
            .expect("get");
        revalidated += usize::from(response.cache_status() == Some(CacheStatus::Revalidated));
    }
    let stats = cache.stats();
    println!(
        "cache: 100 GETs of a {len}-byte body: {} full answers, {revalidated} x 304, {} body bytes saved ({:.0}%)",
        full.load(Ordering::SeqCst),
        stats.bytes_saved,
        100.0 * stats.bytes_saved as f64 / (100 * len) as f64,
    );
}

async fn worker(args: &[String]) {
    match args {
        [kind, mode, api, redis, secs] if kind == "rate" => {
            let quota = Quota::per_second(RATE).burst(BURST);
            let builder = Client::builder(api.as_str())
                .retry(RetryPolicy::never())
                // The limiters alone: no holding back on the API's 429s.
                .adapt_to_server_limits(false)
                .timeout(Duration::from_secs(1));
            let redis = Redis::open(redis)
                .expect("redis")
                .timeout(Duration::from_secs(5));
            let builder = match mode.as_str() {
                "shared" => builder.shared_rate_limit(&redis, "figures", quota),
                _ => builder.rate_limit(quota),
            };
            let client = builder.build().expect("client");
            let end = Instant::now() + Duration::from_secs(secs.parse().expect("seconds"));
            let callers: Vec<_> = (0..CALLERS)
                .map(|_| {
                    let client = client.clone();
                    tokio::spawn(async move {
                        while Instant::now() < end {
                            let url = client.base_url().join("/things").expect("url");
                            let call =
                                client.execute(Request::new(restrait::http::Method::GET, url));
                            match call.await {
                                Ok(_) => {}
                                // The next slot is more than the call's second away.
                                Err(e) if e.is_local_rate_limit() => {
                                    let wait = e.retry_after().unwrap_or_default();
                                    tokio::time::sleep(wait.min(Duration::from_millis(200))).await;
                                }
                                // A slot just before the deadline leaves the
                                // request too little time: counted by the API
                                // like any other.
                                Err(e) if e.is_timeout() => {}
                                Err(e) => panic!("{e}"),
                            }
                        }
                    })
                })
                .collect();
            for caller in callers {
                caller.await.expect("caller");
            }
        }
        [kind, api, redis] if kind == "token" => {
            let redis = Redis::open(redis)
                .expect("redis")
                .timeout(Duration::from_secs(5));
            let oauth = OAuth2::client_credentials(format!("{api}/token"), "fleet", "s3cret")
                .store(RedisTokenStore::new(&redis, "figures:tokens"));
            let client = Client::builder(api.as_str())
                .auth(oauth)
                .build()
                .expect("client");
            let url = client.base_url().join("/me").expect("url");
            let response = client
                .execute(Request::new(restrait::http::Method::GET, url))
                .await
                .expect("call");
            assert_eq!(response.status(), 204, "the call was authorized");
        }
        _ => panic!(
            "usage: quota_figures [worker rate shared|local API REDIS SECS | worker token API REDIS]"
        ),
    }
}
