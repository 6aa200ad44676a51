//! A bounded soak: a few thousand calls through a `#[resource]` client, 32 at
//! a time, against a server that injects a seeded random fault into most of
//! its answers (resets, truncated and malformed bodies, stalls, 429, 503,
//! oversized bodies).
//!
//! Whatever the server does, every call must come back (with a value or a
//! typed error of a kind the faults explain) before its own deadline, without
//! a panic; every fifth call has a short deadline of its own and a long
//! attempt timeout, so that the deadline, not the retry limit, ends the ones
//! that meet a stall; no POST may be carried out twice, and one that
//! succeeded was carried out exactly once; no plain POST may be sent again
//! once it reached the server (unless the server answered 429, which says it
//! did nothing); the cap on requests in flight must hold; and the bytes live
//! on the heap (counted by a global allocator) must not grow with the number
//! of calls.
//!
//! The seed is printed in every failure; `RESTRAIT_SOAK_SEED=<n>` replays
//! one, `RESTRAIT_SOAK_CALLS=<n>` changes the number of calls.
#![allow(missing_docs)]

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use restrait::{CallOptions, Error, Result, RetryPolicy, TimeoutKind, resource};
use restrait_tests::client_builder;
use restrait_tests::fault::{Arrival, Fault, FaultConfig, FaultServer};
use serde::{Deserialize, Serialize};

/// Counts the bytes live on the heap, so that a leak per call shows up
/// exactly, without the noise of resident memory.
#[global_allocator]
static HEAP: cap::Cap<std::alloc::System> = cap::Cap::new(std::alloc::System, usize::MAX);

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
/// Every `SHORT_EVERY`th call has this deadline of its own, and an attempt
/// timeout (`LONG_ATTEMPT`) far past it: a stall is ended by the deadline, or
/// else runs `LONG_ATTEMPT` at least.
const SHORT_EVERY: usize = 5;
const SHORT_DEADLINE: Duration = Duration::from_millis(500);
const LONG_ATTEMPT: Duration = Duration::from_secs(5);
/// How late past its deadline a call may come back: room for a loaded
/// machine, far less than the `LONG_ATTEMPT` a call without one would run.
const MARGIN: Duration = Duration::from_millis(1500);
/// A call that has not come back this long after it started is hung.
const HANG: Duration = Duration::from_secs(8);
/// The bytes each call may leave live on the heap after the warm-up: the
/// server's ledger keeps about 300 per call (an `Arrival` and its strings
/// per attempt); a leak of 4 KiB a call is far above.
const HEAP_PER_CALL: usize = 1024;
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

/// How one call ended, by kind, for the summary; `None` for an error no
/// fault explains (the server answers only 2xx, 429 and 503, so an `Api`
/// error is one too).
fn outcome(result: &Result<()>) -> Option<&'static str> {
    Some(match result {
        Ok(()) => "ok",
        Err(Error::RateLimited { .. }) => "rate_limited",
        Err(Error::Server(e)) if e.status() == 503 => "server",
        Err(Error::Transport(_)) => "transport",
        Err(Error::Timeout(e)) => match e.kind() {
            TimeoutKind::Attempt => "attempt_timeout",
            TimeoutKind::Call => "call_timeout",
            _ => return None,
        },
        Err(Error::Decode(_)) => "decode",
        Err(Error::BodyTooLarge(_)) => "body_too_large",
        Err(_) => return None,
    })
}

/// The deadline of call `i`: its own short one, or the client's.
fn deadline_of(i: usize) -> Duration {
    if i.is_multiple_of(SHORT_EVERY) {
        SHORT_DEADLINE
    } else {
        CALL_TIMEOUT
    }
}

async fn call(items: &ItemsClient, op: Op, i: usize) -> Result<()> {
    let short;
    let items = if deadline_of(i) == SHORT_DEADLINE {
        let options = CallOptions::new()
            .timeout(SHORT_DEADLINE)
            .attempt_timeout(LONG_ATTEMPT);
        short = items.with_options(options);
        &short
    } else {
        items
    };
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
    /// Calls that came back later than their deadline plus `MARGIN`.
    late: Vec<(usize, Op, Duration)>,
    /// Errors no fault explains.
    unexpected: Vec<(usize, Op, String)>,
    /// The calls that succeeded.
    succeeded: HashSet<usize>,
    slow: Duration,
}

impl Tally {
    fn add(&mut self, other: Tally) {
        for (k, n) in other.outcomes {
            *self.outcomes.entry(k).or_default() += n;
        }
        self.hangs.extend(other.hangs);
        self.late.extend(other.late);
        self.unexpected.extend(other.unexpected);
        self.succeeded.extend(other.succeeded);
        self.slow = self.slow.max(other.slow);
    }
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
                        let took = started.elapsed();
                        // Formatting never panics either.
                        if let Err(e) = &result {
                            let _ = (format!("{e}"), format!("{e:?}"));
                        }
                        match outcome(&result) {
                            Some(kind) => *tally.outcomes.entry((op, kind)).or_default() += 1,
                            None => tally.unexpected.push((i, op, format!("{result:?}"))),
                        }
                        if result.is_ok() {
                            tally.succeeded.insert(i);
                        }
                        if took > deadline_of(i) + MARGIN {
                            tally.late.push((i, op, took));
                        }
                        tally.slow = tally.slow.max(took);
                    }
                    Err(_) => tally.hangs.push((i, op, started.elapsed())),
                }
            }
        });
    }
    let mut total = Tally::default();
    while let Some(joined) = workers.join_next().await {
        match joined {
            Ok(tally) => total.add(tally),
            Err(e) => panic!("seed {seed:#x}: a worker panicked: {e}"),
        }
    }
    total
}

