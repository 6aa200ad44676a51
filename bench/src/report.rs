//! The results as a table for people and as JSON for tools.

use std::fmt::Write as _;

use serde_json::{Value, json};

use crate::contenders::{Contender, HYPER, REQWEST, RESTRAIT, RESTRAIT_HYPER};
use crate::stats::Interval;
use crate::throughput::{CONFIDENCE, FIGURES, Figure, Level, Run};

/// Throughput of restrait on reqwest at least this fraction of raw reqwest's.
const TARGET_RPS: f64 = 0.97;
/// p99 latency of restrait on reqwest at most this multiple of raw reqwest's.
const TARGET_P99: f64 = 1.05;
/// Allocations per call of restrait on reqwest at most this many above raw
/// reqwest's: the "small constant" of the issue (the request description,
/// the middleware futures, the typed error path's bookkeeping).
const TARGET_ALLOC_EXCESS: f64 = 10.0;
/// Throughput of restrait on hyper at least this fraction of raw hyper's.
const TARGET_HYPER_RPS: f64 = 0.90;
/// Allocations per call of restrait on hyper at most this many above raw
/// hyper's.
const TARGET_HYPER_ALLOC_EXCESS: f64 = 15.0;

/// The scenarios beyond the happy path (in-process mode only).
pub(crate) struct Scenarios {
    pub(crate) retry_storm: Value,
    pub(crate) token_stampede: Value,
    pub(crate) pagination: Value,
    pub(crate) expansion: Value,
}

/// Everything one run of the bench measured.
pub(crate) struct Results {
    pub(crate) quick: bool,
    /// `in-process` or `pinned`.
    pub(crate) mode: &'static str,
    pub(crate) rounds: usize,
    pub(crate) secs: f64,
    pub(crate) levels: Vec<Level>,
    pub(crate) scenarios: Option<Scenarios>,
    pub(crate) wall_secs: f64,
}

fn mark(ok: bool) -> &'static str {
    if ok { "met" } else { "MISSED" }
}

/// Which way a target bounds a ratio.
#[derive(Clone, Copy)]
enum Bound {
    /// The ratio must be at least the target (throughput).
    AtLeast,
    /// The ratio must be at most the target (latency).
    AtMost,
}

/// A ratio against its target, judged by the ratio's confidence interval
/// rather than by its median alone: a target inside the interval cannot be
/// told apart from the noise of the rounds.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Verdict {
    /// The whole interval is on the target's side.
    Met,
    /// The whole interval is on the wrong side.
    Missed,
    /// The target is inside the interval.
    Unclear,
    /// Too few rounds for an interval: the median alone, on the target's side or not.
    MedianOnly(bool),
}

impl Verdict {
    fn of(median: f64, interval: Option<Interval>, bound: Bound, target: f64) -> Verdict {
        let good = |x: f64| match bound {
            Bound::AtLeast => x >= target,
            Bound::AtMost => x <= target,
        };
        match interval {
            None => Verdict::MedianOnly(good(median)),
            Some(i) => {
                let (worst, best) = match bound {
                    Bound::AtLeast => (i.low, i.high),
                    Bound::AtMost => (i.high, i.low),
                };
                if good(worst) {
                    Verdict::Met
                } else if !good(best) {
                    Verdict::Missed
                } else {
                    Verdict::Unclear
                }
            }
        }
    }

    /// The word in the table.
    fn word(self) -> &'static str {
        match self {
            Verdict::Met => "met",
            Verdict::Missed => "MISSED",
            Verdict::Unclear => "unclear",
            Verdict::MedianOnly(true) => "met by the median",
            Verdict::MedianOnly(false) => "MISSED by the median",
        }
    }

    /// The word in the JSON.
    fn key(self) -> &'static str {
        match self {
            Verdict::Met => "met",
            Verdict::Missed => "missed",
            Verdict::Unclear => "unclear",
            Verdict::MedianOnly(true) => "met_by_median",
            Verdict::MedianOnly(false) => "missed_by_median",
        }
    }
}

/// One ratio with a target: its median, its interval and the verdict.
struct Judged {
    median: f64,
    interval: Option<Interval>,
    verdict: Verdict,
}

