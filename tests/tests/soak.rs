//! A bounded soak: a few thousand calls through a `#[resource]` client, 32 at
//! a time, against a server that injects a seeded random fault into most of
//! its answers (resets, truncated and malformed bodies, stalls, 429, 503,
//! oversized bodies).
//!
//! Whatever the server does, every call must come back (with a value or a
//! typed error) before its deadline, without a panic; no POST may be carried
//! out twice; no plain POST may be sent again once it reached the server
//! (unless the server answered 429, which says it did nothing); the cap on
//! requests in flight must hold; and memory must not grow with the number
//! of calls.
//!
//! The seed is printed in every failure; `RESTRAIT_SOAK_SEED=<n>` replays
//! one, `RESTRAIT_SOAK_CALLS=<n>` changes the number of calls.
#![allow(missing_docs)]

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use restrait::{Error, Result, RetryPolicy, resource};
use restrait_tests::client_builder;
use restrait_tests::fault::{Arrival, Fault, FaultConfig, FaultServer};
use serde::{Deserialize, Serialize};

#[derive(Debug, Serialize, Deserialize)]
pub struct Item {
    pub id: u64,
    pub name: String,
}

#[resource]
pub trait Items {
    #[get("/items/<id>")]
    async fn get(&self, id: u64, #[header("X-Request-Id")] rid: &str) -> Result<Item>;

    #[put("/items/<id>")]
    async fn put(
        &self,
        id: u64,
        #[header("X-Request-Id")] rid: &str,
        #[body] item: &Item,
    ) -> Result<Item>;

    #[delete("/items/<id>")]
    async fn delete(&self, id: u64, #[header("X-Request-Id")] rid: &str) -> Result<()>;

    #[post("/items")]
    async fn create(
        &self,
        #[header("X-Request-Id")] rid: &str,
        #[body] item: &Item,
    ) -> Result<Item>;

    #[post("/items")]
    #[idempotent]
    async fn create_once(
        &self,
        #[header("X-Request-Id")] rid: &str,
        #[body] item: &Item,
    ) -> Result<Item>;
}

const DEFAULT_SEED: u64 = 0x5EED_0009;
const DEFAULT_CALLS: usize = 3000;
const WARM_UP: usize = 400;
const CONCURRENCY: usize = 32;
const CAP: usize = 8;
const ATTEMPT_TIMEOUT: Duration = Duration::from_millis(600);
const CALL_TIMEOUT: Duration = Duration::from_secs(3);
/// A call that has not come back this long after it started is hung: the
/// client's own deadline is `CALL_TIMEOUT`.
const HANG: Duration = Duration::from_secs(8);
const MAX_BODY: u64 = 64 * 1024;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Op {
    Get,
    Put,
    Delete,
    Post,
    IdempotentPost,
}

fn op_for(seed: u64, i: usize) -> Op {
    let mut rng = fastrand::Rng::with_seed(seed ^ (i as u64).wrapping_mul(0xA24B_AED4_963E_E407));
    match rng.u32(0..100) {
        0..30 => Op::Get,
        30..50 => Op::Put,
        50..65 => Op::Delete,
        65..80 => Op::Post,
        _ => Op::IdempotentPost,
    }
}

fn env_or<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name)
        .ok()
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(default)
}

/// How one call ended, by kind, for the summary.
fn outcome(result: &Result<()>) -> &'static str {
    match result {
        Ok(()) => "ok",
        Err(Error::RateLimited { .. }) => "rate_limited",
        Err(Error::Server(_)) => "server",
        Err(Error::Transport(_)) => "transport",
        Err(Error::Timeout(_)) => "timeout",
        Err(Error::Decode(_)) => "decode",
        Err(Error::BodyTooLarge(_)) => "body_too_large",
        Err(Error::Api(_)) => "api",
        Err(_) => "other",
    }
}

async fn call(items: &ItemsClient, op: Op, i: usize) -> Result<()> {
    let rid = format!("r{i}");
    let id = i as u64;
    let item = Item {
        id,
        name: format!("item {i}"),
    };
    match op {
        Op::Get => items.get(id, &rid).await.map(drop),
        Op::Put => items.put(id, &rid, &item).await.map(drop),
        Op::Delete => items.delete(id, &rid).await,
        Op::Post => items.create(&rid, &item).await.map(drop),
        Op::IdempotentPost => items.create_once(&rid, &item).await.map(drop),
    }
}

