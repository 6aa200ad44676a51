//! A fault-injecting HTTP/1.1 server on 127.0.0.1.
//!
//! Unlike [`TestServer`](crate::TestServer), which answers through hyper,
//! this one speaks HTTP/1.1 by hand over a raw `TcpListener`, so that it can
//! misbehave the way real networks and servers do: reset a connection before
//! or after reading a request, close it in the middle of a body, send broken
//! JSON, stall past the client's timeout, answer 429 or 503, or send a body
//! larger than the client accepts.
//!
//! Which fault a request gets is a pure function of the seed, the request's
//! id (the [`REQUEST_ID`] header) and how many times that id has arrived
//! before: the same seed gives the same plan whatever the timing. The server
//! keeps a ledger of every arrival and of the side effects of POSTs, which it
//! deduplicates by `Idempotency-Key` the way a real API does, so a test can
//! check that no request was carried out twice.

use std::collections::{HashMap, HashSet};
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;

/// The header that carries a test's own id for each logical request; every
/// attempt of one call carries the same id.
pub const REQUEST_ID: &str = "x-request-id";
/// The header a POST's idempotency key arrives in.
pub const IDEMPOTENCY_KEY: &str = "idempotency-key";

/// The largest request head the server reads.
const MAX_HEAD: usize = 64 * 1024;
/// The largest request body the server reads.
const MAX_BODY: usize = 1024 * 1024;

/// What the server does with one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Fault {
    /// Answers normally: 200 with a JSON item (201 for a POST, 204 for a DELETE).
    Normal,
    /// Resets the connection (RST) once the request head has arrived,
    /// without reading the body or doing anything.
    ResetBeforeRead,
    /// Reads the whole request, carries it out, then resets the connection
    /// without answering.
    ResetAfterRead,
    /// Carries the request out, sends the head and part of the body, then
    /// closes the connection.
    CloseMidBody,
    /// Carries the request out and answers 200 with JSON cut short (the
    /// `Content-Length` matches the short body).
    TruncatedJson,
    /// Carries the request out and answers 200 with a body that is not JSON
    /// of the expected shape.
    MalformedJson,
    /// Carries the request out and then says nothing for
    /// [`FaultConfig::stall`] (or until the client hangs up).
    Stall,
    /// Answers 429 with a `Retry-After`; nothing is carried out.
    RateLimited,
    /// Answers 503; nothing is carried out.
    Unavailable,
    /// Carries the request out and answers 200 with a body of
    /// [`FaultConfig::oversized_body`] bytes.
    Oversized,
}

impl Fault {
    /// Every fault, in a fixed order.
    pub const ALL: [Fault; 10] = [
        Fault::Normal,
        Fault::ResetBeforeRead,
        Fault::ResetAfterRead,
        Fault::CloseMidBody,
        Fault::TruncatedJson,
        Fault::MalformedJson,
        Fault::Stall,
        Fault::RateLimited,
        Fault::Unavailable,
        Fault::Oversized,
    ];

    /// True if the server carries the request out (a POST's side effect
    /// happens) before misbehaving.
    pub fn carries_out(self) -> bool {
        !matches!(
            self,
            Fault::ResetBeforeRead | Fault::RateLimited | Fault::Unavailable
        )
    }
}

/// How a [`FaultServer`] behaves.
#[derive(Debug, Clone)]
pub struct FaultConfig {
    /// The seed of every random choice.
    pub seed: u64,
    /// The faults and their weights.
    pub mix: Vec<(Fault, u32)>,
    /// How long a [`Fault::Stall`] lasts at most (it ends early when the
    /// client hangs up).
    pub stall: Duration,
    /// The size of a [`Fault::Oversized`] body.
    pub oversized_body: usize,
    /// Each request is "processed" for a random time up to this long, so
    /// that requests overlap on the server.
    pub max_processing: Duration,
}

