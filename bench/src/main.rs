//! restrait (on reqwest and on hyper) vs raw reqwest vs raw hyper, side by
//! side in one run.
//!
//! ```text
//! cargo run --release -p restrait-bench                 # about 3 minutes
//! cargo run --release -p restrait-bench -- --quick      # well under a minute
//! cargo run --release -p restrait-bench -- --pinned     # server and clients on their own cores
//! cargo run --release -p restrait-bench -- --instructions 1000   # callgrind counts per call
//! cargo run --release -p restrait-bench -- --json out.json --no-expand
//! cargo run --release -p restrait-bench -- --profile restrait-hyper --concurrency 1 --secs 10
//! ```
//!
//! In-process (the default), a hyper server runs on 127.0.0.1 on its own
//! thread; the contenders run on a single-threaded runtime on the main
//! thread, whose allocations the counting allocator counts. `--pinned` puts
//! the server in a process on core 0 and each run in a process on core 1
//! (see [`pinned`]). Each concurrency level runs the contenders in turn,
//! the first of each round a different one (A B C D, B C D A, ...), and
//! each ratio is the median over rounds of one contender's figure over
//! another's in the same round, so that a machine shared with compilers
//! drifts out of the comparison.

mod alloc;
mod contenders;
mod instructions;
mod pinned;
mod report;
mod scenarios;
mod server;
mod stats;
mod throughput;

use std::path::PathBuf;
use std::time::{Duration, Instant};

use serde_json::json;

use contenders::{Contender, NewUser, RESTRAIT, RESTRAIT_HYPER, Users};

#[global_allocator]
static ALLOCATOR: alloc::Counting = alloc::Counting;

/// What the command line asked for.
struct Options {
    quick: bool,
    pinned: bool,
    json: Option<PathBuf>,
    expand: bool,
    rounds: usize,
    secs: f64,
    warmup: Option<f64>,
    levels: Vec<usize>,
    profile: Option<usize>,
    instructions: Option<u64>,
    serve: bool,
    client: Option<usize>,
    base: Option<String>,
    calls: Option<u64>,
}

const USAGE: &str = "usage: restrait-bench [--quick] [--pinned] [--json PATH] [--no-expand] \
     [--rounds N] [--secs S] [--concurrency 1,16,64] [--profile CONTENDER] [--instructions CALLS]\n\
     internal parts: --serve | --client CONTENDER --base URL (--concurrency C --secs S --warmup S | --calls N)\n\
     contenders: restrait, restrait-hyper, reqwest, hyper";

fn value<T: std::str::FromStr>(args: &mut impl Iterator<Item = String>, flag: &str) -> T {
    args.next()
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| usage_error(&format!("{flag} takes a value")))
}

fn usage_error(message: &str) -> ! {
    eprintln!("{message}\n{USAGE}");
    std::process::exit(2);
}

fn contender(name: &str) -> usize {
    Contender::index(name).unwrap_or_else(|| usage_error(&format!("no contender `{name}`")))
}

