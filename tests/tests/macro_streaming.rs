//! Uploads declared in a `#[resource]` trait, against the loopback server:
//! a `#[multipart]` method whose `#[part]`s (text, bytes, a file, JSON, an
//! absent `Option`) a real multipart parser (axum's) reads field by field,
//! and a `#[body] restrait::Body` file upload. The streamed return kinds
//! are tested in `macro_stream_kinds.rs`.
#![allow(missing_docs)]

use bytes::Bytes;
use restrait::multipart::Part;
use restrait::{Body, Result, resource};
use restrait_tests::client_builder;
use restrait_tests::server::{Reply, TestServer};
use restrait_tests::upload::{TempFile, parse_multipart};
use serde::Serialize;

#[derive(Serialize)]
pub struct Meta {
    pub tags: Vec<&'static str>,
}

#[resource]
pub trait Files {
    #[post("/files")]
    #[multipart]
    async fn upload(
        &self,
        #[part] title: &str,
        #[part("raw")] raw: Bytes,
        #[part("file")] file: Part,
        #[part("meta", json)] meta: &Meta,
        #[part("note")] note: Option<String>,
    ) -> Result<()>;

    #[put("/files/<name>")]
    async fn put(&self, name: &str, #[body] content: Body) -> Result<()>;
}

#[tokio::test]
async fn a_multipart_method_sends_every_part_to_a_real_parser() {
    // The server records what it got; a real parser reads it afterwards.
    let server = TestServer::start(|_| async { Reply::status(201) }).await;
    let files = FilesClient::new(client_builder(server.url()).build().expect("client"));
    let report = TempFile::new("report.csv", b"a,b\n1,2\n");

    files
        .upload(
            "Q3",
            Bytes::from_static(b"\x00\x01"),
            Part::file(&report.0).file_name("report.csv"),
            &Meta { tags: vec!["q3"] },
            None,
        )
        .await
        .expect("upload");

    assert_eq!(server.last().request_line(), "POST /files HTTP/1.1");
    let fields = parse_multipart(server.last())
        .await
        .expect("a multipart body");
    let names: Vec<&str> = fields.iter().map(|f| f.0.as_str()).collect();
    assert_eq!(
        names,
        ["title", "raw", "file", "meta"],
        "no part for `None`"
    );
    assert_eq!(fields[0].3, "Q3");
    assert_eq!(fields[1].3, Bytes::from_static(b"\x00\x01"));
    assert_eq!(fields[2].1.as_deref(), Some("report.csv"));
    assert_eq!(fields[2].3, "a,b\n1,2\n");
    assert_eq!(fields[3].2.as_deref(), Some("application/json"));
    assert_eq!(fields[3].3, r#"{"tags":["q3"]}"#);
}

#[tokio::test]
async fn a_body_file_is_uploaded_as_it_is() {
    let server = TestServer::start(|_| async { Reply::status(204) }).await;
    let files = FilesClient::new(client_builder(server.url()).build().expect("client"));
    let content = vec![7u8; 200_000];
    let file = TempFile::new("blob.bin", &content);

    files
        .put("blob.bin", Body::file(&file.0))
        .await
        .expect("put");

    let seen = server.last();
    assert_eq!(seen.request_line(), "PUT /files/blob.bin HTTP/1.1");
    assert_eq!(seen.header("content-length"), Some("200000"));
    assert_eq!(seen.body, content);
}