impl FaultConfig {
    /// A mix where about 60% of the answers are normal and the rest spread
    /// over every fault.
    pub fn new(seed: u64) -> Self {
        FaultConfig {
            seed,
            mix: vec![
                (Fault::Normal, 60),
                (Fault::ResetBeforeRead, 4),
                (Fault::ResetAfterRead, 4),
                (Fault::CloseMidBody, 4),
                (Fault::TruncatedJson, 4),
                (Fault::MalformedJson, 4),
                (Fault::Stall, 1),
                (Fault::RateLimited, 8),
                (Fault::Unavailable, 7),
                (Fault::Oversized, 4),
            ],
            stall: Duration::from_secs(5),
            oversized_body: 256 * 1024,
            max_processing: Duration::from_millis(3),
        }
    }
}

/// One request as the server saw it arrive (its head, at least).
#[derive(Debug, Clone)]
pub struct Arrival {
    /// The method.
    pub method: String,
    /// The request target, not decoded.
    pub target: String,
    /// The [`REQUEST_ID`] header.
    pub request_id: Option<String>,
    /// The [`IDEMPOTENCY_KEY`] header.
    pub idempotency_key: Option<String>,
    /// 0 for the first arrival of this request id, 1 for the second...
    pub nth: u32,
    /// What the server did with it.
    pub fault: Fault,
    /// True if this arrival carried out a POST's side effect (false for a
    /// replay of an idempotency key already seen).
    pub side_effect: bool,
}

#[derive(Default)]
struct Ledger {
    arrivals: Vec<Arrival>,
    seen: HashMap<String, u32>,
    anonymous: u32,
    keys_done: HashSet<String>,
    effects: HashMap<String, u32>,
}

struct State {
    config: FaultConfig,
    total_weight: u64,
    ledger: Mutex<Ledger>,
    connections: AtomicUsize,
    open_connections: AtomicUsize,
    in_flight: AtomicUsize,
    max_in_flight: AtomicUsize,
}

/// A running fault-injecting server; it stops accepting when dropped.
pub struct FaultServer {
    addr: SocketAddr,
    state: Arc<State>,
    task: JoinHandle<()>,
}

impl FaultServer {
    /// Binds a loopback port and starts serving.
    pub async fn start(config: FaultConfig) -> std::io::Result<FaultServer> {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let total_weight = config.mix.iter().map(|(_, w)| u64::from(*w)).sum();
        let state = Arc::new(State {
            config,
            total_weight,
            ledger: Mutex::new(Ledger::default()),
            connections: AtomicUsize::new(0),
            open_connections: AtomicUsize::new(0),
            in_flight: AtomicUsize::new(0),
            max_in_flight: AtomicUsize::new(0),
        });
        let task = tokio::spawn(accept_loop(listener, state.clone()));
        Ok(FaultServer { addr, state, task })
    }

    /// `http://127.0.0.1:<port>`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The seed.
    pub fn seed(&self) -> u64 {
        self.state.config.seed
    }

    /// Every arrival so far, in order.
    pub fn arrivals(&self) -> Vec<Arrival> {
        lock(&self.state.ledger).arrivals.clone()
    }

    /// How many side effects each request id's POSTs produced, with
    /// repeated idempotency keys answered from the first effect.
    pub fn side_effects(&self) -> HashMap<String, u32> {
        lock(&self.state.ledger).effects.clone()
    }

    /// How many TCP connections were accepted.
    pub fn connections(&self) -> usize {
        self.state.connections.load(Ordering::SeqCst)
    }

    /// How many connections are open now.
    pub fn open_connections(&self) -> usize {
        self.state.open_connections.load(Ordering::SeqCst)
    }

    /// The most requests the server was working on at once. A request counts
    /// from when it has been read until the server starts to answer (or to
    /// misbehave): a window that lies inside the client's attempt, so it is
    /// never more than the client's cap on requests in flight.
    pub fn max_in_flight(&self) -> usize {
        self.state.max_in_flight.load(Ordering::SeqCst)
    }

    /// The fault the server plans for the `nth` arrival of `request_id`.
    pub fn planned(&self, request_id: &str, nth: u32) -> Fault {
        self.state.pick(hash_str(request_id), nth)
    }
}

impl Drop for FaultServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl std::fmt::Debug for FaultServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FaultServer")
            .field("addr", &self.addr)
            .field("seed", &self.state.config.seed)
            .finish()
    }
}

