//! The streamed return kinds declared in a `#[resource]` trait, against the
//! loopback server: a `ByteStream` download read chunk by chunk with its
//! progress, and `JsonLines<T>` whose bad line is a `Decode` error carrying
//! its line number while the lines after it still arrive.
#![allow(missing_docs)]

use std::sync::{Arc, Mutex};

use futures::StreamExt;
use restrait::{ByteStream, Error, JsonLines, Result, resource};
use restrait_tests::client_builder;
use restrait_tests::server::{Reply, TestServer};
use serde::Deserialize;

#[derive(Debug, Deserialize, PartialEq)]
pub struct Entry {
    pub n: u32,
}

#[resource]
pub trait Export {
    #[get("/archive")]
    async fn archive(&self) -> Result<ByteStream>;

    #[get("/entries")]
    async fn entries(&self) -> Result<JsonLines<Entry>>;
}

#[tokio::test]
async fn a_byte_stream_arrives_in_chunks_with_its_progress() {
    let server = TestServer::start(|_| async { Reply::status(200).streamed(64, 16 * 1024) }).await;
    let export = ExportClient::new(client_builder(server.url()).build().expect("client"));
    let seen = Arc::new(Mutex::new(Vec::new()));
    let progress = seen.clone();
    let mut stream = export
        .archive()
        .await
        .expect("head")
        .on_progress(move |p| progress.lock().expect("progress").push(p.bytes));
    let (mut chunks, mut total) = (0usize, 0usize);
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.expect("chunk");
        assert!(chunk.iter().all(|b| *b == b'x'));
        total += chunk.len();
        chunks += 1;
    }
    assert_eq!(total, 64 * 16 * 1024);
    assert!(chunks > 1, "the body came as one piece");
    let seen = seen.lock().expect("progress");
    assert_eq!(seen.last().copied(), Some(64 * 16 * 1024));
    assert!(seen.windows(2).all(|w| w[0] < w[1]), "{seen:?}");
}

#[tokio::test]
async fn json_lines_report_a_bad_line_by_number_and_go_on() {
    let server = TestServer::start(|_| async {
        Reply::status(200)
            .header("content-type", "application/x-ndjson")
            .body("{\"n\":1}\n\n{\"n\":oops}\r\n{\"n\":3}")
    })
    .await;
    let export = ExportClient::new(client_builder(server.url()).build().expect("client"));
    let items: Vec<Result<Entry>> = export.entries().await.expect("head").collect().await;
    assert_eq!(items.len(), 3, "{items:?}");
    assert_eq!(items[0].as_ref().ok(), Some(&Entry { n: 1 }));
    match &items[1] {
        Err(Error::Decode(e)) => assert_eq!(e.line(), Some(3), "{e}"),
        other => panic!("expected a decode error on line 3, got {other:?}"),
    }
    assert_eq!(items[2].as_ref().ok(), Some(&Entry { n: 3 }));
    assert!(
        server
            .last()
            .header("accept")
            .is_some_and(|a| a.contains("ndjson"))
    );
}

#[tokio::test]
async fn a_streamed_kinds_error_status_is_the_typed_error() {
    let server = TestServer::fixed(404, serde_json::json!({"message": "no export"})).await;
    let export = ExportClient::new(client_builder(server.url()).build().expect("client"));
    match export.entries().await {
        Err(Error::NotFound(e)) => assert_eq!(e.message(), "no export"),
        other => panic!("expected NotFound, got {other:?}"),
    }
}
