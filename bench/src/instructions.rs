//! `--instructions`: instructions per call, counted by callgrind, which
//! unlike a clock gives the same figure on a loaded machine.
//!
//! The server runs in its own process (its instructions are not counted);
//! each contender runs in a client process under
//! `valgrind --tool=callgrind`, once with `calls` sequential calls and once
//! with twice as many. The difference of the two totals, divided by
//! `calls`, is what one call costs, without start-up and connection set-up.
//! The second run's callgrind file is kept for `callgrind_annotate`.

use std::path::Path;
use std::process::Command;

use serde_json::{Value, json};

use crate::contenders::{Contender, N};
use crate::pinned::ServerProcess;
use crate::throughput::Run;

/// One contender's counts.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Count {
    pub(crate) instructions_per_call: f64,
    pub(crate) allocs_per_call: f64,
}

/// Counts every contender; the callgrind files go to `dir`.
pub(crate) fn count(calls: u64, dir: &Path) -> Option<[Count; N]> {
    if Command::new("valgrind").arg("--version").output().is_err() {
        eprintln!("--instructions needs valgrind (apt-get install valgrind)");
        return None;
    }
    let server = ServerProcess::start(false);
    let mut counts = [Count {
        instructions_per_call: f64::NAN,
        allocs_per_call: f64::NAN,
    }; N];
    for (c, count) in counts.iter_mut().enumerate() {
        let name = Contender::NAMES[c];
        eprintln!("callgrind: {name}, {calls} and {} calls", 2 * calls);
        let out = dir.join(format!("callgrind.{name}.out"));
        let (one, _) = callgrind(name, &server.base, calls, Path::new("/dev/null"))?;
        let (two, run) = callgrind(name, &server.base, 2 * calls, &out)?;
        if run.errors > 0 {
            eprintln!("WARNING: {name}: {} calls failed", run.errors);
        }
        *count = Count {
            instructions_per_call: two.saturating_sub(one) as f64 / calls as f64,
            allocs_per_call: run.allocs_per_call,
        };
    }
    Some(counts)
}

/// The instructions callgrind counted in one client process, and its run.
fn callgrind(name: &str, base: &str, calls: u64, out: &Path) -> Option<(u64, Run)> {
    let exe = std::env::current_exe().ok()?;
    let output = Command::new("valgrind")
        .arg("--tool=callgrind")
        .arg(format!("--callgrind-out-file={}", out.display()))
        .arg(exe)
        .args(["--client", name, "--base", base, "--calls"])
        .arg(calls.to_string())
        .output()
        .ok()?;
    let stderr = String::from_utf8_lossy(&output.stderr);
    let collected = stderr
        .lines()
        .find_map(|l| {
            l.split_once("Collected :")
                .map(|(_, n)| n.trim().to_owned())
        })
        .and_then(|n| n.parse().ok());
    let Some(collected) = collected else {
        eprintln!("callgrind printed no count for {name}:\n{stderr}");
        return None;
    };
    let run = serde_json::from_slice(output.stdout.trim_ascii()).ok()?;
    Some((collected, run))
}

/// The counts as a table.
pub(crate) fn table(calls: u64, counts: &[Count; N]) -> String {
    use std::fmt::Write as _;
    let mut out = format!(
        "\ninstructions per call (callgrind, ({} - {calls} sequential calls) / {calls}, server in another process)\n",
        2 * calls
    );
    let _ = writeln!(
        out,
        "  {:<20} {:>14} {:>12}",
        "contender", "instr/call", "allocs/call"
    );
    for (c, count) in counts.iter().enumerate() {
        let _ = writeln!(
            out,
            "  {:<20} {:>14.0} {:>12.1}",
            Contender::LABELS[c],
            count.instructions_per_call,
            count.allocs_per_call
        );
    }
    out
}

/// The counts as JSON.
pub(crate) fn json(calls: u64, counts: &[Count; N]) -> Value {
    let mut by_name = serde_json::Map::new();
    for (c, count) in counts.iter().enumerate() {
        by_name.insert(
            Contender::NAMES[c].into(),
            json!({
                "instructions_per_call": count.instructions_per_call,
                "allocs_per_call": count.allocs_per_call,
            }),
        );
    }
    json!({ "calls": calls, "contenders": by_name })
}
