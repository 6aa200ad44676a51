//! The happy path: `GET /users/<id>` at a fixed concurrency, contenders
//! alternated run by run, in an order that rotates round by round.

use std::cell::{Cell, RefCell};
use std::time::{Duration, Instant};

use futures::StreamExt;
use futures::stream::FuturesUnordered;

use crate::alloc;
use crate::contenders::{Contender, N};
use crate::stats::{Histogram, Interval, median, median_interval};

/// The figures of one timed run of one contender.
#[derive(Clone, Copy, Debug, Default, serde::Serialize, serde::Deserialize)]
pub(crate) struct Run {
    pub(crate) calls: u64,
    pub(crate) errors: u64,
    pub(crate) rps: f64,
    pub(crate) p50_us: f64,
    pub(crate) p99_us: f64,
    pub(crate) allocs_per_call: f64,
    pub(crate) peak_kib: f64,
    /// CPU time of the client thread per call: unlike latency, it does not
    /// grow while the thread waits for a core the compilers took.
    pub(crate) cpu_us_per_call: f64,
}

/// Runs `concurrency` loops of calls for `length`, on the current thread.
pub(crate) async fn run(contender: &Contender, concurrency: usize, length: Duration) -> Run {
    let hist = RefCell::new(Histogram::new());
    let errors = Cell::new(0u64);
    let next = Cell::new(0u64);
    let cpu_before = thread_cpu_ns();
    let base_live = alloc::reset_peak();
    let allocs_before = alloc::allocations();
    let start = Instant::now();
    let deadline = start + length;
    // Polled as a real client's concurrent calls are (tasks, or
    // `buffer_unordered`): only the call that was woken. `join_all` of up
    // to 30 futures polls every one of them at each wake-up, which charges
    // each contender its idle polls through every layer of its call, about
    // `concurrency` times per response, and is no client's workload.
    let workers = (0..concurrency).map(|_| async {
        while Instant::now() < deadline {
            let id = next.get();
            next.set(id + 1);
            let sent = Instant::now();
            match contender.get_user(id % 1000 + 1).await {
                Ok(user) => {
                    std::hint::black_box(user);
                }
                Err(_) => errors.set(errors.get() + 1),
            }
            let nanos = u64::try_from(sent.elapsed().as_nanos()).unwrap_or(u64::MAX);
            hist.borrow_mut().record(nanos);
        }
    });
    let mut workers: FuturesUnordered<_> = workers.collect();
    while workers.next().await.is_some() {}
    drop(workers);
    let secs = start.elapsed().as_secs_f64();
    let allocs = alloc::allocations() - allocs_before;
    let peak = alloc::peak() - base_live;
    let cpu = thread_cpu_ns().saturating_sub(cpu_before);
    let hist = hist.into_inner();
    let calls = hist.count();
    Run {
        calls,
        errors: errors.get(),
        rps: calls as f64 / secs,
        p50_us: hist.quantile(0.50) as f64 / 1e3,
        p99_us: hist.quantile(0.99) as f64 / 1e3,
        allocs_per_call: allocs as f64 / calls.max(1) as f64,
        peak_kib: peak as f64 / 1024.0,
        cpu_us_per_call: cpu as f64 / 1e3 / calls.max(1) as f64,
    }
}

/// `calls` calls one after another, for a profiler to count (nothing is
/// timed): the same loop as [`run`] at concurrency 1.
pub(crate) async fn sequential(contender: &Contender, calls: u64) -> u64 {
    let mut errors = 0;
    for id in 0..calls {
        match contender.get_user(id % 1000 + 1).await {
            Ok(user) => {
                std::hint::black_box(user);
            }
            Err(_) => errors += 1,
        }
    }
    errors
}

/// Nanoseconds the calling thread has run on a CPU (Linux schedstat; 0
/// elsewhere).
fn thread_cpu_ns() -> u64 {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()
        .and_then(|s| s.split_whitespace().next()?.parse().ok())
        .unwrap_or(0)
}

/// Every run at one concurrency: `runs[round][contender]`.
#[derive(Debug)]
pub(crate) struct Level {
    pub(crate) concurrency: usize,
    pub(crate) runs: Vec<[Run; N]>,
}

/// The confidence of the intervals the report gives for ratios.
pub(crate) const CONFIDENCE: f64 = 0.95;

/// Reads one figure from a run.
pub(crate) type Figure = fn(&Run) -> f64;

/// The figures a summary reports, with how to read each from a run.
pub(crate) const FIGURES: [(&str, Figure); 6] = [
    ("rps", |r| r.rps),
    ("p50_us", |r| r.p50_us),
    ("p99_us", |r| r.p99_us),
    ("allocs_per_call", |r| r.allocs_per_call),
    ("peak_kib", |r| r.peak_kib),
    ("cpu_us_per_call", |r| r.cpu_us_per_call),
];

impl Level {
    /// The median over rounds of `figure` for contender `c`.
    pub(crate) fn median(&self, c: usize, figure: Figure) -> f64 {
        let values: Vec<f64> = self.runs.iter().map(|round| figure(&round[c])).collect();
        median(&values)
    }

    /// The median over rounds of contender `a`'s `figure` divided by `b`'s
    /// in the same round, so that drift between rounds cancels.
    pub(crate) fn ratio(&self, a: usize, b: usize, figure: Figure) -> f64 {
        median(&self.ratios(a, b, figure))
    }

    /// A 95% confidence interval for [`ratio`](Self::ratio), from the
    /// rounds' ratios (see [`median_interval`]); `None` for fewer than 6
    /// rounds.
    pub(crate) fn ratio_interval(&self, a: usize, b: usize, figure: Figure) -> Option<Interval> {
        median_interval(&self.ratios(a, b, figure), CONFIDENCE)
    }

    fn ratios(&self, a: usize, b: usize, figure: Figure) -> Vec<f64> {
        self.runs
            .iter()
            .map(|round| figure(&round[a]) / figure(&round[b]))
            .collect()
    }

    /// The median over rounds of `a`'s allocations per call minus `b`'s.
    pub(crate) fn alloc_excess(&self, a: usize, b: usize) -> f64 {
        let values: Vec<f64> = self
            .runs
            .iter()
            .map(|round| round[a].allocs_per_call - round[b].allocs_per_call)
            .collect();
        median(&values)
    }

    pub(crate) fn errors(&self) -> u64 {
        self.runs.iter().flatten().map(|r| r.errors).sum()
    }
}

/// The order the contenders run in, in round `round`: A B C D, then
/// B C D A, and so on. Whatever a run leaves behind (a warm cache, a
/// busy server, a turbo clock running down) falls on each contender in
/// turn rather than always on the one after the same neighbour.
pub(crate) fn round_order(round: usize) -> [usize; N] {
    std::array::from_fn(|k| (round + k) % N)
}

/// Warms each contender's pool up to `concurrency` connections, then runs
/// `rounds` rounds of the contenders, each run `length` long, rotating
/// which one goes first (see [`round_order`]).
pub(crate) async fn level(
    contenders: &[Contender; N],
    concurrency: usize,
    rounds: usize,
    length: Duration,
    warmup: Duration,
) -> Level {
    for contender in contenders {
        run(contender, concurrency, warmup).await;
    }
    let mut runs = Vec::with_capacity(rounds);
    for r in 0..rounds {
        let mut round = [None; N];
        for c in round_order(r) {
            round[c] = Some(run(&contenders[c], concurrency, length).await);
        }
        runs.push(round.map(|r| r.expect("every contender ran")));
    }
    Level { concurrency, runs }
}