#[derive(Default)]
struct Tally {
    outcomes: BTreeMap<(Op, &'static str), usize>,
    hangs: Vec<(usize, Op, Duration)>,
    slow: Duration,
}

/// Runs calls `range` with `CONCURRENCY` workers; returns what happened.
async fn run(items: &ItemsClient, seed: u64, range: std::ops::Range<usize>) -> Tally {
    let next = Arc::new(AtomicUsize::new(range.start));
    let mut workers = tokio::task::JoinSet::new();
    for _ in 0..CONCURRENCY {
        let (items, next, end) = (items.clone(), next.clone(), range.end);
        workers.spawn(async move {
            let mut tally = Tally::default();
            loop {
                let i = next.fetch_add(1, Ordering::SeqCst);
                if i >= end {
                    return tally;
                }
                let op = op_for(seed, i);
                let started = Instant::now();
                match tokio::time::timeout(HANG, call(&items, op, i)).await {
                    Ok(result) => {
                        // Formatting never panics either.
                        if let Err(e) = &result {
                            let _ = (format!("{e}"), format!("{e:?}"));
                        }
                        *tally.outcomes.entry((op, outcome(&result))).or_default() += 1;
                        tally.slow = tally.slow.max(started.elapsed());
                    }
                    Err(_) => tally.hangs.push((i, op, started.elapsed())),
                }
            }
        });
    }
    let mut total = Tally::default();
    while let Some(joined) = workers.join_next().await {
        match joined {
            Ok(tally) => {
                for (k, n) in tally.outcomes {
                    *total.outcomes.entry(k).or_default() += n;
                }
                total.hangs.extend(tally.hangs);
                total.slow = total.slow.max(tally.slow);
            }
            Err(e) => panic!("seed {seed:#x}: a worker panicked: {e}"),
        }
    }
    total
}

fn rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// Checks the server's ledger: side effects and retries of POSTs.
fn check_ledger(seed: u64, arrivals: &[Arrival], effects: &HashMap<String, u32>) -> Vec<String> {
    let mut problems = Vec::new();
    let mut by_id: HashMap<&str, Vec<&Arrival>> = HashMap::new();
    for a in arrivals {
        if let Some(id) = a.request_id.as_deref() {
            by_id.entry(id).or_default().push(a);
        }
    }
    for (id, list) in &by_id {
        let Some(i) = id.strip_prefix('r').and_then(|n| n.parse::<usize>().ok()) else {
            problems.push(format!("unknown request id {id}"));
            continue;
        };
        let op = op_for(seed, i);
        let n = effects.get(*id).copied().unwrap_or(0);
        if n > 1 {
            problems.push(format!("{id} ({op:?}) was carried out {n} times: {list:?}"));
        }
        match op {
            Op::IdempotentPost => {
                let keys: std::collections::HashSet<_> =
                    list.iter().map(|a| a.idempotency_key.as_deref()).collect();
                if keys.len() != 1 || keys.contains(&None) {
                    problems.push(format!("{id}: attempts carried keys {keys:?}"));
                }
            }
            Op::Post => {
                if list.iter().any(|a| a.idempotency_key.is_some()) {
                    problems.push(format!("{id}: a plain POST carried an idempotency key"));
                }
                // Every arrival but the last must have been answered 429:
                // a plain POST that reached the server is never sent again.
                let resent_after = list[..list.len() - 1]
                    .iter()
                    .find(|a| a.fault != Fault::RateLimited);
                if let Some(a) = resent_after {
                    problems.push(format!(
                        "{id}: plain POST sent again after {:?}: {list:?}",
                        a.fault
                    ));
                }
            }
            _ => {}
        }
    }
    problems
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn soak_under_faults() {
    let seed = env_or("RESTRAIT_SOAK_SEED", DEFAULT_SEED);
    let calls = env_or("RESTRAIT_SOAK_CALLS", DEFAULT_CALLS).max(WARM_UP * 2);
    eprintln!(
        "soak: seed {seed:#x} ({seed}), {calls} calls; replay with RESTRAIT_SOAK_SEED={seed}"
    );

    let mut config = FaultConfig::new(seed);
    config.stall = Duration::from_secs(10);
    config.oversized_body = 4 * MAX_BODY as usize;
    let server = FaultServer::start(config)
        .await
        .expect("bind a loopback port");
    let policy = RetryPolicy::default()
        .max_retries(3)
        .base_delay(Duration::from_millis(2))
        .max_delay(Duration::from_millis(20))
        .max_retry_after(Duration::from_millis(20));
    let client = client_builder(server.url())
        .max_in_flight(CAP)
        .attempt_timeout(ATTEMPT_TIMEOUT)
        .timeout(CALL_TIMEOUT)
        .max_body_size(MAX_BODY)
        .retry(policy)
        .build()
        .expect("client");
    let items = ItemsClient::new(client.clone());

    let started = Instant::now();
    let warm = run(&items, seed, 0..WARM_UP).await;
    let rss_warm = rss_kib();
    let rest = run(&items, seed, WARM_UP..calls).await;
    let rss_end = rss_kib();
    let wall = started.elapsed();

    let mut outcomes: BTreeMap<(Op, &str), usize> = warm.outcomes;
    for (k, n) in rest.outcomes {
        *outcomes.entry(k).or_default() += n;
    }
    let arrivals = server.arrivals();
    let mut faults: BTreeMap<String, usize> = BTreeMap::new();
    for a in &arrivals {
        *faults.entry(format!("{:?}", a.fault)).or_default() += 1;
    }
    let summary = format!(
        "seed {seed:#x}: {calls} calls in {:.1}s, {} arrivals over {} connections, \
         server max in flight {}, slowest call {:.2}s, RSS {rss_warm:?} -> {rss_end:?} KiB\n\
         outcomes {outcomes:?}\nfaults {faults:?}",
        wall.as_secs_f64(),
        arrivals.len(),
        server.connections(),
        server.max_in_flight(),
        warm.slow.max(rest.slow).as_secs_f64(),
    );
    eprintln!("{summary}");

    // Every call came back within its deadline.
    let hangs: Vec<_> = warm.hangs.iter().chain(&rest.hangs).collect();
    assert!(hangs.is_empty(), "calls hung: {hangs:?}\n{summary}");
    assert_eq!(outcomes.values().sum::<usize>(), calls, "{summary}");

    // Nothing carried out twice; no plain POST resent after it arrived.
    let problems = check_ledger(seed, &arrivals, &server.side_effects());
    assert!(
        problems.is_empty(),
        "{} problems, first: {:#?}\n{summary}",
        problems.len(),
        &problems[..problems.len().min(5)]
    );

    // The cap held, and the measurement is not vacuous.
    assert!(server.max_in_flight() <= CAP, "{summary}");
    assert!(server.max_in_flight() >= 2, "{summary}");
    // Every slot came back.
    assert!(
        format!("{client:?}").contains(&format!("max_in_flight: Some({CAP})")),
        "permits were lost: {client:?}\n{summary}"
    );

    // The faults were really exercised.
    for fault in Fault::ALL {
        assert!(
            arrivals.iter().any(|a| a.fault == fault),
            "{fault:?} never happened\n{summary}"
        );
    }

    // Nothing grows with the number of calls: tasks, connections, memory.
    let tasks = tokio::runtime::Handle::current()
        .metrics()
        .num_alive_tasks();
    assert!(tasks <= 4 * CAP + 8, "{tasks} tasks alive\n{summary}");
    assert!(
        server.connections() < calls,
        "a connection per call: the pool is not reused\n{summary}"
    );
    if let (Some(warm), Some(end)) = (rss_warm, rss_end) {
        // The run after the warm-up makes ~7x as many calls; a leak of even
        // a few KiB per call would pass 24 MiB. Allocator noise stays far below.
        let grown = end.saturating_sub(warm);
        assert!(grown < 24 * 1024, "RSS grew by {grown} KiB\n{summary}");
    }
}