impl Judged {
    fn new(
        level: &Level,
        (a, b): (usize, usize),
        figure: Figure,
        bound: Bound,
        target: f64,
    ) -> Self {
        let median = level.ratio(a, b, figure);
        let interval = level.ratio_interval(a, b, figure);
        Judged {
            median,
            interval,
            verdict: Verdict::of(median, interval, bound, target),
        }
    }

    /// `0.951x [0.930, 0.968]`, or the median alone.
    fn shown(&self) -> String {
        match self.interval {
            Some(i) => format!("{:.3}x [{:.3}, {:.3}]", self.median, i.low, i.high),
            None => format!("{:.3}x", self.median),
        }
    }

    fn json(&self) -> Value {
        json!({
            "median": self.median,
            "interval": self.interval.map(|i| json!({
                "low": i.low, "high": i.high, "coverage": i.coverage,
            })),
            "verdict": self.verdict.key(),
        })
    }
}

/// The three ratios the targets are set on, at one level.
struct Targets {
    reqwest_rps: Judged,
    reqwest_p99: Judged,
    hyper_rps: Judged,
}

impl Targets {
    fn of(level: &Level) -> Targets {
        Targets {
            reqwest_rps: Judged::new(level, (RESTRAIT, REQWEST), rps, Bound::AtLeast, TARGET_RPS),
            reqwest_p99: Judged::new(level, (RESTRAIT, REQWEST), p99, Bound::AtMost, TARGET_P99),
            hyper_rps: Judged::new(
                level,
                (RESTRAIT_HYPER, HYPER),
                rps,
                Bound::AtLeast,
                TARGET_HYPER_RPS,
            ),
        }
    }
}

fn rps(r: &Run) -> f64 {
    r.rps
}
fn p50(r: &Run) -> f64 {
    r.p50_us
}
fn p99(r: &Run) -> f64 {
    r.p99_us
}
fn allocs(r: &Run) -> f64 {
    r.allocs_per_call
}
fn peak(r: &Run) -> f64 {
    r.peak_kib
}
fn cpu(r: &Run) -> f64 {
    r.cpu_us_per_call
}

/// The two comparisons with targets: (key, a, b).
const PAIRS: [(&str, usize, usize); 3] = [
    ("restrait_over_reqwest", RESTRAIT, REQWEST),
    ("restrait_hyper_over_hyper", RESTRAIT_HYPER, HYPER),
    ("restrait_hyper_over_reqwest", RESTRAIT_HYPER, REQWEST),
];

/// The table printed on stdout.
pub(crate) fn table(r: &Results) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "\nrestrait-bench: GET /users/<id> on 127.0.0.1, {}, median of {} rounds of {:.1} s per contender{}",
        r.mode,
        r.rounds,
        r.secs,
        if r.quick { " (--quick)" } else { "" }
    );
    let _ = writeln!(
        out,
        "ratios: median over rounds, [{:.0}% interval of that median]; a target inside the interval is \"unclear\"",
        CONFIDENCE * 100.0
    );
    for level in &r.levels {
        let _ = writeln!(out, "\nconcurrency {}", level.concurrency);
        let _ = writeln!(
            out,
            "  {:<20} {:>10} {:>9} {:>9} {:>12} {:>10} {:>13}",
            "contender", "req/s", "p50 µs", "p99 µs", "allocs/call", "peak KiB", "cpu µs/call"
        );
        for (c, name) in Contender::LABELS.iter().enumerate() {
            let _ = writeln!(
                out,
                "  {:<20} {:>10.0} {:>9.1} {:>9.1} {:>12.1} {:>10.1} {:>13.2}",
                name,
                level.median(c, rps),
                level.median(c, p50),
                level.median(c, p99),
                level.median(c, allocs),
                level.median(c, peak),
                level.median(c, cpu),
            );
        }
        let targets = Targets::of(level);
        let excess = level.alloc_excess(RESTRAIT, REQWEST);
        let _ = writeln!(
            out,
            "  restrait (reqwest) / reqwest: throughput {} (target >= {TARGET_RPS}x: {}), p50 {:.3}x, \
             p99 {} (target <= {TARGET_P99}x: {}), allocs/call {excess:+.1} (target <= +{TARGET_ALLOC_EXCESS}: {}), cpu/call {:.3}x",
            targets.reqwest_rps.shown(),
            targets.reqwest_rps.verdict.word(),
            level.ratio(RESTRAIT, REQWEST, p50),
            targets.reqwest_p99.shown(),
            targets.reqwest_p99.verdict.word(),
            mark(excess <= TARGET_ALLOC_EXCESS),
            level.ratio(RESTRAIT, REQWEST, cpu),
        );
        let excess = level.alloc_excess(RESTRAIT_HYPER, HYPER);
        let _ = writeln!(
            out,
            "  restrait (hyper) / hyper:     throughput {} (target >= {TARGET_HYPER_RPS}x: {}), p50 {:.3}x, \
             p99 {:.3}x, allocs/call {excess:+.1} (target <= +{TARGET_HYPER_ALLOC_EXCESS}: {}), cpu/call {:.3}x",
            targets.hyper_rps.shown(),
            targets.hyper_rps.verdict.word(),
            level.ratio(RESTRAIT_HYPER, HYPER, p50),
            level.ratio(RESTRAIT_HYPER, HYPER, p99),
            mark(excess <= TARGET_HYPER_ALLOC_EXCESS),
            level.ratio(RESTRAIT_HYPER, HYPER, cpu),
        );
        let _ = writeln!(
            out,
            "  over reqwest: restrait (hyper) {:.3}x, hyper (floor) {:.3}x throughput",
            level.ratio(RESTRAIT_HYPER, REQWEST, rps),
            level.ratio(HYPER, REQWEST, rps),
        );
        if level.errors() > 0 {
            let _ = writeln!(out, "  WARNING: {} calls failed", level.errors());
        }
    }
    if let Some(scenarios) = &r.scenarios {
        scenario_lines(&mut out, scenarios);
    }
    let _ = writeln!(
        out,
        "process peak RSS (VmHWM): {} KiB; whole run {:.0} s",
        vm_hwm_kib().map_or("?".into(), |k| k.to_string()),
        r.wall_secs
    );
    out
}