impl State {
    fn pick(&self, id_hash: u64, nth: u32) -> Fault {
        if self.total_weight == 0 {
            return Fault::Normal;
        }
        let mut rng = self.rng(id_hash, nth, 0);
        let mut ticket = rng.u64(0..self.total_weight);
        for (fault, weight) in &self.config.mix {
            let weight = u64::from(*weight);
            if ticket < weight {
                return *fault;
            }
            ticket -= weight;
        }
        Fault::Normal
    }

    fn rng(&self, id_hash: u64, nth: u32, stream: u64) -> fastrand::Rng {
        let mut x = self.config.seed ^ id_hash.rotate_left(17);
        x ^= u64::from(nth).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        x ^= stream.wrapping_mul(0xC2B2_AE3D_27D4_EB4F);
        fastrand::Rng::with_seed(x)
    }

    /// Notes the arrival of a request head and decides what to do with it.
    fn arrive(&self, head: &Head) -> (Fault, u64, u32) {
        let mut ledger = lock(&self.ledger);
        let (id_hash, nth) = match &head.request_id {
            Some(id) => {
                let seen = ledger.seen.entry(id.clone()).or_insert(0);
                let nth = *seen;
                *seen += 1;
                (hash_str(id), nth)
            }
            None => {
                let n = ledger.anonymous;
                ledger.anonymous += 1;
                (0x0A0B_0C0D, n)
            }
        };
        (self.pick(id_hash, nth), id_hash, nth)
    }

    /// Records an arrival, carrying out a POST's side effect when the fault
    /// says the server got that far.
    fn record(&self, head: &Head, nth: u32, fault: Fault) {
        let mut ledger = lock(&self.ledger);
        let mut side_effect = false;
        if head.method == "POST" && fault.carries_out() {
            let fresh = match &head.idempotency_key {
                Some(key) => ledger.keys_done.insert(key.clone()),
                None => true,
            };
            if fresh {
                side_effect = true;
                let id = head.request_id.clone().unwrap_or_default();
                *ledger.effects.entry(id).or_insert(0) += 1;
            }
        }
        ledger.arrivals.push(Arrival {
            method: head.method.clone(),
            target: head.target.clone(),
            request_id: head.request_id.clone(),
            idempotency_key: head.idempotency_key.clone(),
            nth,
            fault,
            side_effect,
        });
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// FNV-1a: stable across runs and platforms, unlike `RandomState`.
fn hash_str(text: &str) -> u64 {
    text.bytes().fold(0xCBF2_9CE4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01B3)
    })
}

async fn accept_loop(listener: TcpListener, state: Arc<State>) {
    let mut connections = tokio::task::JoinSet::new();
    loop {
        let Ok((stream, _)) = listener.accept().await else {
            continue;
        };
        state.connections.fetch_add(1, Ordering::SeqCst);
        let state = state.clone();
        connections.spawn(async move {
            let _open = Counted::enter(&state.open_connections, None);
            let _ = stream.set_nodelay(true);
            serve_connection(stream, &state).await;
        });
        // Reap finished connection tasks so a long soak does not pile them up.
        while connections.try_join_next().is_some() {}
    }
}

/// Increments a counter while alive (and raises a maximum).
struct Counted<'a>(&'a AtomicUsize);

impl<'a> Counted<'a> {
    fn enter(counter: &'a AtomicUsize, max: Option<&AtomicUsize>) -> Self {
        let now = counter.fetch_add(1, Ordering::SeqCst) + 1;
        if let Some(max) = max {
            max.fetch_max(now, Ordering::SeqCst);
        }
        Counted(counter)
    }
}

impl Drop for Counted<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

/// The parts of a request head the server uses.
#[derive(Debug)]
struct Head {
    method: String,
    target: String,
    request_id: Option<String>,
    idempotency_key: Option<String>,
    content_length: usize,
    close: bool,
}

enum Next {
    KeepAlive,
    Close,
}

