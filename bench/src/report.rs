//! The results as a table for people and as JSON for tools.

use std::fmt::Write as _;

use serde_json::{Value, json};

use crate::contenders::Contender;
use crate::throughput::{FIGURES, Level, Run};

/// Throughput of restrait at least this fraction of raw reqwest's.
const TARGET_RPS: f64 = 0.97;
/// p99 latency of restrait at most this multiple of raw reqwest's.
const TARGET_P99: f64 = 1.05;
/// Allocations per call of restrait at most this many above raw reqwest's:
/// the "small constant" of the issue (the request description, the
/// middleware futures, the typed error path's bookkeeping).
const TARGET_ALLOC_EXCESS: f64 = 10.0;

/// Everything one run of the bench measured.
pub(crate) struct Results {
    pub(crate) quick: bool,
    pub(crate) rounds: usize,
    pub(crate) secs: f64,
    pub(crate) levels: Vec<Level>,
    pub(crate) retry_storm: Value,
    pub(crate) token_stampede: Value,
    pub(crate) pagination: Value,
    pub(crate) expansion: Value,
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
fn peak(r: &Run) -> f64 {
    r.peak_kib
}
fn cpu(r: &Run) -> f64 {
    r.cpu_us_per_call
}

/// The table printed on stdout.
pub(crate) fn table(r: &Results) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "\nrestrait-bench: GET /users/<id> on 127.0.0.1, median of {} rounds of {:.1} s per contender{}",
        r.rounds,
        r.secs,
        if r.quick { " (--quick)" } else { "" }
    );
    for level in &r.levels {
        let _ = writeln!(out, "\nconcurrency {}", level.concurrency);
        let _ = writeln!(
            out,
            "  {:<10} {:>10} {:>9} {:>9} {:>12} {:>10} {:>13}",
            "contender", "req/s", "p50 µs", "p99 µs", "allocs/call", "peak KiB", "cpu µs/call"
        );
        for (c, name) in Contender::NAMES.iter().enumerate() {
            let _ = writeln!(
                out,
                "  {:<10} {:>10.0} {:>9.1} {:>9.1} {:>12.1} {:>10.1} {:>13.2}",
                name,
                level.median(c, rps),
                level.median(c, p50),
                level.median(c, p99),
                level.median(c, |x| x.allocs_per_call),
                level.median(c, peak),
                level.median(c, cpu),
            );
        }
        let (t, l99, excess) = (level.ratio(rps), level.ratio(p99), level.alloc_excess());
        let _ = writeln!(
            out,
            "  restrait/reqwest: throughput {t:.3}x (target >= {TARGET_RPS}x: {}), p50 {:.3}x, \
             p99 {l99:.3}x (target <= {TARGET_P99}x: {}), allocs/call {excess:+.1} (target <= +{TARGET_ALLOC_EXCESS}: {}), peak {:.2}x, cpu/call {:.3}x",
            mark(t >= TARGET_RPS),
            level.ratio(p50),
            mark(l99 <= TARGET_P99),
            mark(excess <= TARGET_ALLOC_EXCESS),
            level.ratio(peak),
            level.ratio(cpu),
        );
        let floor: Vec<f64> = level.runs.iter().map(|r| r[2].rps / r[1].rps).collect();
        let _ = writeln!(
            out,
            "  hyper (floor)/reqwest: throughput {:.3}x",
            crate::stats::median(&floor)
        );
        if level.errors() > 0 {
            let _ = writeln!(out, "  WARNING: {} calls failed", level.errors());
        }
    }
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
    let _ = writeln!(
        out,
        "process peak RSS (VmHWM): {} KiB; whole run {:.0} s",
        vm_hwm_kib().map_or("?".into(), |k| k.to_string()),
        r.wall_secs
    );
    out
}

/// The JSON written to `target/bench-results.json`.
pub(crate) fn json(r: &Results) -> Value {
    let levels: Vec<Value> = r
        .levels
        .iter()
        .map(|level| {
            let mut contenders = serde_json::Map::new();
            for (c, name) in Contender::NAMES.iter().enumerate() {
                let mut figures = serde_json::Map::new();
                for (key, figure) in FIGURES {
                    figures.insert(key.into(), json!(level.median(c, figure)));
                }
                contenders.insert((*name).into(), Value::Object(figures));
            }
            let mut ratios = serde_json::Map::new();
            for (key, figure) in FIGURES {
                ratios.insert(key.into(), json!(level.ratio(figure)));
            }
            let (t, l99, excess) = (level.ratio(rps), level.ratio(p99), level.alloc_excess());
            json!({
                "concurrency": level.concurrency,
                "median": contenders,
                "restrait_over_reqwest": ratios,
                "restrait_minus_reqwest_allocs_per_call": excess,
                "targets": {
                    "throughput_ratio_min": TARGET_RPS, "throughput_met": t >= TARGET_RPS,
                    "p99_ratio_max": TARGET_P99, "p99_met": l99 <= TARGET_P99,
                    "alloc_excess_max": TARGET_ALLOC_EXCESS, "alloc_met": excess <= TARGET_ALLOC_EXCESS,
                },
                "errors": level.errors(),
                "runs": level.runs.iter().map(|round| {
                    round.iter().zip(Contender::NAMES).map(|(run, name)| json!({
                        "contender": name,
                        "calls": run.calls,
                        "rps": run.rps,
                        "p50_us": run.p50_us,
                        "p99_us": run.p99_us,
                        "allocs_per_call": run.allocs_per_call,
                        "peak_kib": run.peak_kib,
                        "cpu_us_per_call": run.cpu_us_per_call,
                    })).collect::<Vec<_>>()
                }).collect::<Vec<_>>(),
            })
        })
        .collect();
    json!({
        "bench": "restrait-bench",
        "quick": r.quick,
        "rounds": r.rounds,
        "secs_per_run": r.secs,
        "levels": levels,
        "retry_storm": r.retry_storm,
        "token_stampede": r.token_stampede,
        "pagination": r.pagination,
        "expansion": r.expansion,
        "process_vm_hwm_kib": vm_hwm_kib(),
        "wall_secs": r.wall_secs,
    })
}

/// The process's peak resident set, from `/proc/self/status`.
fn vm_hwm_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}
