//! Server-sent events through `#[resource]`: the tests crate's loopback
//! server playing a script per request (text, a dropped connection,
//! silence, heartbeats), and `MockTransport` on tokio's paused clock for the
//! waits between reconnects.

mod support;

use std::collections::VecDeque;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use bytes::Bytes;
use futures::stream::{self, StreamExt};
use restrait::http::Method;
use restrait::testing::{MockResponse, MockTransport};
use restrait::{
    Body, CallOptions, Client, DEFAULT_RECONNECT_DELAY, Error, Event, EventStream, OAuth2, Result,
    RetryPolicy, TimeoutKind, resource,
};
use restrait_tests::client_builder;
use serde::{Deserialize, Serialize};
use serde_json::json;
use support::{Recorded, Reply, TestServer};

// ---- the resources ------------------------------------------------------------

#[derive(Debug, Deserialize, PartialEq)]
struct Tick {
    n: u32,
}

#[resource]
trait Feed {
    #[get("/feed")]
    async fn text(&self) -> Result<EventStream<String>>;

    #[get("/plain")]
    async fn plain(&self) -> Result<EventStream<String>>;

    #[get("/ticks")]
    #[sse(done = "end")]
    async fn ticks(&self) -> Result<EventStream<Tick>>;

    #[post("/upload-feed")]
    #[idempotent]
    async fn upload(&self, #[body] body: Body) -> Result<EventStream<String>>;
}

#[derive(Serialize)]
struct Message<'a> {
    role: &'a str,
    content: &'a str,
}

#[derive(Serialize)]
struct ChatRequest<'a> {
    model: &'a str,
    stream: bool,
    messages: Vec<Message<'a>>,
}

#[derive(Debug, Deserialize)]
struct Chunk {
    choices: Vec<Choice>,
}

#[derive(Debug, Deserialize)]
struct Choice {
    delta: Delta,
}

#[derive(Debug, Deserialize)]
struct Delta {
    content: Option<String>,
}

#[resource]
trait Chat {
    #[post("/v1/chat/completions")]
    #[sse(done = "[DONE]")]
    async fn complete(&self, #[body] request: &ChatRequest<'_>) -> Result<EventStream<Chunk>>;
}

// ---- a scripted event-stream server ---------------------------------------------

/// The `Last-Event-ID` a request carried.
trait LastEventId {
    fn last_event_id(&self) -> Option<&str>;
}

impl LastEventId for Recorded {
    fn last_event_id(&self) -> Option<&str> {
        self.header("last-event-id")
    }
}

/// One step of a scripted response body.
#[derive(Clone, Debug)]
enum Step {
    /// Send this text.
    Send(String),
    /// Drop the connection mid-body.
    Drop,
    /// Send nothing more, and never end.
    Silent,
    /// A comment every 20 ms, forever.
    Heartbeat,
}

fn send(text: impl Into<String>) -> Step {
    Step::Send(text.into())
}

/// An event with an ID and one line of data.
fn event(id: u32, data: impl std::fmt::Display) -> Step {
    send(format!("id: {id}\ndata: {data}\n\n"))
}

fn tick(n: u32) -> Step {
    event(n, json!({ "n": n }))
}

/// The server's answer to one request.
struct Script {
    status: u16,
    content_type: &'static str,
    steps: Vec<Step>,
}

impl Script {
    fn events(steps: impl IntoIterator<Item = Step>) -> Script {
        Script {
            status: 200,
            content_type: "text/event-stream",
            steps: steps.into_iter().collect(),
        }
    }
    fn status(status: u16, message: &str) -> Script {
        Script {
            status,
            content_type: "application/json",
            steps: vec![send(json!({ "message": message }).to_string())],
        }
    }
    fn reply(self, closed: Closed) -> Reply {
        Reply::status(self.status)
            .header("content-type", self.content_type)
            .stream(play(self.steps, closed))
    }
}

/// The tests crate's loopback server, answering each request with the
/// script `handler` writes for it.
struct SseServer {
    server: TestServer,
    /// Response bodies that ended or were dropped (the client went away).
    closed: Arc<AtomicUsize>,
}

impl SseServer {
    async fn start(handler: impl Fn(&Recorded) -> Script + Send + Sync + 'static) -> SseServer {
        let closed = Arc::new(AtomicUsize::new(0));
        let counter = closed.clone();
        let server = TestServer::start(move |request| {
            let reply = handler(&request).reply(Closed(counter.clone()));
            async move { reply }
        })
        .await;
        SseServer { server, closed }
    }