async fn serve_connection(mut stream: TcpStream, state: &State) {
    let mut buf = Vec::with_capacity(4096);
    loop {
        let head = match read_head(&mut stream, &mut buf).await {
            Some(head) => head,
            None => return,
        };
        let (fault, id_hash, nth) = state.arrive(&head);
        if fault == Fault::ResetBeforeRead {
            state.record(&head, nth, fault);
            reset(stream);
            return;
        }
        if read_body(&mut stream, &mut buf, head.content_length)
            .await
            .is_none()
        {
            return;
        }
        let mut rng = state.rng(id_hash, nth, 1);
        {
            let _working = Counted::enter(&state.in_flight, Some(&state.max_in_flight));
            let max = state.config.max_processing.as_micros();
            let micros = u64::try_from(max).unwrap_or(u64::MAX);
            if micros > 0 {
                tokio::time::sleep(Duration::from_micros(rng.u64(0..=micros))).await;
            }
            state.record(&head, nth, fault);
        }
        let next = answer(&mut stream, state, &head, fault, &mut rng).await;
        if matches!(next, Next::Close) || head.close {
            return;
        }
    }
}

/// Closes with RST instead of FIN.
fn reset(stream: TcpStream) {
    let _ = stream.set_zero_linger();
    drop(stream);
}

