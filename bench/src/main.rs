//! restrait vs raw reqwest vs raw hyper, side by side in one run.
//!
//! ```text
//! cargo run --release -p restrait-bench                 # about 2-3 minutes
//! cargo run --release -p restrait-bench -- --quick      # well under a minute
//! cargo run --release -p restrait-bench -- --json out.json --no-expand
//! cargo run --release -p restrait-bench -- --profile restrait --concurrency 1 --secs 10
//! ```
//!
//! A hyper server runs on 127.0.0.1 on its own thread; the contenders run on
//! a single-threaded runtime on the main thread, whose allocations the
//! counting allocator counts. Each concurrency level runs the contenders in
//! turn (A B C A B C ...), and each ratio is the median over rounds of
//! restrait's figure over reqwest's in the same round, so that a machine
//! shared with compilers drifts out of the comparison.

mod alloc;
mod contenders;
mod report;
mod scenarios;
mod server;
mod stats;
mod throughput;

use std::path::PathBuf;
use std::time::{Duration, Instant};

use serde_json::json;

use contenders::{Contender, NewUser, Users};

#[global_allocator]
static ALLOCATOR: alloc::Counting = alloc::Counting;

/// What the command line asked for.
struct Options {
    quick: bool,
    json: Option<PathBuf>,
    expand: bool,
    rounds: usize,
    secs: f64,
    levels: Vec<usize>,
    profile: Option<usize>,
}

fn options() -> Options {
    let mut args = std::env::args().skip(1);
    let mut o = Options {
        quick: false,
        json: None,
        expand: true,
        rounds: 0,
        secs: 0.0,
        levels: vec![1, 16, 64],
        profile: None,
    };
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--quick" => o.quick = true,
            "--json" => o.json = Some(args.next().expect("--json takes a path").into()),
            "--no-expand" => o.expand = false,
            "--rounds" => {
                o.rounds = args
                    .next()
                    .and_then(|v| v.parse().ok())
                    .expect("--rounds takes a number")
            }
            "--secs" => {
                o.secs = args
                    .next()
                    .and_then(|v| v.parse().ok())
                    .expect("--secs takes seconds")
            }
            "--concurrency" => {
                o.levels = args
                    .next()
                    .map(|v| v.split(',').filter_map(|n| n.parse().ok()).collect())
                    .expect("--concurrency takes a list such as 1,16,64")
            }
            "--profile" => {
                let name = args.next().expect("--profile takes a contender");
                o.profile = Some(
                    Contender::NAMES
                        .iter()
                        .position(|n| *n == name)
                        .expect("--profile takes restrait, reqwest or hyper"),
                )
            }
            "-h" | "--help" => {
                println!(
                    "usage: restrait-bench [--quick] [--json PATH] [--no-expand] \
                     [--rounds N] [--secs S] [--concurrency 1,16,64] [--profile CONTENDER]"
                );
                std::process::exit(0);
            }
            other => {
                eprintln!("unknown argument `{other}`; try --help");
                std::process::exit(2);
            }
        }
    }
    if o.rounds == 0 {
        o.rounds = if o.quick { 3 } else { 5 };
    }
    if o.secs <= 0.0 {
        o.secs = if o.quick { 0.4 } else { 2.0 };
    }
    o
}

/// Where results go by default: `bench-results.json` in the target
/// directory this binary was built in.
fn default_json_path() -> PathBuf {
    std::env::current_exe()
        .ok()
        .and_then(|exe| Some(exe.parent()?.parent()?.join("bench-results.json")))
        .unwrap_or_else(|| PathBuf::from("target/bench-results.json"))
}

fn main() {
    let o = options();
    let started = Instant::now();
    let server = server::start();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("client runtime");
    alloc::track_this_thread();
    let length = Duration::from_secs_f64(o.secs);
    let warmup = length.mul_f64(0.25);

    if let Some(c) = o.profile {
        // One contender alone, for perf or heaptrack to look at.
        runtime.block_on(async {
            let contenders = Contender::all(&server.base);
            for &level in &o.levels {
                let run = throughput::run(&contenders[c], level, length).await;
                println!("{} at concurrency {level}: {run:?}", Contender::NAMES[c]);
            }
        });
        return;
    }

    let (levels, storm, stampede, pages) = runtime.block_on(async {
        let contenders = Contender::all(&server.base);
        sanity(&contenders).await;
        let mut levels = Vec::new();
        for &c in &o.levels {
            eprintln!(
                "concurrency {c}: {} rounds of A B C, {:.1} s each",
                o.rounds, o.secs
            );
            levels.push(throughput::level(&contenders, c, o.rounds, length, warmup).await);
        }
        drop(contenders);
        eprintln!("scenarios: retry storm, token stampede, pagination");
        let calls = if o.quick { 300 } else { 1000 };
        let storm = scenarios::retry_storm(&server, calls, 64).await;
        let stampede = scenarios::token_stampede(&server, 1000).await;
        let pages = scenarios::pagination(&server, if o.quick { 3 } else { 5 }).await;
        (levels, storm, stampede, pages)
    });
    let expansion = if o.expand {
        eprintln!("expansion: cargo run --release -p restrait-macros --example expand_timing");
        scenarios::expansion()
    } else {
        json!({ "skipped": true })
    };

    let results = report::Results {
        quick: o.quick,
        rounds: o.rounds,
        secs: o.secs,
        levels,
        retry_storm: storm,
        token_stampede: stampede,
        pagination: pages,
        expansion,
        wall_secs: started.elapsed().as_secs_f64(),
    };
    print!("{}", report::table(&results));
    let path = o.json.unwrap_or_else(default_json_path);
    let text = serde_json::to_string_pretty(&report::json(&results)).expect("serialize results");
    match std::fs::write(&path, text + "\n") {
        Ok(()) => println!("results written to {}", path.display()),
        Err(e) => eprintln!("cannot write {}: {e}", path.display()),
    }
}

/// One call of each kind through each contender, so that a broken setup
/// fails loudly before anything is timed.
async fn sanity(contenders: &[Contender; 3]) {
    for (name, contender) in Contender::NAMES.iter().zip(contenders) {
        let user = contender
            .get_user(42)
            .await
            .unwrap_or_else(|e| panic!("{name}: GET /users/42 failed: {e}"));
        assert_eq!(user.id, 42, "{name}");
    }
    if let Contender::Restrait(users) = &contenders[0] {
        let new = NewUser {
            email: "new@example.com",
            name: "New",
        };
        users.create(&new).await.expect("restrait: POST /users");
    }
}
