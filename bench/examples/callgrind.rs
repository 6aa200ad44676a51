//! A fixed number of sequential `GET /users/<id>` calls, for counting
//! instructions per call with callgrind (counts, not seconds, so that a run
//! on a shared machine repeats):
//!
//! ```text
//! cargo build --release -p restrait-bench --example callgrind
//! valgrind --tool=callgrind --toggle-collect='callgrind::measure*' \
//!     target/release/examples/callgrind restrait 2000
//! callgrind_annotate --inclusive=yes callgrind.out.<pid> | head -60
//! ```
//!
//! The contender is one of `restrait`, `restrait-hyper`, `reqwest` or
//! `hyper`; an optional third argument, the concurrency (default 1), keeps
//! that many calls in flight, as the bench's throughput runs do, so that
//! the cache misses of concurrent calls can be compared (`--cache-sim=yes`).
//! The server runs in a
//! child process (callgrind does not follow children), so the counts are
//! the client's alone; `--toggle-collect` leaves out start-up and the warm-up
//! calls. Instructions per call are the total over the number of calls.

use std::io::{BufRead, BufReader, Write as _};
use std::process::{Command, Stdio};

use bytes::Bytes;
use futures::StreamExt;
use futures::stream::FuturesUnordered;
use http::header::HeaderValue;
use http_body_util::Full;
use hyper_util::rt::TokioIo;

// The bench's own contenders, so that the calls measured here are the
// calls it times.
#[allow(dead_code, unreachable_pub)]
#[path = "../src/contenders.rs"]
mod contenders;

use contenders::{BoxError, Contender};

const WARM_UP: u64 = 50;

fn main() -> std::result::Result<(), BoxError> {
    let mut args = std::env::args().skip(1);
    let which = args.next().unwrap_or_default();
    if which == "serve" {
        return serve();
    }
    let calls: u64 = args.next().as_deref().unwrap_or("1000").parse()?;
    let concurrency: u64 = args.next().as_deref().unwrap_or("1").parse()?;
    if concurrency == 0 {
        return Err("the concurrency is at least 1".into());
    }
    let mut server = Command::new(std::env::current_exe()?)
        .arg("serve")
        .stdout(Stdio::piped())
        .spawn()?;
    let mut line = String::new();
    BufReader::new(server.stdout.take().ok_or("no server stdout")?).read_line(&mut line)?;
    let base = format!("http://{}", line.trim());
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let result = runtime.block_on(async {
        let found = Contender::all(&base)
            .into_iter()
            .zip(Contender::NAMES)
            .find(|(_, name)| *name == which);
        match found {
            Some((contender, _)) => Ok(contender),
            None => Err(BoxError::from(format!(
                "unknown contender {which:?}: one of {:?}",
                Contender::NAMES
            ))),
        }
    });
    let result = result.and_then(|contender| {
        runtime.block_on(run(&contender, 0, WARM_UP, concurrency))?;
        measure(&runtime, &contender, calls, concurrency)
    });
    let _ = server.kill();
    let _ = server.wait();
    result?;
    println!("{which}: {calls} calls, {concurrency} at a time");
    Ok(())
}

/// The measured calls: callgrind's `--toggle-collect` names this function.
#[inline(never)]
fn measure(
    runtime: &tokio::runtime::Runtime,
    contender: &Contender,
    calls: u64,
    concurrency: u64,
) -> std::result::Result<(), BoxError> {
    runtime.block_on(run(contender, WARM_UP, calls, concurrency))
}

/// Calls `from..from + calls`, `concurrency` at a time: each of
/// `concurrency` lanes takes every `concurrency`-th id. The lanes are kept
/// in a `FuturesUnordered`, which polls only the lane that was woken.
async fn run(
    contender: &Contender,
    from: u64,
    calls: u64,
    concurrency: u64,
) -> std::result::Result<(), BoxError> {
    let end = from.saturating_add(calls);
    let mut lanes: FuturesUnordered<_> = (0..concurrency)
        .map(|lane| async move {
            let mut id = from.saturating_add(lane);
            while id < end {
                let user = contender.get_user(id).await?;
                if user.id != id {
                    return Err(BoxError::from(format!(
                        "asked for user {id}, got {}",
                        user.id
                    )));
                }
                id = id.saturating_add(concurrency);
            }
            Ok(())
        })
        .collect();
    while let Some(lane) = lanes.next().await {
        lane?;
    }
    Ok(())
}

/// The server process: prints its address, then answers until killed.
fn serve() -> std::result::Result<(), BoxError> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let mut out = std::io::stdout();
        writeln!(out, "{}", listener.local_addr()?)?;
        out.flush()?;
        loop {
            let (stream, _) = listener.accept().await?;
            stream.set_nodelay(true)?;
            tokio::spawn(async move {
                let service = hyper::service::service_fn(|req: http::Request<_>| async move {
                    let id = req.uri().path().trim_start_matches("/users/").to_owned();
                    let body = format!(
                        r#"{{"id":{id},"email":"user{id}@example.com","name":"User {id}","active":true}}"#
                    );
                    let mut response = http::Response::new(Full::new(Bytes::from(body)));
                    response.headers_mut().insert(
                        http::header::CONTENT_TYPE,
                        HeaderValue::from_static("application/json"),
                    );
                    Ok::<_, std::convert::Infallible>(response)
                });
                let _ = hyper::server::conn::http1::Builder::new()
                    .keep_alive(true)
                    .serve_connection(TokioIo::new(stream), service)
                    .await;
            });
        }
    })
}
