//! The results as a table for people and as JSON for tools.

use std::fmt::Write as _;

use serde_json::{Value, json};

use crate::contenders::{Contender, HYPER, REQWEST, RESTRAIT, RESTRAIT_HYPER};
use crate::throughput::{FIGURES, Level, Run};

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
        let (t, l99, excess) = (
            level.ratio(RESTRAIT, REQWEST, rps),
            level.ratio(RESTRAIT, REQWEST, p99),
            level.alloc_excess(RESTRAIT, REQWEST),
        );
        let _ = writeln!(
            out,
            "  restrait (reqwest) / reqwest: throughput {t:.3}x (target >= {TARGET_RPS}x: {}), p50 {:.3}x, \
             p99 {l99:.3}x (target <= {TARGET_P99}x: {}), allocs/call {excess:+.1} (target <= +{TARGET_ALLOC_EXCESS}: {}), cpu/call {:.3}x",
            mark(t >= TARGET_RPS),
            level.ratio(RESTRAIT, REQWEST, p50),
            mark(l99 <= TARGET_P99),
            mark(excess <= TARGET_ALLOC_EXCESS),
            level.ratio(RESTRAIT, REQWEST, cpu),
        );
        let (t, excess) = (
            level.ratio(RESTRAIT_HYPER, HYPER, rps),
            level.alloc_excess(RESTRAIT_HYPER, HYPER),
        );
        let _ = writeln!(
            out,
            "  restrait (hyper) / hyper:     throughput {t:.3}x (target >= {TARGET_HYPER_RPS}x: {}), p50 {:.3}x, \
             p99 {:.3}x, allocs/call {excess:+.1} (target <= +{TARGET_HYPER_ALLOC_EXCESS}: {}), cpu/call {:.3}x",
            mark(t >= TARGET_HYPER_RPS),
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
    let reqwest = (
        level.ratio(RESTRAIT, REQWEST, rps),
        level.ratio(RESTRAIT, REQWEST, p99),
        level.alloc_excess(RESTRAIT, REQWEST),
    );
    let hyper = (
        level.ratio(RESTRAIT_HYPER, HYPER, rps),
        level.alloc_excess(RESTRAIT_HYPER, HYPER),
    );
    json!({
        "concurrency": level.concurrency,
        "median": contenders,
        "ratios": ratios,
        "targets": {
            "restrait_over_reqwest": {
                "throughput_ratio_min": TARGET_RPS, "throughput_met": reqwest.0 >= TARGET_RPS,
                "p99_ratio_max": TARGET_P99, "p99_met": reqwest.1 <= TARGET_P99,
                "alloc_excess_max": TARGET_ALLOC_EXCESS, "alloc_met": reqwest.2 <= TARGET_ALLOC_EXCESS,
            },
            "restrait_hyper_over_hyper": {
                "throughput_ratio_min": TARGET_HYPER_RPS, "throughput_met": hyper.0 >= TARGET_HYPER_RPS,
                "alloc_excess_max": TARGET_HYPER_ALLOC_EXCESS, "alloc_met": hyper.1 <= TARGET_HYPER_ALLOC_EXCESS,
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
