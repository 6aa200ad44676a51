//! The blocking client (`restrait::blocking`, `{Trait}BlockingClient`)
//! against a real HTTP server on 127.0.0.1.
//!
//! The scenarios are written once, against [`Form`] (one trait over both
//! generated clients), and `scenarios!` runs each twice: through the async
//! `ApiClient` on a Tokio runtime and through `ApiBlockingClient` from a
//! plain thread. The server runs on a runtime of its own, so the blocking
//! calls are made from a thread that has none. Backoff and `Retry-After`
//! waits are real here (a blocking client's clock cannot be paused); the
//! scenarios keep them short and assert only lower bounds on time.

mod support;

use std::collections::HashMap;
use std::io::Read;

use futures::StreamExt as _;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use restrait::testing::{MockResponse, MockTransport};
use restrait::{
    ByteStream, CallOptions, Client, ClientBuilder, Error, EventStream, JsonLines, OAuth2,
    Paginator, Result, resource,
};
use serde::Deserialize;
use serde_json::{Value, json};
use support::{Recorded, Reply, TestServer};
use tokio::runtime::{Handle, Runtime};

#[derive(Debug, Deserialize, PartialEq)]
struct User {
    id: u64,
    name: String,
}

#[resource]
trait Api {
    #[get("/users/<id>")]
    async fn user(&self, id: u64) -> Result<User>;

    /// 503 on the first request, then 200.
    #[get("/flaky")]
    async fn flaky(&self) -> Result<Value>;

    /// 429 with `Retry-After: 1` on the first request, then 200.
    #[get("/limited")]
    async fn limited(&self) -> Result<Value>;

    /// 503 on the first request, then 201 with the order.
    #[post("/orders")]
    #[idempotent]
    async fn order(&self, #[body] order: &Value) -> Result<Value>;

    /// Accepts only the second access token the token endpoint issued.
    #[get("/me")]
    async fn me(&self) -> Result<Value>;

    /// `[1, 2]`, `[3, 4]`, then an empty page.
    #[get("/items")]
    #[paginate(page = "page")]
    fn items(&self) -> Paginator<u32>;

    #[get("/download")]
    async fn download(&self) -> Result<ByteStream>;

    #[get("/lines")]
    async fn lines(&self) -> Result<JsonLines<Value>>;

    /// Event 1, then the connection drops; resumed, event 2 and `[DONE]`.
    #[get("/events")]
    #[sse(done = "[DONE]")]
    async fn events(&self) -> Result<EventStream<Value>>;
}

// ---- the server ----------------------------------------------------------

/// The loopback server on a runtime of its own, counting requests per path.
struct Harness {
    server: TestServer,
    runtime: Runtime,
}

impl Harness {
    fn start() -> Harness {
        Harness::with_gate(None)
    }

    /// A server whose `/users/..` requests wait at `gate` first.
    fn with_gate(gate: Option<Arc<tokio::sync::Barrier>>) -> Harness {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("server runtime");
        let seen: Arc<Mutex<HashMap<String, usize>>> = Arc::default();
        let server = runtime.block_on(TestServer::start(move |r: Recorded| {
            let n = {
                let mut seen = seen.lock().expect("counts");
                let n = seen.entry(r.path().to_owned()).or_default();
                *n += 1;
                *n - 1
            };
            let gate = gate.clone();
            async move {
                if let (Some(gate), true) = (gate, r.path().starts_with("/users/")) {
                    // Not reached by all 16 in time: fail the call, not hang the test.
                    let waited = tokio::time::timeout(Duration::from_secs(30), gate.wait()).await;
                    if waited.is_err() {
                        return Reply::json(500, &json!({"message": "not 16 at once"}));
                    }
                }
                route(&r, n)
            }
        }));
        Harness { server, runtime }
    }

    fn builder(&self) -> ClientBuilder {
        restrait_tests::client_builder(self.server.url())
    }