/// Checks the server's ledger against the calls `0..calls`, of which
/// `succeeded` came back `Ok`: every attempt carried a known request id;
/// every call that succeeded arrived, and if it is a POST it was carried out
/// exactly once; nothing was carried out twice; no plain POST was resent
/// after it arrived. The POST checks must have had POSTs to check.
fn check_ledger(
    seed: u64,
    calls: usize,
    succeeded: &HashSet<usize>,
    arrivals: &[Arrival],
    effects: &HashMap<String, u32>,
) -> Vec<String> {
    let mut problems = Vec::new();
    let mut by_id: HashMap<&str, Vec<&Arrival>> = HashMap::new();
    for a in arrivals {
        match a.request_id.as_deref() {
            Some(id) => by_id.entry(id).or_default().push(a),
            None => problems.push(format!("an attempt without a request id: {a:?}")),
        }
    }
    for &i in succeeded {
        let id = format!("r{i}");
        if !by_id.contains_key(id.as_str()) {
            problems.push(format!("{id} succeeded but never arrived"));
        }
        let op = op_for(seed, i);
        let n = effects.get(&id).copied().unwrap_or(0);
        if matches!(op, Op::Post | Op::IdempotentPost) && n != 1 {
            problems.push(format!(
                "{id} ({op:?}) succeeded but was carried out {n} times"
            ));
        }
    }
    let mut posts_checked = [0usize; 2];
    for (id, list) in &by_id {
        let Some(i) = id
            .strip_prefix('r')
            .and_then(|n| n.parse::<usize>().ok())
            .filter(|i| *i < calls)
        else {
            problems.push(format!("unknown request id {id}"));
            continue;
        };
        let op = op_for(seed, i);
        let n = effects.get(*id).copied().unwrap_or(0);
        if n > 1 {
            problems.push(format!("{id} ({op:?}) was carried out {n} times: {list:?}"));
        }
        match op {
            Op::Post => posts_checked[0] += 1,
            Op::IdempotentPost => posts_checked[1] += 1,
            _ => {}
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
    // Each kind of POST is about a sixth of the calls.
    if posts_checked.iter().any(|n| *n < calls / 10) {
        problems.push(format!(
            "too few POSTs arrived to check, (plain, idempotent): {posts_checked:?} of {calls} calls"
        ));
    }
    if by_id.len() < calls * 9 / 10 {
        problems.push(format!("only {} of {calls} calls arrived", by_id.len()));
    }
    problems
}

/// The ledger checks are not vacuous: no arrivals, or arrivals without the
/// calls that succeeded, are problems.
#[test]
fn the_ledger_check_fails_on_an_empty_ledger() {
    let succeeded: HashSet<usize> = (0..100).collect();
    let problems = check_ledger(1, 100, &succeeded, &[], &HashMap::new());
    assert!(
        problems.iter().any(|p| p.contains("too few POSTs")),
        "{problems:?}"
    );
    assert!(
        problems.iter().any(|p| p.contains("never arrived")),
        "{problems:?}"
    );
    assert!(
        problems.iter().any(|p| p.contains("only 0 of 100")),
        "{problems:?}"
    );
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
    let mut tally = run(&items, seed, 0..WARM_UP).await;
    let heap_warm = HEAP.allocated();
    tally.add(run(&items, seed, WARM_UP..calls).await);
    let heap_end = HEAP.allocated();
    let wall = started.elapsed();
    let heap_per_call = heap_end.saturating_sub(heap_warm) / (calls - WARM_UP);

    let outcomes = &tally.outcomes;
    let arrivals = server.arrivals();
    let mut faults: BTreeMap<String, usize> = BTreeMap::new();
    for a in &arrivals {
        *faults.entry(format!("{:?}", a.fault)).or_default() += 1;
    }
    let summary = format!(
        "seed {seed:#x}: {calls} calls in {:.1}s, {} arrivals over {} connections, \
         server max in flight {}, slowest call {:.2}s, heap {heap_warm} -> {heap_end} bytes \
         ({heap_per_call} a call)\noutcomes {outcomes:?}\nfaults {faults:?}",
        wall.as_secs_f64(),
        arrivals.len(),
        server.connections(),
        server.max_in_flight(),
        tally.slow.as_secs_f64(),
    );
    eprintln!("{summary}");

    // Every call came back within its own deadline, with an error the
    // faults explain.
    assert!(
        tally.hangs.is_empty(),
        "calls hung: {:?}\n{summary}",
        tally.hangs
    );
    assert!(
        tally.late.is_empty(),
        "{} calls came back more than {MARGIN:?} past their deadline, first: {:?}\n{summary}",
        tally.late.len(),
        &tally.late[..tally.late.len().min(5)]
    );
    assert!(
        tally.unexpected.is_empty(),
        "{} errors no fault explains, first: {:#?}\n{summary}",
        tally.unexpected.len(),
        &tally.unexpected[..tally.unexpected.len().min(5)]
    );
    assert_eq!(outcomes.values().sum::<usize>(), calls, "{summary}");
    // The deadline, not the retry limit, ended some calls.
    let by_deadline: usize = outcomes
        .iter()
        .filter(|((_, kind), _)| *kind == "call_timeout")
        .map(|(_, n)| n)
        .sum();
    assert!(
        by_deadline > 0,
        "no call was ended by its deadline\n{summary}"
    );

    // Nothing carried out twice; no plain POST resent after it arrived.
    let problems = check_ledger(
        seed,
        calls,
        &tally.succeeded,
        &arrivals,
        &server.side_effects(),
    );
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
    assert!(
        heap_per_call < HEAP_PER_CALL,
        "the heap grew by {heap_per_call} bytes a call after the warm-up\n{summary}"
    );
}