async fn answer(
    stream: &mut TcpStream,
    state: &State,
    head: &Head,
    fault: Fault,
    rng: &mut fastrand::Rng,
) -> Next {
    let item = format!(r#"{{"id":{},"name":"item {}"}}"#, rng.u32(..), rng.u16(..));
    let sent = match fault {
        Fault::Normal => match head.method.as_str() {
            "DELETE" => write(stream, 204, &[], b"").await,
            "POST" => write(stream, 201, &[], item.as_bytes()).await,
            _ => write(stream, 200, &[], item.as_bytes()).await,
        },
        Fault::ResetBeforeRead | Fault::ResetAfterRead => return Next::Close,
        Fault::CloseMidBody => {
            let cut = rng.usize(1..item.len());
            let head = format!(
                "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n",
                item.len()
            );
            let _ = stream.write_all(head.as_bytes()).await;
            let _ = stream.write_all(&item.as_bytes()[..cut]).await;
            let _ = stream.flush().await;
            return Next::Close;
        }
        Fault::TruncatedJson => {
            let cut = rng.usize(1..item.len());
            write(stream, 200, &[], &item.as_bytes()[..cut]).await
        }
        Fault::MalformedJson => {
            let bodies: [&[u8]; 5] = [
                br#"{"id":"not a number","name":"x"}"#,
                b"<html>502 Bad Gateway</html>",
                b"\xff\xfe\x00garbage",
                br#"{"id":1,"name":"x"} trailing"#,
                b"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[",
            ];
            let body = bodies[rng.usize(..bodies.len())];
            write(stream, 200, &[], body).await
        }
        Fault::Stall => {
            stall(stream, state.config.stall).await;
            return Next::Close;
        }
        Fault::RateLimited => {
            let waits = ["0", "1", "-3", "soon", "99999999999999999999", "0.01"];
            let wait = waits[rng.usize(..waits.len())];
            let body = br#"{"error":{"message":"slow down"}}"#;
            write(stream, 429, &[("retry-after", wait)], body).await
        }
        Fault::Unavailable => write(stream, 503, &[], br#"{"message":"try later"}"#).await,
        Fault::Oversized => {
            let size = state.config.oversized_body;
            let head = format!(
                "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {size}\r\n\r\n"
            );
            if stream.write_all(head.as_bytes()).await.is_err() {
                return Next::Close;
            }
            let chunk = vec![b' '; 16 * 1024];
            let mut left = size;
            while left > 0 {
                let n = left.min(chunk.len());
                if stream.write_all(&chunk[..n]).await.is_err() {
                    return Next::Close;
                }
                left -= n;
            }
            true
        }
    };
    if sent { Next::KeepAlive } else { Next::Close }
}

/// Says nothing until `limit` passes or the client hangs up.
async fn stall(stream: &mut TcpStream, limit: Duration) {
    let mut scratch = [0u8; 1024];
    let _ = tokio::time::timeout(limit, async {
        loop {
            match stream.read(&mut scratch).await {
                Ok(0) | Err(_) => return,
                Ok(_) => {}
            }
        }
    })
    .await;
}

async fn write(stream: &mut TcpStream, status: u16, headers: &[(&str, &str)], body: &[u8]) -> bool {
    let reason = match status {
        200 => "OK",
        201 => "Created",
        204 => "No Content",
        429 => "Too Many Requests",
        503 => "Service Unavailable",
        _ => "Unknown",
    };
    let mut out = format!("HTTP/1.1 {status} {reason}\r\n");
    if status != 204 {
        out.push_str("content-type: application/json\r\n");
        out.push_str(&format!("content-length: {}\r\n", body.len()));
    }
    for (name, value) in headers {
        out.push_str(&format!("{name}: {value}\r\n"));
    }
    out.push_str("\r\n");
    let mut bytes = out.into_bytes();
    if status != 204 {
        bytes.extend_from_slice(body);
    }
    stream.write_all(&bytes).await.is_ok() && stream.flush().await.is_ok()
}

/// Reads one request head; `None` at end of stream or on anything that is
/// not a request head this server understands. Bytes after the head stay
/// in `buf`.
async fn read_head(stream: &mut TcpStream, buf: &mut Vec<u8>) -> Option<Head> {
    loop {
        if let Some(end) = find(buf, b"\r\n\r\n") {
            let head = parse_head(&buf[..end]);
            buf.drain(..end + 4);
            return head;
        }
        if buf.len() > MAX_HEAD {
            return None;
        }
        let mut chunk = [0u8; 4096];
        match stream.read(&mut chunk).await {
            Ok(0) | Err(_) => return None,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
        }
    }
}

async fn read_body(stream: &mut TcpStream, buf: &mut Vec<u8>, len: usize) -> Option<Vec<u8>> {
    if len > MAX_BODY {
        return None;
    }
    while buf.len() < len {
        let mut chunk = [0u8; 4096];
        match stream.read(&mut chunk).await {
            Ok(0) | Err(_) => return None,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
        }
    }
    Some(buf.drain(..len).collect())
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

fn parse_head(bytes: &[u8]) -> Option<Head> {
    let text = std::str::from_utf8(bytes).ok()?;
    let mut lines = text.split("\r\n");
    let mut request_line = lines.next()?.split(' ');
    let method = request_line.next()?.to_owned();
    let target = request_line.next()?.to_owned();
    let mut head = Head {
        method,
        target,
        request_id: None,
        idempotency_key: None,
        content_length: 0,
        close: false,
    };
    for line in lines {
        let (name, value) = line.split_once(':')?;
        let value = value.trim();
        match name.trim().to_ascii_lowercase().as_str() {
            REQUEST_ID => head.request_id = Some(value.to_owned()),
            IDEMPOTENCY_KEY => head.idempotency_key = Some(value.to_owned()),
            "content-length" => head.content_length = value.parse().ok()?,
            // This server does not read chunked bodies.
            "transfer-encoding" => return None,
            "connection" if value.eq_ignore_ascii_case("close") => head.close = true,
            _ => {}
        }
    }
    Some(head)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_plan_depends_only_on_the_seed_the_id_and_the_arrival() {
        let plan = |seed: u64| {
            let state = State {
                config: FaultConfig::new(seed),
                total_weight: 100,
                ledger: Mutex::new(Ledger::default()),
                connections: AtomicUsize::new(0),
                open_connections: AtomicUsize::new(0),
                in_flight: AtomicUsize::new(0),
                max_in_flight: AtomicUsize::new(0),
            };
            (0..2000)
                .map(|i| state.pick(hash_str(&format!("r{i}")), i % 3))
                .collect::<Vec<_>>()
        };
        assert_eq!(plan(7), plan(7));
        assert_ne!(plan(7), plan(8));
        let faults: HashSet<Fault> = plan(7).into_iter().collect();
        assert_eq!(faults.len(), Fault::ALL.len(), "every fault is drawn");
    }

    #[test]
    fn heads_are_parsed() {
        let head = parse_head(
            b"POST /items HTTP/1.1\r\nX-Request-Id: r1\r\nidempotency-key: k\r\ncontent-length: 12",
        )
        .expect("a head");
        assert_eq!(head.method, "POST");
        assert_eq!(head.target, "/items");
        assert_eq!(head.request_id.as_deref(), Some("r1"));
        assert_eq!(head.idempotency_key.as_deref(), Some("k"));
        assert_eq!(head.content_length, 12);
        assert!(parse_head(b"GET / HTTP/1.1\r\ntransfer-encoding: chunked").is_none());
    }
}