fn options() -> Options {
    let mut args = std::env::args().skip(1);
    let mut o = Options {
        quick: false,
        pinned: false,
        json: None,
        expand: true,
        rounds: 0,
        secs: 0.0,
        warmup: None,
        levels: vec![1, 16, 64],
        profile: None,
        instructions: None,
        serve: false,
        client: None,
        base: None,
        calls: None,
    };
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--quick" => o.quick = true,
            "--pinned" => o.pinned = true,
            "--json" => o.json = Some(value::<String>(&mut args, "--json").into()),
            "--no-expand" => o.expand = false,
            "--rounds" => o.rounds = value(&mut args, "--rounds"),
            "--secs" => o.secs = value(&mut args, "--secs"),
            "--warmup" => o.warmup = Some(value(&mut args, "--warmup")),
            "--concurrency" => {
                let list: String = value(&mut args, "--concurrency");
                o.levels = list.split(',').filter_map(|n| n.parse().ok()).collect();
            }
            "--profile" => o.profile = Some(contender(&value::<String>(&mut args, "--profile"))),
            "--instructions" => o.instructions = Some(value(&mut args, "--instructions")),
            "--serve" => o.serve = true,
            "--client" => o.client = Some(contender(&value::<String>(&mut args, "--client"))),
            "--base" => o.base = Some(value(&mut args, "--base")),
            "--calls" => o.calls = Some(value(&mut args, "--calls")),
            "-h" | "--help" => {
                println!("{USAGE}");
                std::process::exit(0);
            }
            other => usage_error(&format!("unknown argument `{other}`")),
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

/// Where results go by default: `bench-results.json` (or
/// `bench-results-pinned.json`) in the target directory this binary was
/// built in.
fn target_dir() -> PathBuf {
    std::env::current_exe()
        .ok()
        .and_then(|exe| Some(exe.parent()?.parent()?.to_owned()))
        .unwrap_or_else(|| PathBuf::from("target"))
}

fn main() {
    let o = options();
    let length = Duration::from_secs_f64(o.secs);
    let warmup = o
        .warmup
        .map_or(length.mul_f64(0.25), Duration::from_secs_f64);
    if o.serve {
        return pinned::serve();
    }
    if let Some(c) = o.client {
        let base = o
            .base
            .unwrap_or_else(|| usage_error("--client needs --base"));
        let job = match o.calls {
            Some(calls) => pinned::ClientJob::Calls(calls),
            None => pinned::ClientJob::Timed {
                concurrency: o.levels.first().copied().unwrap_or(1),
                length,
                warmup,
            },
        };
        return pinned::client(c, &base, job);
    }
    if let Some(calls) = o.instructions {
        let dir = target_dir();
        if let Some(counts) = instructions::count(calls, &dir) {
            print!("{}", instructions::table(calls, &counts));
            let path = o
                .json
                .unwrap_or_else(|| dir.join("bench-instructions.json"));
            write_json(&path, &instructions::json(calls, &counts));
            println!(
                "callgrind files: {}/callgrind.<contender>.out",
                dir.display()
            );
        }
        return;
    }

    let started = Instant::now();
    if o.pinned {
        let levels = pinned::levels(&o.levels, o.rounds, length, warmup);
        finish(
            &o,
            "pinned (server on core 0, each client process on core 1)",
            levels,
            None,
            started,
        );
        return;
    }

    let server = server::start();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("client runtime");
    alloc::track_this_thread();

    if let Some(c) = o.profile {
        // One contender alone, for perf or heaptrack to look at.
        runtime.block_on(async {
            let contender = Contender::new(c, &server.base);
            for &level in &o.levels {
                let run = throughput::run(&contender, level, length).await;
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
                "concurrency {c}: {} rounds of A B C D, B C D A, ..., {:.1} s each",
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
    let scenarios = report::Scenarios {
        retry_storm: storm,
        token_stampede: stampede,
        pagination: pages,
        expansion,
    };
    finish(&o, "in-process", levels, Some(scenarios), started);
}

/// Prints the table and writes the JSON.
fn finish(
    o: &Options,
    mode: &'static str,
    levels: Vec<throughput::Level>,
    scenarios: Option<report::Scenarios>,
    started: Instant,
) {
    let results = report::Results {
        quick: o.quick,
        mode,
        rounds: o.rounds,
        secs: o.secs,
        levels,
        scenarios,
        wall_secs: started.elapsed().as_secs_f64(),
    };
    print!("{}", report::table(&results));
    let name = if o.pinned {
        "bench-results-pinned.json"
    } else {
        "bench-results.json"
    };
    let path = o.json.clone().unwrap_or_else(|| target_dir().join(name));
    write_json(&path, &report::json(&results));
}

fn write_json(path: &std::path::Path, value: &serde_json::Value) {
    let text = serde_json::to_string_pretty(value).expect("serialize results");
    match std::fs::write(path, text + "\n") {
        Ok(()) => println!("results written to {}", path.display()),
        Err(e) => eprintln!("cannot write {}: {e}", path.display()),
    }
}

/// One call of each kind through each contender, so that a broken setup
/// fails loudly before anything is timed.
async fn sanity(contenders: &[Contender; contenders::N]) {
    for (name, contender) in Contender::NAMES.iter().zip(contenders) {
        let user = contender
            .get_user(42)
            .await
            .unwrap_or_else(|e| panic!("{name}: GET /users/42 failed: {e}"));
        assert_eq!(user.id, 42, "{name}");
    }
    for c in [RESTRAIT, RESTRAIT_HYPER] {
        if let Contender::Restrait(users) = &contenders[c] {
            let new = NewUser {
                email: "new@example.com",
                name: "New",
            };
            users
                .create(&new)
                .await
                .unwrap_or_else(|e| panic!("{}: POST /users: {e}", Contender::NAMES[c]));
        }
    }
}