    fn url(&self) -> String {
        self.server.url()
    }

    fn seen(&self) -> Vec<Recorded> {
        self.server.requests()
    }

    fn last_event_ids(&self) -> Vec<Option<String>> {
        self.seen()
            .iter()
            .map(|s| s.last_event_id().map(str::to_owned))
            .collect()
    }

    /// Waits until `n` response bodies have ended or been dropped. The
    /// bound only keeps a broken test from hanging; it times nothing.
    async fn wait_closed(&self, n: usize) {
        let waited = tokio::time::timeout(Duration::from_secs(20), async {
            while self.closed.load(Ordering::SeqCst) < n {
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
        })
        .await;
        assert!(
            waited.is_ok(),
            "the server saw {} of {n} bodies closed",
            self.closed.load(Ordering::SeqCst)
        );
    }
}

/// Counts a body as closed when it is dropped.
struct Closed(Arc<AtomicUsize>);

impl Drop for Closed {
    fn drop(&mut self) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

fn play(
    steps: Vec<Step>,
    closed: Closed,
) -> impl futures::Stream<Item = std::io::Result<Bytes>> + Send + Sync + 'static {
    stream::unfold(
        (VecDeque::from(steps), closed),
        |(mut steps, closed)| async move {
            let chunk = match steps.pop_front()? {
                Step::Send(text) => Ok(Bytes::from(text)),
                // hyper aborts the connection when the body fails. It
                // flushes what it holds when the body is pending first, so
                // that the client gets the events before the drop.
                Step::Drop => {
                    tokio::time::sleep(Duration::from_millis(20)).await;
                    Err(std::io::Error::other("dropped on purpose"))
                }
                Step::Silent => futures::future::pending().await,
                Step::Heartbeat => {
                    tokio::time::sleep(Duration::from_millis(20)).await;
                    steps.push_front(Step::Heartbeat);
                    Ok(Bytes::from_static(b":\n\n"))
                }
            };
            Some((chunk, (steps, closed)))
        },
    )
}

fn chat(server: &SseServer) -> ChatClient {
    ChatClient::new(client_builder(server.url()).build().expect("client"))
}

fn say_hello() -> ChatRequest<'static> {
    ChatRequest {
        model: "gpt-test",
        stream: true,
        messages: vec![Message {
            role: "user",
            content: "Say hello",
        }],
    }
}

/// Every tick of `/ticks`, none of which may fail.
async fn every_tick(feed: &FeedClient) -> Vec<u32> {
    let events = feed.ticks().await.expect("a stream");
    events.map(|e| e.expect("an event").data.n).collect().await
}

fn feed(server: &SseServer) -> FeedClient {
    FeedClient::new(client_builder(server.url()).build().expect("client"))
}

// ---- the tests ----------------------------------------------------------------

#[tokio::test]
async fn types_multi_line_data_comments_ids_and_retry_as_the_spec_reads_them() {
    let server = SseServer::start(|seen| match seen.last_event_id() {
        None => Script::events([
            send(": a comment first\n"),
            send("retry: 10\nevent: greeting\ndata: hello\n"),
            send("data: world\nid: 1\n\n"),
            send(": keep-alive\n\n"),
            send("data: second\r\n\r\n"),
            send("event: update\ndata: {\"n\":2}\nid: 2\n\n"),
        ]),
        // The server closed the stream; the reconnect is told to stop.
        Some(_) => Script {
            status: 204,
            content_type: "text/event-stream",
            steps: Vec::new(),
        },
    })
    .await;
    let events: Vec<Event<String>> = feed(&server)
        .text()
        .await
        .expect("a stream")
        .map(|e| e.expect("an event"))
        .collect()
        .await;
    let expected = [
        ("greeting", "hello\nworld", Some("1"), Some(10)),
        ("message", "second", Some("1"), None),
        ("update", "{\"n\":2}", Some("2"), None),
    ];
    assert_eq!(events.len(), expected.len(), "{events:?}");
    for (event, (kind, data, id, retry)) in events.iter().zip(expected) {
        assert_eq!(event.event, kind);
        assert_eq!(event.data, data);
        assert_eq!(event.id.as_deref(), id);
        assert_eq!(event.retry, retry.map(Duration::from_millis));
    }
    let seen = server.seen();
    assert_eq!(seen.len(), 2, "one reconnect, answered 204");
    assert_eq!(seen[0].header("accept"), Some("text/event-stream"));
    assert_eq!(server.last_event_ids(), [None, Some("2".to_owned())]);
}

#[tokio::test]
async fn a_chat_completion_posts_json_and_ends_at_done() {
    let server = SseServer::start(|_| {
        let delta = |content: &str| {
            send(format!(
                "data: {}\n\n",
                json!({"choices": [{"delta": {"content": content}}]})
            ))
        };
        Script::events([
            send("data: {\"choices\":[{\"delta\":{\"role\":\"assistant\"}}]}\n\n"),
            delta("Hel"),
            send(": still thinking\n\n"),
            delta("lo"),
            send("data: [DONE]\n\n"),
            // The stream must end at [DONE], not wait for the server to close.
            Step::Heartbeat,
        ])
    })
    .await;
    let (chat, request) = (chat(&server), say_hello());
    let mut text = String::new();
    let mut events = 0;
    let mut stream = chat.complete(&request).await.expect("a stream");
    while let Some(event) = stream.next().await {
        let chunk = event.expect("a chunk").data;
        text.extend(chunk.choices.into_iter().filter_map(|c| c.delta.content));
        events += 1;
    }
    assert_eq!((text.as_str(), events), ("Hello", 3));
    assert!(stream.next().await.is_none(), "it stays ended");
    drop(stream);
    server.wait_closed(1).await;
    let seen = server.seen();
    assert_eq!(seen.len(), 1);
    assert_eq!(
        (seen[0].method.as_str(), seen[0].path()),
        ("POST", "/v1/chat/completions")
    );
    assert_eq!(seen[0].header("content-type"), Some("application/json"));
    assert_eq!(seen[0].header("accept"), Some("text/event-stream"));
    let body: serde_json::Value = serde_json::from_str(&seen[0].text()).expect("JSON");
    assert_eq!(body["stream"], true);
    assert_eq!(body["messages"][0]["content"], "Say hello");
}

#[tokio::test]
async fn a_post_cut_before_its_terminator_is_an_error_and_is_not_sent_again() {
    let server = SseServer::start(|_| {
        Script::events([
            send("data: {\"choices\":[{\"delta\":{\"content\":\"Hi\"}}]}\n\n"),
            Step::Drop,
        ])
    })
    .await;
    let (chat, request) = (chat(&server), say_hello());
    let items: Vec<_> = chat
        .complete(&request)
        .await
        .expect("a stream")
        .collect()
        .await;
    assert_eq!(items.len(), 2, "{items:?}");
    assert!(items[0].is_ok());
    let Err(e @ Error::Transport(_)) = &items[1] else {
        panic!("{:?}", items[1]);
    };
    assert!(
        e.not_retried()
            .is_some_and(|why| why.contains("not idempotent")),
        "{e}"
    );
    assert_eq!(
        server.seen().len(),
        1,
        "a completion is never started twice"
    );
}

#[tokio::test]
async fn resumes_with_last_event_id_after_the_server_drops_the_connection() {
    let server = SseServer::start(|seen| match seen.last_event_id() {
        None => Script::events([send("retry: 1\n\n"), tick(1), tick(2), tick(3), Step::Drop]),
        Some("3") => Script::events([tick(4), tick(5), send("data: end\n\n")]),
        Some(other) => Script::status(400, &format!("cannot resume from {other}")),
    })
    .await;
    let ticks = every_tick(&feed(&server)).await;
    assert_eq!(ticks, [1, 2, 3, 4, 5], "each event once, in order");
    assert_eq!(server.last_event_ids(), [None, Some("3".to_owned())]);
}

#[tokio::test]
async fn resumes_after_a_401_on_the_reconnect_with_a_refreshed_token() {
    let issued = Arc::new(AtomicUsize::new(0));
    let count = issued.clone();
    let token = TestServer::start(move |_| {
        let n = count.fetch_add(1, Ordering::SeqCst) + 1;
        async move { restrait_tests::helpers::token_reply(n, None) }
    })
    .await;
    // Tokens older than this are refused: the first stream revokes at1.
    let oldest = Arc::new(AtomicUsize::new(1));
    let api = SseServer::start(move |seen| {
        let token = seen
            .header("authorization")
            .and_then(|a| a.strip_prefix("Bearer at"))
            .and_then(|n| n.parse::<usize>().ok())
            .unwrap_or(0);
        if token < oldest.load(Ordering::SeqCst) {
            return Script::status(401, "token revoked");
        }
        match seen.last_event_id() {
            None => {
                oldest.store(2, Ordering::SeqCst);
                Script::events([send("retry: 1\n\n"), tick(1), tick(2), Step::Drop])
            }
            Some(_) => Script::events([tick(3), send("data: end\n\n")]),
        }
    })
    .await;
    let client = client_builder(api.url())
        .auth(OAuth2::refresh_token(
            format!("{}/oauth/token", token.url()),
            "client",
            "rt0",
        ))
        .build()
        .expect("client");
    let ticks = every_tick(&FeedClient::new(client)).await;
    assert_eq!(ticks, [1, 2, 3]);
    assert_eq!(token.request_count(), 2, "one refresh after the 401");
    let seen: Vec<_> = api
        .seen()
        .iter()
        .map(|s| {
            (
                s.header("authorization").unwrap_or("-").to_owned(),
                s.last_event_id().map(str::to_owned),
            )
        })
        .collect();
    assert_eq!(
        seen,
        [
            ("Bearer at1".to_owned(), None),
            ("Bearer at1".to_owned(), Some("2".to_owned())),
            ("Bearer at2".to_owned(), Some("2".to_owned())),
        ]
    );
}

fn event_stream(chunks: &[&'static str]) -> MockResponse {
    MockResponse::new(200)
        .header("content-type", "text/event-stream")
        .chunks(chunks.iter().copied())
}

#[tokio::test(start_paused = true)]
async fn the_server_retry_delay_and_the_default_are_waited_on_a_mock_transport() {
    let mock = MockTransport::new()
        .route(
            Method::GET,
            "/feed",
            event_stream(&["retry: 5000\nid: 1\ndata: a\n\n"])
                .pause(Duration::from_secs(1))
                .chunk("data: b\n\n")
                .drop_connection(),
        )
        // Split mid-line and mid-event: the parser joins the chunks.
        .route(Method::GET, "/feed", event_stream(&["da", "ta: c\n", "\n"]))
        .route(Method::GET, "/feed", MockResponse::new(204))
        .route(
            Method::GET,
            "/plain",
            event_stream(&["data: x\n\n"]).drop_connection(),
        )
        .route(Method::GET, "/plain", MockResponse::new(204));
    let client = Client::builder("https://api.test")
        .transport(mock.clone())
        .build()
        .expect("client");
    let feed = FeedClient::new(client);

    let start = tokio::time::Instant::now();
    let mut stream = feed.text().await.expect("a stream");
    let mut at = Vec::new();
    while let Some(event) = stream.next().await {
        at.push((event.expect("an event").data, start.elapsed()));
    }
    let ended = start.elapsed();
    let data: Vec<&str> = at.iter().map(|(d, _)| d.as_str()).collect();
    assert_eq!(data, ["a", "b", "c"]);
    assert_eq!(
        at[1].1 - at[0].1,
        Duration::from_secs(1),
        "the mock's pause"
    );
    assert!(
        at[2].1 - at[1].1 >= Duration::from_secs(5),
        "the server's retry: {at:?}"
    );
    assert!(
        ended - at[2].1 >= Duration::from_secs(5),
        "kept for the next"
    );
    let ids: Vec<_> = mock
        .requests()
        .iter()
        .filter(|r| r.url().path() == "/feed")
        .map(|r| {
            r.headers()
                .get("last-event-id")
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned)
        })
        .collect();
    let one = Some("1".to_owned());
    assert_eq!(ids, [None, one.clone(), one], "the ID sticks");

    let start = tokio::time::Instant::now();
    let plain: Vec<_> = feed.plain().await.expect("a stream").collect().await;
    assert_eq!(plain.len(), 1);
    assert!(start.elapsed() >= DEFAULT_RECONNECT_DELAY);
    assert_eq!(mock.requests().len(), 5);
}

#[tokio::test]
async fn idle_silence_is_a_timeout_after_the_reconnects_the_policy_allows() {
    let server = SseServer::start(|seen| match seen.last_event_id() {
        None => Script::events([send("retry: 1\n"), tick(1), Step::Silent]),
        Some("1") => Script::events([tick(2), Step::Silent]),
        Some(_) => Script::events([send(": nothing new\n\n"), Step::Silent]),
    })
    .await;
    let client = client_builder(server.url())
        .attempt_timeout(Duration::from_millis(300))
        .retry(RetryPolicy::default().max_retries(1))
        .build()
        .expect("client");
    let feed = FeedClient::new(client);

    let once: Vec<_> = feed
        .with_options(CallOptions::new().max_retries(0))
        .ticks()
        .await
        .expect("a stream")
        .collect()
        .await;
    assert_eq!(once.len(), 2, "{once:?}");
    assert_eq!(once[0].as_ref().map(|e| e.data.n).ok(), Some(1));
    let Err(Error::Timeout(t)) = &once[1] else {
        panic!("{:?}", once[1]);
    };
    assert_eq!(t.kind(), TimeoutKind::Idle);
    assert_eq!(server.seen().len(), 1, "no reconnect allowed");

    let items: Vec<_> = feed.ticks().await.expect("a stream").collect().await;
    assert_eq!(items.len(), 3, "{items:?}");
    let ticks: Vec<u32> = items[..2]
        .iter()
        .map(|e| e.as_ref().expect("an event").data.n)
        .collect();
    assert_eq!(ticks, [1, 2], "reconnected once after each event");
    let e = items[2].as_ref().expect_err("the last silence");
    assert!(e.is_timeout(), "{e}");
    assert!(
        e.not_retried()
            .is_some_and(|why| why.contains("without a new event")),
        "{e}"
    );
    assert_eq!(
        server.last_event_ids()[1..],
        [None, Some("1".to_owned()), Some("2".to_owned())]
    );
}

#[tokio::test]
async fn a_bad_event_is_a_decode_error_naming_it_and_the_stream_goes_on() {
    let server = SseServer::start(|_| {
        Script::events([
            tick(1),
            event(2, "{\"n\":\"two\"}"),
            send("data: not json\n\n"),
            tick(4),
            send("data: end\n\n"),
        ])
    })
    .await;
    let items: Vec<_> = feed(&server)
        .ticks()
        .await
        .expect("a stream")
        .collect()
        .await;
    assert_eq!(items.len(), 4, "{items:?}");
    let Err(Error::Decode(e)) = &items[1] else {
        panic!("{:?}", items[1]);
    };
    assert_eq!(
        (e.event(), e.event_id(), e.path()),
        (Some(2), Some("2"), "n")
    );
    assert_eq!(
        (e.call().method().as_str(), e.call().template()),
        ("GET", "/ticks")
    );
    assert!(
        e.to_string()
            .starts_with("GET /ticks: cannot decode event 2 (id \"2\") of the 200 OK response"),
        "{e}"
    );
    let Err(Error::Decode(e)) = &items[2] else {
        panic!("{:?}", items[2]);
    };
    assert_eq!(
        (e.event(), e.event_id(), e.excerpt()),
        (Some(3), Some("2"), "not json")
    );
    assert_eq!(items[3].as_ref().map(|e| e.data.n).ok(), Some(4));
}

#[tokio::test]
async fn dropping_the_stream_closes_the_connection() {
    let server = SseServer::start(|_| Script::events([tick(1), Step::Heartbeat])).await;
    let mut stream = feed(&server).ticks().await.expect("a stream");
    let first = stream.next().await.expect("an event").expect("a tick");
    assert_eq!((first.data.n, stream.last_event_id()), (1, Some("1")));
    assert_eq!(server.closed.load(Ordering::SeqCst), 0, "still streaming");
    drop(stream);
    server.wait_closed(1).await;
    assert_eq!(server.seen().len(), 1);
}

#[tokio::test]
async fn answers_that_are_not_event_streams_are_typed_errors() {
    let server = SseServer::start(|seen| match (seen.path(), seen.last_event_id()) {
        ("/feed", _) => Script {
            status: 200,
            content_type: "application/json",
            steps: vec![send("{}")],
        },
        (_, None) => Script::events([send("retry: 1\n"), tick(1)]),
        (_, Some(_)) => Script::status(404, "the feed is gone"),
    })
    .await;
    let feed = feed(&server);
    let Err(Error::Decode(e)) = feed.text().await else {
        panic!("JSON is not an event stream");
    };
    assert!(e.message().contains("`application/json`"), "{e}");
    assert_eq!(e.call().template(), "/feed");

    let items: Vec<_> = feed.ticks().await.expect("a stream").collect().await;
    assert_eq!(items.len(), 2, "{items:?}");
    assert_eq!(items[0].as_ref().map(|e| e.data.n).ok(), Some(1));
    let Err(Error::NotFound(e)) = &items[1] else {
        panic!("{:?}", items[1]);
    };
    assert_eq!(e.message(), "the feed is gone");
}

#[tokio::test]
async fn a_one_shot_request_body_does_not_reconnect_and_the_error_says_so() {
    let mock = MockTransport::new().route(
        Method::POST,
        "/upload-feed",
        event_stream(&["data: a\n\n"]).drop_connection(),
    );
    let client = Client::builder("https://api.test")
        .transport(mock.clone())
        .build()
        .expect("client");
    let body = Body::stream(stream::iter([Ok::<_, std::io::Error>(Bytes::from("x"))]));
    let items: Vec<_> = FeedClient::new(client)
        .upload(body)
        .await
        .expect("a stream")
        .collect()
        .await;
    assert_eq!(items.len(), 2, "{items:?}");
    let e = items[1].as_ref().expect_err("the dropped connection");
    assert!(
        e.not_retried().is_some_and(|why| why.contains("one-shot")),
        "{e}"
    );
    assert_eq!(mock.requests().len(), 1);
}

#[tokio::test]
async fn an_event_larger_than_max_body_size_ends_the_stream() {
    let big = format!("data: {}\n\n", "x".repeat(100));
    let mock = MockTransport::new().route(
        Method::GET,
        "/feed",
        MockResponse::new(200)
            .header("content-type", "text/event-stream")
            .chunk("data: small\n\n")
            .chunk(big),
    );
    let client = Client::builder("https://api.test")
        .transport(mock.clone())
        .max_body_size(64)
        .build()
        .expect("client");
    let items: Vec<_> = FeedClient::new(client)
        .text()
        .await
        .expect("a stream")
        .collect()
        .await;
    assert_eq!(items.len(), 2, "{items:?}");
    assert_eq!(
        items[0].as_ref().map(|e| e.data.as_str()).ok(),
        Some("small")
    );
    assert!(
        matches!(&items[1], Err(Error::BodyTooLarge(e)) if e.limit() == 64),
        "{:?}",
        items[1]
    );
    assert_eq!(mock.requests().len(), 1, "not reconnected");
}
