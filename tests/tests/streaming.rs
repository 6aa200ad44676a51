//! Response bodies that stream: a large download with flat memory, the
//! in-flight slot a live body holds, retried and error bodies of streamed
//! calls, and the mock's streamed bodies.

use std::time::{Duration, Instant};

use futures::StreamExt;
use restrait::http::Method;
use restrait::testing::{MockResponse, MockTransport};
use restrait::{Client, Error, RetryPolicy};
use restrait_tests::client_builder;
use restrait_tests::helpers::get;
use restrait_tests::memory::resident_bytes;
use restrait_tests::server::{Reply, TestServer};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_gigabyte_download_streams_with_flat_memory() {
    const CHUNK: usize = 64 * 1024;
    const CHUNKS: usize = 16 * 1024; // 1 GiB
    let server = TestServer::start(|_| async { Reply::status(200).streamed(CHUNKS, CHUNK) }).await;
    let client = client_builder(server.url()).build().expect("client");
    let before = resident_bytes().expect("/proc/self/statm");
    let started = Instant::now();
    let mut body = client
        .execute_stream(get(&client, "/archive"))
        .await
        .expect("head")
        .error_for_status()
        .await
        .expect("200")
        .into_body();
    let (mut total, mut peak) = (0u64, before);
    while let Some(chunk) = body.next().await {
        total += chunk.expect("chunk").len() as u64;
        if total % (64 * 1024 * 1024) < CHUNK as u64 {
            peak = peak.max(resident_bytes().unwrap_or(0));
        }
    }
    let growth = peak.saturating_sub(before);
    eprintln!(
        "1 GiB streamed in {:.1?}; RSS growth {:.1} MiB",
        started.elapsed(),
        growth as f64 / (1024.0 * 1024.0)
    );
    assert_eq!(total, (CHUNK * CHUNKS) as u64);
    assert!(growth < 32 * 1024 * 1024, "RSS grew by {growth} bytes");
}

#[tokio::test]
async fn a_live_stream_holds_its_in_flight_slot_until_dropped() {
    let server = TestServer::start(|r| async move {
        match r.path() {
            "/stream" => Reply::status(200).streamed(1000, 1024),
            _ => Reply::text(200, "ok"),
        }
    })
    .await;
    let client = client_builder(server.url())
        .max_in_flight(1)
        .build()
        .expect("client");
    let mut stream = client
        .execute_stream(get(&client, "/stream"))
        .await
        .expect("head")
        .into_body();
    stream.next().await.expect("a chunk").expect("ok");
    let waiting = tokio::time::timeout(
        Duration::from_millis(300),
        client.execute(get(&client, "/other")),
    )
    .await;
    assert!(
        waiting.is_err(),
        "the second call waits for the slot the stream holds"
    );
    drop(stream);
    let after = tokio::time::timeout(
        Duration::from_secs(5),
        client.execute(get(&client, "/other")),
    )
    .await
    .expect("the slot is free once the stream is dropped")
    .expect("ok");
    assert_eq!(&after.body()[..], b"ok");
}

#[tokio::test]
async fn a_stream_read_to_the_end_frees_its_slot() {
    let server = TestServer::start(|_| async { Reply::status(200).streamed(4, 16) }).await;
    let client = client_builder(server.url())
        .max_in_flight(1)
        .build()
        .expect("client");
    let mut body = client
        .execute_stream(get(&client, "/s"))
        .await
        .expect("head")
        .into_body();
    while body.next().await.is_some() {}
    // Still alive, but read: the slot is free.
    let next = tokio::time::timeout(Duration::from_secs(5), client.execute(get(&client, "/s")))
        .await
        .expect("slot free");
    assert_eq!(next.expect("ok").body().len(), 64);
    drop(body);
}