fn scenario_lines(out: &mut String, r: &Scenarios) {
    let s = &r.retry_storm;
    let _ = writeln!(
        out,
        "\nretry storm (always 503, {} calls, 64 at a time): attempts/call with budget {:.2}, without {:.2}",
        s["budget_on"]["calls"],
        s["budget_on"]["attempts_per_call"]
            .as_f64()
            .unwrap_or(f64::NAN),
        s["budget_off"]["attempts_per_call"]
            .as_f64()
            .unwrap_or(f64::NAN),
    );
    let t = &r.token_stampede;
    let _ = writeln!(
        out,
        "token stampede (expired token, {} concurrent calls): {} token request(s), {} calls succeeded, {:.2} s",
        t["calls"],
        t["token_requests"],
        t["succeeded"],
        t["secs"].as_f64().unwrap_or(f64::NAN),
    );
    let p = &r.pagination;
    let _ = writeln!(
        out,
        "pagination ({} items, {} a page): restrait {:.0} items/s, hand-written reqwest loop {:.0} items/s, ratio {:.3}x{}",
        p["items"],
        p["page_size"],
        p["restrait_items_per_sec"].as_f64().unwrap_or(f64::NAN),
        p["reqwest_items_per_sec"].as_f64().unwrap_or(f64::NAN),
        p["ratio"].as_f64().unwrap_or(f64::NAN),
        p["error"]
            .as_str()
            .map(|e| format!(" (error: {e})"))
            .unwrap_or_default(),
    );
    let e = &r.expansion;
    if let Some(best) = e["best_ms"].as_f64() {
        let _ = writeln!(
            out,
            "expansion of a 1,000-method trait: best {best:.1} ms, median {:.1} ms",
            e["median_ms"].as_f64().unwrap_or(f64::NAN)
        );
    } else {
        let _ = writeln!(out, "expansion of a 1,000-method trait: not measured ({e})");
    }
}

/// The JSON written to `target/bench-results.json`.
pub(crate) fn json(r: &Results) -> Value {
    let levels: Vec<Value> = r.levels.iter().map(level_json).collect();
    let scenarios = r.scenarios.as_ref().map(|s| {
        json!({
            "retry_storm": s.retry_storm,
            "token_stampede": s.token_stampede,
            "pagination": s.pagination,
            "expansion": s.expansion,
        })
    });
    json!({
        "bench": "restrait-bench",
        "mode": r.mode,
        "quick": r.quick,
        "rounds": r.rounds,
        "secs_per_run": r.secs,
        "levels": levels,
        "scenarios": scenarios,
        "process_vm_hwm_kib": vm_hwm_kib(),
        "wall_secs": r.wall_secs,
    })
}