    fn requests_to(&self, path: &str) -> Vec<Recorded> {
        self.server
            .requests()
            .into_iter()
            .filter(|r| r.path() == path)
            .collect()
    }
}

/// The reply to the `n`th (0-based) request to `r`'s path.
fn route(r: &Recorded, n: usize) -> Reply {
    match (r.path(), n) {
        ("/users/1", _) => Reply::json(200, &json!({"id": 1, "name": "Ada"})),
        (path, _) if path.starts_with("/users/") => {
            Reply::json(404, &json!({"message": "no such user"}))
        }
        ("/flaky", 0) => Reply::json(503, &json!({"message": "busy"})),
        ("/flaky", _) => Reply::json(200, &json!({"ok": true})),
        ("/limited", 0) => {
            Reply::json(429, &json!({"message": "slow down"})).header("retry-after", "1")
        }
        ("/limited", _) => Reply::json(200, &json!({"ok": true})),
        ("/orders", 0) => Reply::json(503, &json!({"message": "busy"})),
        ("/orders", _) => Reply::status(201)
            .header("content-type", "application/json")
            .body(r.body.clone()),
        ("/oauth/token", n) => Reply::json(
            200,
            &json!({"access_token": format!("at{}", n + 1), "token_type": "Bearer", "expires_in": 3600}),
        ),
        ("/me", _) if r.header("authorization") == Some("Bearer at2") => {
            Reply::json(200, &json!({"me": "ada"}))
        }
        ("/me", _) => Reply::json(401, &json!({"message": "bad token"})),
        ("/items", _) => {
            let page = r.query().unwrap_or("page=1");
            match page {
                "page=1" => Reply::json(200, &json!([1, 2])),
                "page=2" => Reply::json(200, &json!([3, 4])),
                _ => Reply::json(200, &json!([])),
            }
        }
        ("/download", _) => Reply::text(200, "a".repeat(10_000)),
        ("/lines", _) => Reply::text(200, "{\"n\":1}\n{\"n\":2}\n"),
        ("/events", 0) => {
            let first = "retry: 1\nid: 1\ndata: {\"n\":1}\n\n";
            // hyper flushes what it holds while the body is pending, so the
            // event arrives before the connection is aborted.
            let drop = futures::stream::once(async {
                tokio::time::sleep(Duration::from_millis(20)).await;
                Err(std::io::Error::other("the connection drops"))
            });
            let chunks = futures::stream::iter([Ok(bytes::Bytes::from(first))]).chain(drop);
            Reply::status(200)
                .header("content-type", "text/event-stream")
                .stream(chunks)
        }
        ("/events", _) if r.header("last-event-id") == Some("1") => Reply::status(200)
            .header("content-type", "text/event-stream")
            .body("id: 2\ndata: {\"n\":2}\n\ndata: [DONE]\n\n"),
        ("/events", _) => Reply::status(400),
        _ => Reply::status(418),
    }
}

// ---- one interface over both clients -------------------------------------

/// What a scenario calls: the same endpoints through either client.
trait Form {
    fn user(&self, id: u64) -> Result<User>;
    fn flaky(&self) -> Result<Value>;
    fn flaky_without_retries(&self) -> Result<Value>;
    fn limited(&self) -> Result<Value>;
    fn order(&self, order: &Value) -> Result<Value>;
    fn me(&self) -> Result<Value>;
    fn items(&self) -> Vec<Result<u32>>;
}

/// The async client, each call awaited on the server's runtime.
struct Async {
    api: ApiClient,
    runtime: Handle,
}

impl Form for Async {
    fn user(&self, id: u64) -> Result<User> {
        self.runtime.block_on(self.api.user(id))
    }
    fn flaky(&self) -> Result<Value> {
        self.runtime.block_on(self.api.flaky())
    }
    fn flaky_without_retries(&self) -> Result<Value> {
        let strict = self.api.with_options(CallOptions::new().max_retries(0));
        self.runtime.block_on(strict.flaky())
    }
    fn limited(&self) -> Result<Value> {
        self.runtime.block_on(self.api.limited())
    }
    fn order(&self, order: &Value) -> Result<Value> {
        self.runtime.block_on(self.api.order(order))
    }
    fn me(&self) -> Result<Value> {
        self.runtime.block_on(self.api.me())
    }
    fn items(&self) -> Vec<Result<u32>> {
        use futures::StreamExt;
        self.runtime.block_on(self.api.items().collect())
    }
}

impl Form for ApiBlockingClient {
    fn user(&self, id: u64) -> Result<User> {
        ApiBlockingClient::user(self, id)
    }
    fn flaky(&self) -> Result<Value> {
        ApiBlockingClient::flaky(self)
    }
    fn flaky_without_retries(&self) -> Result<Value> {
        self.with_options(CallOptions::new().max_retries(0)).flaky()
    }
    fn limited(&self) -> Result<Value> {
        ApiBlockingClient::limited(self)
    }
    fn order(&self, order: &Value) -> Result<Value> {
        ApiBlockingClient::order(self, order)
    }
    fn me(&self) -> Result<Value> {
        ApiBlockingClient::me(self)
    }
    fn items(&self) -> Vec<Result<u32>> {
        ApiBlockingClient::items(self).collect()
    }
}

#[derive(Clone, Copy)]
enum Kind {
    Async,
    Blocking,
}

impl Harness {
    /// The client of `kind` over `builder`.
    fn form(&self, kind: Kind, builder: ClientBuilder) -> Box<dyn Form> {
        match kind {
            Kind::Async => Box::new(Async {
                api: ApiClient::new(builder.build().expect("client")),
                runtime: self.runtime.handle().clone(),
            }),
            Kind::Blocking => Box::new(ApiBlockingClient::new(
                builder.build_blocking().expect("blocking client"),
            )),
        }
    }
}

// ---- the scenarios, each run through both clients ------------------------

macro_rules! scenarios {
    ($($name:ident),* $(,)?) => {
        mod through_the_async_client {
            $(#[test] fn $name() { super::$name(super::Kind::Async) })*
        }
        mod through_the_blocking_client {
            $(#[test] fn $name() { super::$name(super::Kind::Blocking) })*
        }
    };
}

scenarios!(
    get,
    not_found,
    retry_on_503,
    rate_limited_with_retry_after,
    idempotent_post,
    oauth2_refresh,
    pagination,
    per_call_options,
);

fn get(kind: Kind) {
    let h = Harness::start();
    let api = h.form(kind, h.builder());
    let user = api.user(1).expect("user 1");
    assert_eq!(
        user,
        User {
            id: 1,
            name: "Ada".into()
        }
    );
    assert_eq!(h.server.last().request_line(), "GET /users/1 HTTP/1.1");
    assert_eq!(h.server.last().header("accept"), Some("application/json"));
}

fn not_found(kind: Kind) {
    let h = Harness::start();
    let api = h.form(kind, h.builder());
    match api.user(7) {
        Err(Error::NotFound(e)) => {
            assert_eq!(e.message(), "no such user");
            assert_eq!(e.path_template(), "/users/<id>");
            assert_eq!(e.attempts(), 1);
        }
        other => panic!("expected NotFound, got {other:?}"),
    }
}

fn retry_on_503(kind: Kind) {
    let h = Harness::start();
    let api = h.form(kind, h.builder());
    assert_eq!(api.flaky().expect("retried"), json!({"ok": true}));
    assert_eq!(h.requests_to("/flaky").len(), 2);
}

fn rate_limited_with_retry_after(kind: Kind) {
    let h = Harness::start();
    let api = h.form(kind, h.builder());
    let start = Instant::now();
    assert_eq!(api.limited().expect("after the wait"), json!({"ok": true}));
    assert_eq!(h.requests_to("/limited").len(), 2);
    let waited = start.elapsed();
    assert!(
        waited >= Duration::from_secs(1),
        "Retry-After: 1 honoured, waited {waited:?}"
    );
}

fn idempotent_post(kind: Kind) {
    let h = Harness::start();
    let api = h.form(kind, h.builder());
    let order = json!({"sku": "tea", "qty": 2});
    assert_eq!(api.order(&order).expect("retried"), order);
    let sent = h.requests_to("/orders");
    assert_eq!(sent.len(), 2, "the 503 was retried");
    let keys: Vec<_> = sent.iter().map(|r| r.header("idempotency-key")).collect();
    assert!(keys[0].is_some(), "an idempotent POST carries a key");
    assert_eq!(keys[0], keys[1], "the same key on every attempt");
    let body = order.to_string();
    assert!(sent.iter().all(|r| r.text() == body));
}

fn oauth2_refresh(kind: Kind) {
    let h = Harness::start();
    let token_url = format!("{}/oauth/token", h.server.url());
    let oauth = OAuth2::refresh_token(token_url, "app", "rt0");
    let api = h.form(kind, h.builder().auth(oauth));
    // at1 is refused: a 401 refreshes once (at2) and sends again.
    assert_eq!(api.me().expect("me"), json!({"me": "ada"}));
    let auths: Vec<_> = h
        .requests_to("/me")
        .iter()
        .map(|r| r.header("authorization").map(str::to_owned))
        .collect();
    assert_eq!(
        auths,
        [Some("Bearer at1".to_owned()), Some("Bearer at2".to_owned())]
    );
    assert_eq!(h.requests_to("/oauth/token").len(), 2);
}

fn pagination(kind: Kind) {
    let h = Harness::start();
    let api = h.form(kind, h.builder());
    let items: Vec<u32> = api
        .items()
        .into_iter()
        .collect::<Result<_>>()
        .expect("pages");
    assert_eq!(items, [1, 2, 3, 4]);
    let pages: Vec<_> = h
        .requests_to("/items")
        .iter()
        .map(|r| r.target.clone())
        .collect();
    assert_eq!(pages, ["/items", "/items?page=2", "/items?page=3"]);
}

fn per_call_options(kind: Kind) {
    let h = Harness::start();
    let api = h.form(kind, h.builder());
    match api.flaky_without_retries() {
        Err(Error::Server(e)) => assert_eq!(e.attempts(), 1),
        other => panic!("expected the 503, got {other:?}"),
    }
    assert_eq!(h.requests_to("/flaky").len(), 1);
}

// ---- the blocking client alone -------------------------------------------

#[test]
fn sixteen_threads_at_once_share_one_pool() {
    const THREADS: usize = 16;
    let gate = Arc::new(tokio::sync::Barrier::new(THREADS));
    let h = Harness::with_gate(Some(gate));
    let api = ApiBlockingClient::new(h.builder().build_blocking().expect("client"));
    // Each of 16 threads makes one call through its own clone; the server
    // holds every call until all 16 are in flight.
    let burst = || {
        let calls: Vec<_> = (0..THREADS)
            .map(|_| {
                let api = api.clone();
                std::thread::spawn(move || api.user(1))
            })
            .collect();
        for call in calls {
            assert_eq!(call.join().expect("thread").expect("user").id, 1);
        }
    };
    // 16 calls at once need 16 connections.
    burst();
    assert_eq!(h.server.connections(), THREADS);
    // Sixteen fresh threads with fresh clones, again all at once, reuse
    // those connections: one pool, not one per thread or per clone.
    burst();
    assert_eq!(h.server.request_count(), 2 * THREADS);
    assert_eq!(h.server.connections(), THREADS);
}

#[test]
fn a_blocking_call_inside_a_tokio_runtime_is_a_typed_error() {
    let h = Harness::start();
    let api = ApiBlockingClient::new(h.builder().build_blocking().expect("client"));
    let outer = tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("runtime");
    let (call, page) = outer.block_on(async { (api.user(1), api.items().collect::<Vec<_>>()) });
    match call {
        Err(Error::Blocking(e)) => assert!(e.message().contains("inside an async runtime"), "{e}"),
        other => panic!("expected Error::Blocking, got {other:?}"),
    }
    assert!(
        matches!(page.as_slice(), [Err(Error::Blocking(_))]),
        "one error, then the iterator ends: {page:?}"
    );
    assert_eq!(h.server.request_count(), 0, "nothing was sent");
    // The same client works once out of the runtime.
    assert_eq!(api.user(1).expect("user").id, 1);
}

#[test]
fn streamed_bodies_are_readers_and_iterators() {
    let h = Harness::start();
    let api = ApiBlockingClient::new(h.builder().build_blocking().expect("client"));
    let mut body = api.download().expect("download");
    let mut first = [0u8; 3];
    body.read_exact(&mut first).expect("read");
    assert_eq!(&first, b"aaa");
    let mut rest = Vec::new();
    assert_eq!(body.copy_to(&mut rest).expect("copy"), 9_997);
    assert!(rest.iter().all(|b| *b == b'a'));

    let events = api.events().expect("events");
    let data: Vec<Value> = events
        .map(|e| e.map(|e| e.data))
        .collect::<Result<_>>()
        .expect("events, resumed after the drop");
    assert_eq!(data, [json!({"n": 1}), json!({"n": 2})]);
    let resumed = h.requests_to("/events");
    assert_eq!(resumed.len(), 2);
    assert_eq!(resumed[1].header("last-event-id"), Some("1"));

    let lines: Vec<Value> = api
        .lines()
        .expect("lines")
        .collect::<Result<_>>()
        .expect("decoded");
    assert_eq!(lines, [json!({"n": 1}), json!({"n": 2})]);
}

#[test]
fn a_paginator_asks_for_a_page_only_when_needed() {
    let h = Harness::start();
    let api = ApiBlockingClient::new(h.builder().build_blocking().expect("client"));
    let mut items = api.items();
    assert_eq!(h.server.request_count(), 0, "lazy");
    assert_eq!(items.next().map(|r| r.expect("item")), Some(1));
    assert_eq!(items.next().map(|r| r.expect("item")), Some(2));
    assert_eq!(h.server.request_count(), 1);
    let pages: Vec<usize> = api
        .items()
        .pages()
        .map(|p| p.expect("page").items.len())
        .collect();
    assert_eq!(pages, [2, 2, 0]);
}

#[test]
fn async_and_blocking_users_of_one_client_share_one_token_refresh() {
    let h = Harness::start();
    let token_url = format!("{}/oauth/token", h.server.url());
    // The token endpoint issues at1 first, which `/me` refuses: every caller
    // ends up on at2, and two token requests in all prove one flight each.
    let client = h
        .builder()
        .auth(OAuth2::refresh_token(token_url, "app", "rt0"))
        .build()
        .expect("client");
    let blocking =
        ApiBlockingClient::new(restrait::blocking::Client::new(client.clone()).expect("blocking"));
    let asynchronous = ApiClient::new(client);
    let threads: Vec<_> = (0..8)
        .map(|_| {
            let api = blocking.clone();
            std::thread::spawn(move || api.me())
        })
        .collect();
    let tasks = h.runtime.block_on(async {
        let calls = (0..8).map(|_| asynchronous.me());
        futures::future::join_all(calls).await
    });
    for result in tasks
        .into_iter()
        .chain(threads.into_iter().map(|t| t.join().expect("thread")))
    {
        assert_eq!(result.expect("me"), json!({"me": "ada"}));
    }
    assert_eq!(h.requests_to("/oauth/token").len(), 2);
}

#[test]
fn mocks_and_tracing_apply_to_blocking_calls() {
    let mock = MockTransport::new().route(
        restrait::http::Method::GET,
        "/users/5",
        MockResponse::json(200, &json!({"id": 5, "name": "Eve"})),
    );
    let client = Client::builder("https://api.test")
        .transport(mock.clone())
        .build_blocking()
        .expect("client");
    let api = ApiBlockingClient::new(client.clone());
    // A hand-built request through the same client.
    let url = "https://api.test/users/5".parse().expect("url");
    let request = restrait::Request::new(restrait::http::Method::GET, url);
    assert_eq!(client.execute(request).expect("response").status(), 200);
    let (capture, _guard) = restrait_tests::LogCapture::install(tracing::Level::DEBUG);
    assert_eq!(api.user(5).expect("user").name, "Eve");
    // Another test may have cached "not interested" for these callsites first.
    capture.refresh();
    capture.clear();
    assert_eq!(api.user(5).expect("user").id, 5);
    assert_eq!(mock.requests().len(), 3);
    assert!(mock.requests().iter().all(|r| r.url().path() == "/users/5"));
    let log = capture.text();
    assert!(
        log.contains("url.template=/users/<id>"),
        "the call's span, on the calling thread: {log}"
    );
}