#[tokio::test]
async fn a_retried_attempts_body_is_dropped_and_its_slot_freed() {
    let seen = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let server = TestServer::start(move |_| {
        let nth = seen.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        async move {
            // The first answer is a 503 with a long body nobody reads.
            if nth == 0 {
                Reply::status(503).streamed(100_000, 1024)
            } else {
                Reply::status(200).streamed(2, 8)
            }
        }
    })
    .await;
    let client = client_builder(server.url())
        .max_in_flight(1)
        .retry(RetryPolicy::default().base_delay(Duration::from_millis(1)))
        .build()
        .expect("client");
    let response = tokio::time::timeout(
        Duration::from_secs(10),
        client.execute_stream(get(&client, "/flaky")),
    )
    .await
    .expect("no deadlock: the 503's body released its slot")
    .expect("response");
    assert_eq!(response.status(), 200);
    assert_eq!(response.attempts(), 2);
    let body = response.bytes().await.expect("read");
    assert_eq!(body.body().len(), 16);
    assert_eq!(server.request_count(), 2);
}

#[tokio::test]
async fn a_streamed_calls_error_body_becomes_the_typed_error() {
    let server = TestServer::start(|_| async {
        Reply::json(404, &serde_json::json!({"message": "no such archive"}))
    })
    .await;
    let client = client_builder(server.url()).build().expect("client");
    let response = client
        .execute_stream(get(&client, "/archive"))
        .await
        .expect("head");
    match response.error_for_status().await {
        Err(Error::NotFound(e)) => assert_eq!(e.message(), "no such archive"),
        other => panic!("expected a 404, got {other:?}"),
    }
}

#[tokio::test(start_paused = true)]
async fn the_deadline_does_not_cut_a_flowing_stream_but_silence_does() {
    let mut flowing = MockResponse::new(200);
    for _ in 0..10 {
        flowing = flowing.chunk("tick").pause(Duration::from_secs(2));
    }
    let mock = MockTransport::new()
        .route(Method::GET, "/flowing", flowing)
        .route(
            Method::GET,
            "/silent",
            MockResponse::new(200)
                .chunk("first")
                .pause(Duration::from_secs(60)),
        );
    let client = Client::builder("https://api.test")
        .transport(mock)
        .timeout(Duration::from_secs(5))
        .attempt_timeout(Duration::from_secs(3))
        .build()
        .expect("client");
    // 20 s of chunks 2 s apart: past the 5 s deadline, never 3 s idle.
    let body = client
        .execute_stream(get(&client, "/flowing"))
        .await
        .expect("head")
        .into_body();
    let chunks: Vec<_> = body.collect().await;
    assert_eq!(chunks.len(), 10);
    assert!(chunks.iter().all(Result::is_ok));

    let mut body = client
        .execute_stream(get(&client, "/silent"))
        .await
        .expect("head")
        .into_body();
    body.next().await.expect("first").expect("ok");
    let idle = body.next().await.expect("an item").expect_err("idle");
    assert!(idle.is_timeout(), "{idle}");
    assert!(body.next().await.is_none());
}

#[tokio::test]
async fn a_mock_connection_dropped_mid_body_is_a_transport_error() {
    let mock = MockTransport::new().route(
        Method::GET,
        "/cut",
        MockResponse::new(200).chunks(["a", "b"]).drop_connection(),
    );
    let client = Client::builder("https://api.test")
        .transport(mock)
        .retry(RetryPolicy::never())
        .build()
        .expect("client");
    // Buffered, a body cut mid-read fails the call as a transport error.
    let err = client.execute(get(&client, "/cut")).await.expect_err("cut");
    assert!(matches!(err, Error::Transport(_)), "{err}");
    // Streamed, the chunks before the cut arrive first.
    let body = client
        .execute_stream(get(&client, "/cut"))
        .await
        .expect("head")
        .into_body();
    let items: Vec<_> = body.collect().await;
    assert_eq!(items.len(), 3);
    assert!(matches!(items[2], Err(Error::Transport(_))));
}
