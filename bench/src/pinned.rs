//! `--pinned`: the server in a process of its own on core 0, and each run of
//! each contender in a fresh process of its own on core 1 (`taskset`), on a
//! current-thread tokio runtime. In one process the client and the server
//! share cores and the allocator, which hides what a call costs at c = 64;
//! here each side has one core to itself.
//!
//! The same binary plays every part: `--serve` prints the server's URL and
//! serves until its stdin closes; `--client NAME` makes one timed run (or
//! `--calls N` calls for a profiler) and prints its figures as JSON.

use std::io::{BufRead, BufReader, Write};
use std::path::PathBuf;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::time::Duration;

use crate::contenders::{Contender, N};
use crate::throughput::{self, Level, Run};

/// The core the server runs on; clients run on the other.
const SERVER_CORE: &str = "0";
const CLIENT_CORE: &str = "1";

/// `--serve`: the bench server until stdin closes.
pub(crate) fn serve() {
    let server = crate::server::start();
    println!("{}", server.base);
    let _ = std::io::stdout().flush();
    // Any line or the end of stdin ends the server.
    let mut line = String::new();
    let _ = std::io::stdin().read_line(&mut line);
}

/// What a `--client` process does.
pub(crate) enum ClientJob {
    /// Warm up for `warmup`, then one timed run.
    Timed {
        concurrency: usize,
        length: Duration,
        warmup: Duration,
    },
    /// `calls` sequential calls, after 100 to open the connection and fill
    /// caches, so that a profiler's count differs between two values of
    /// `calls` by exactly the calls.
    Calls(u64),
}

/// `--client NAME`: one job on a current-thread runtime; prints a [`Run`]
/// as JSON (for `Calls`, its allocations per call and errors).
pub(crate) fn client(c: usize, base: &str, job: ClientJob) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("client runtime");
    crate::alloc::track_this_thread();
    let run = runtime.block_on(async {
        let contender = Contender::new(c, base);
        match job {
            ClientJob::Timed {
                concurrency,
                length,
                warmup,
            } => {
                throughput::run(&contender, concurrency, warmup).await;
                throughput::run(&contender, concurrency, length).await
            }
            ClientJob::Calls(calls) => {
                throughput::sequential(&contender, 100).await;
                let before = crate::alloc::allocations();
                let errors = throughput::sequential(&contender, calls).await;
                let allocs = crate::alloc::allocations() - before;
                Run {
                    calls,
                    errors,
                    allocs_per_call: allocs as f64 / calls.max(1) as f64,
                    ..Run::default()
                }
            }
        }
    });
    println!("{}", serde_json::to_string(&run).expect("serialize run"));
}

/// The server process; it ends when this is dropped.
pub(crate) struct ServerProcess {
    pub(crate) base: String,
    child: Child,
    stdin: Option<ChildStdin>,
}

impl ServerProcess {
    /// Starts `--serve`, on its own core when `pin`.
    pub(crate) fn start(pin: bool) -> ServerProcess {
        let mut child = command(pin.then_some(SERVER_CORE), &["--serve"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("start the server process");
        let stdin = child.stdin.take();
        let mut base = String::new();
        let stdout = child.stdout.take().expect("server stdout");
        BufReader::new(stdout)
            .read_line(&mut base)
            .expect("read the server's URL");
        ServerProcess {
            base: base.trim().to_owned(),
            child,
            stdin,
        }
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        drop(self.stdin.take());
        let _ = self.child.wait();
    }
}

/// This binary, under `taskset -c core` when a core is given and taskset
/// is there.
pub(crate) fn command(core: Option<&str>, args: &[&str]) -> Command {
    let exe = exe();
    match core {
        Some(core) if has_taskset() => {
            let mut c = Command::new("taskset");
            c.arg("-c").arg(core).arg(exe).args(args);
            c
        }
        _ => {
            let mut c = Command::new(exe);
            c.args(args);
            c
        }
    }
}

fn exe() -> PathBuf {
    std::env::current_exe().expect("the bench's own path")
}

fn has_taskset() -> bool {
    Command::new("taskset")
        .arg("-V")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// Runs `args` as a client process on the client core and reads its [`Run`].
pub(crate) fn client_run(args: &[&str]) -> Run {
    let out = command(Some(CLIENT_CORE), args)
        .stderr(Stdio::inherit())
        .output()
        .expect("run a client process");
    let text = String::from_utf8_lossy(&out.stdout);
    serde_json::from_str(text.trim())
        .unwrap_or_else(|e| panic!("client {args:?} printed no run ({e}): {text}"))
}

/// Every level, pinned: `rounds` rounds of the contenders, in the order of
/// [`throughput::round_order`], each run a process.
pub(crate) fn levels(
    levels: &[usize],
    rounds: usize,
    length: Duration,
    warmup: Duration,
) -> Vec<Level> {
    if !has_taskset() {
        eprintln!("WARNING: taskset not found; the processes are not pinned");
    }
    let server = ServerProcess::start(true);
    let (secs, warm) = (
        length.as_secs_f64().to_string(),
        warmup.as_secs_f64().to_string(),
    );
    let mut out = Vec::new();
    for &concurrency in levels {
        eprintln!(
            "pinned, concurrency {concurrency}: {rounds} rounds of A B C D, B C D A, ..., {secs} s each, one process per run"
        );
        let c = concurrency.to_string();
        let mut runs = Vec::with_capacity(rounds);
        for r in 0..rounds {
            let mut round = [Run::default(); N];
            for i in throughput::round_order(r) {
                round[i] = client_run(&[
                    "--client",
                    Contender::NAMES[i],
                    "--base",
                    &server.base,
                    "--concurrency",
                    &c,
                    "--secs",
                    &secs,
                    "--warmup",
                    &warm,
                ]);
            }
            runs.push(round);
        }
        out.push(Level { concurrency, runs });
    }
    out
}