fn level_json(level: &Level) -> Value {
    let mut contenders = serde_json::Map::new();
    for (c, name) in Contender::NAMES.iter().enumerate() {
        let mut figures = serde_json::Map::new();
        for (key, figure) in FIGURES {
            figures.insert(key.into(), json!(level.median(c, figure)));
        }
        contenders.insert((*name).into(), Value::Object(figures));
    }
    let mut ratios = serde_json::Map::new();
    for (pair, a, b) in PAIRS {
        let mut figures = serde_json::Map::new();
        for (key, figure) in FIGURES {
            figures.insert(key.into(), json!(level.ratio(a, b, figure)));
        }
        figures.insert(
            "allocs_per_call_excess".into(),
            json!(level.alloc_excess(a, b)),
        );
        ratios.insert(pair.into(), Value::Object(figures));
    }
    let targets = Targets::of(level);
    let reqwest_alloc = level.alloc_excess(RESTRAIT, REQWEST);
    let hyper_alloc = level.alloc_excess(RESTRAIT_HYPER, HYPER);
    json!({
        "concurrency": level.concurrency,
        "median": contenders,
        "ratios": ratios,
        "targets": {
            "restrait_over_reqwest": {
                "throughput_ratio_min": TARGET_RPS,
                "throughput_met": targets.reqwest_rps.median >= TARGET_RPS,
                "throughput": targets.reqwest_rps.json(),
                "p99_ratio_max": TARGET_P99,
                "p99_met": targets.reqwest_p99.median <= TARGET_P99,
                "p99": targets.reqwest_p99.json(),
                "alloc_excess_max": TARGET_ALLOC_EXCESS, "alloc_met": reqwest_alloc <= TARGET_ALLOC_EXCESS,
            },
            "restrait_hyper_over_hyper": {
                "throughput_ratio_min": TARGET_HYPER_RPS,
                "throughput_met": targets.hyper_rps.median >= TARGET_HYPER_RPS,
                "throughput": targets.hyper_rps.json(),
                "alloc_excess_max": TARGET_HYPER_ALLOC_EXCESS, "alloc_met": hyper_alloc <= TARGET_HYPER_ALLOC_EXCESS,
            },
        },
        "errors": level.errors(),
        "runs": level.runs.iter().map(|round| {
            round.iter().zip(Contender::NAMES).map(|(run, name)| {
                let mut v = serde_json::to_value(run).unwrap_or(Value::Null);
                if let Value::Object(m) = &mut v {
                    m.insert("contender".into(), json!(name));
                }
                v
            }).collect::<Vec<_>>()
        }).collect::<Vec<_>>(),
    })
}

/// The process's peak resident set, from `/proc/self/status`.
fn vm_hwm_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn interval(low: f64, high: f64) -> Option<Interval> {
        Some(Interval {
            low,
            high,
            coverage: 0.96,
        })
    }

    #[test]
    fn a_target_is_judged_by_the_whole_interval() {
        use Bound::{AtLeast, AtMost};
        use Verdict::{MedianOnly, Met, Missed, Unclear};
        // (bound, target, median, interval, verdict)
        let cases = [
            (AtLeast, 0.97, 0.99, interval(0.975, 1.01), Met),
            (AtLeast, 0.97, 0.95, interval(0.93, 0.965), Missed),
            // The median misses, but the target is within the noise.
            (AtLeast, 0.97, 0.96, interval(0.94, 0.98), Unclear),
            (AtLeast, 0.97, 0.98, interval(0.96, 1.0), Unclear),
            (AtLeast, 0.97, 0.98, None, MedianOnly(true)),
            (AtLeast, 0.97, 0.96, None, MedianOnly(false)),
            // A latency target bounds from above.
            (AtMost, 1.05, 1.0, interval(0.97, 1.04), Met),
            (AtMost, 1.05, 1.1, interval(1.06, 1.2), Missed),
            (AtMost, 1.05, 1.04, interval(1.0, 1.1), Unclear),
            (AtMost, 1.05, 1.06, None, MedianOnly(false)),
        ];
        for (bound, target, median, i, want) in cases {
            assert_eq!(
                Verdict::of(median, i, bound, target),
                want,
                "{median} {i:?}"
            );
        }
    }
}
