//! Request bodies that stream: multipart read by a real parser, a file
//! retried with identical bytes, a one-shot stream that is never re-sent,
//! upload progress.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use restrait::http::Method;
use restrait::multipart::{Form, Part};
use restrait::{Body, Error, RetryPolicy};
use restrait_tests::client_builder;
use restrait_tests::helpers::request;
use restrait_tests::server::{Reply, TestServer};
use restrait_tests::upload::{TempFile, parse_multipart};

fn fast_retries() -> RetryPolicy {
    RetryPolicy::default().base_delay(Duration::from_millis(1))
}

#[tokio::test]
async fn a_multipart_upload_is_read_field_by_field_by_a_real_parser() {
    // The server records what it got; a real parser reads it afterwards.
    let server = TestServer::start(|_| async { Reply::status(201) }).await;
    let photo = TempFile::new("beach.jpg", b"\xff\xd8 not really a jpeg");
    let client = client_builder(server.url()).build().expect("client");
    let form = Form::new()
        .text("title", "Holiday")
        .part("photo", Part::file(&photo.0).file_name("beach.jpg"))
        .part(
            "meta",
            Part::json(&serde_json::json!({"tags": ["sea"]})).expect("json"),
        )
        .part("raw", Part::bytes(&b"\x00\x01"[..]));
    let mut req = request(&client, Method::POST, "/photos");
    req.set_body(form);
    let response = client.execute(req).await.expect("sent");
    assert_eq!(response.status(), 201);
    let fields = parse_multipart(server.last())
        .await
        .expect("a valid multipart body");
    let names: Vec<&str> = fields.iter().map(|f| f.0.as_str()).collect();
    assert_eq!(names, ["title", "photo", "meta", "raw"]);
    assert_eq!(&fields[0].3[..], b"Holiday");
    assert_eq!(fields[1].1.as_deref(), Some("beach.jpg"));
    assert_eq!(fields[1].2.as_deref(), Some("image/jpeg"));
    assert_eq!(&fields[1].3[..], b"\xff\xd8 not really a jpeg");
    assert_eq!(fields[2].2.as_deref(), Some("application/json"));
    assert_eq!(&fields[2].3[..], br#"{"tags":["sea"]}"#);
    assert_eq!(&fields[3].3[..], b"\x00\x01");
    let recorded = server.last();
    assert_eq!(
        recorded.header("content-length"),
        Some(recorded.body.len().to_string().as_str()),
        "a form of known parts has a Content-Length"
    );
}

#[tokio::test]
async fn a_file_upload_retried_after_a_503_sends_identical_bytes() {
    let content: Vec<u8> = (0..200_000u32).map(|i| (i % 251) as u8).collect();
    let file = TempFile::new("upload.bin", &content);
    let seen = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let server = TestServer::start(move |_| {
        let nth = seen.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        async move { Reply::status(if nth == 0 { 503 } else { 200 }) }
    })
    .await;
    let client = client_builder(server.url())
        .retry(fast_retries())
        .build()
        .expect("client");
    let mut req = request(&client, Method::PUT, "/files/upload.bin");
    req.set_body(Body::file(&file.0));
    let response = client.execute(req).await.expect("sent");
    assert_eq!(response.status(), 200);
    assert_eq!(response.attempts(), 2);
    let sent = server.requests();
    assert_eq!(sent.len(), 2);
    for r in &sent {
        assert_eq!(&r.body[..], &content[..]);
        assert_eq!(r.header("content-length"), Some("200000"));
    }
}

#[tokio::test]
async fn a_one_shot_stream_is_not_retried_and_the_error_says_why() {
    let server = TestServer::start(|_| async { Reply::status(503) }).await;
    let client = client_builder(server.url())
        .retry(fast_retries())
        .build()
        .expect("client");
    let chunks = futures::stream::iter([
        Ok::<_, std::io::Error>(Bytes::from("part one, ")),
        Ok(Bytes::from("part two")),
    ]);
    let mut req = request(&client, Method::PUT, "/logs");
    req.set_body(Body::stream(chunks));
    let response = client.execute(req).await.expect("answered");
    assert_eq!(server.request_count(), 1, "sent once, never again");
    assert_eq!(&server.last().body[..], b"part one, part two");
    let err = response.error_for_status().expect_err("503");
    assert!(matches!(err, Error::Server(_)), "{err}");
    assert_eq!(
        err.not_retried(),
        Some("the request body is a one-shot stream")
    );
    assert!(
        err.to_string()
            .contains("not retried: the request body is a one-shot stream"),
        "{err}"
    );
}

#[tokio::test]
async fn upload_progress_fires_as_chunks_go_out() {
    let content = vec![7u8; 300_000];
    let file = TempFile::new("progress.bin", &content);
    let server = TestServer::start(|_| async { Reply::status(204) }).await;
    let client = client_builder(server.url()).build().expect("client");
    let reports = Arc::new(Mutex::new(Vec::new()));
    let sink = reports.clone();
    let body = Body::file(&file.0).on_progress(move |p| {
        sink.lock().unwrap_or_else(|e| e.into_inner()).push(p);
    });
    let mut req = request(&client, Method::PUT, "/p");
    req.set_body(body);
    client.execute(req).await.expect("sent");
    let reports = reports.lock().unwrap_or_else(|e| e.into_inner()).clone();
    assert!(reports.len() > 1, "one report per chunk: {}", reports.len());
    let last = reports.last().expect("a report");
    assert_eq!((last.bytes, last.total), (300_000, Some(300_000)));
    assert_eq!(server.last().body.len(), 300_000);
}
