//! Compression (issue 20, item 4): gzip, br and zstd response bodies are
//! decoded in restrait's response layer, `max_body_size` applies to the
//! decoded size (a decompression bomb is cut), and `#[body(gzip)]`
//! compresses a request body.

mod support;

use async_compression::tokio::bufread::{BrotliEncoder, GzipDecoder, GzipEncoder, ZstdEncoder};
use futures::TryStreamExt;
use restrait::{ByteStream, Error, Response, Result, resource};
use restrait_tests::client_builder;
use serde::{Deserialize, Serialize};
use serde_json::json;
use support::{Recorded, Reply, TestServer};
use tokio::io::AsyncReadExt;

/// A user.
#[derive(Debug, Deserialize, Serialize, PartialEq)]
pub struct User {
    /// Its id.
    pub id: u64,
    /// Its name.
    pub name: String,
}

/// What the tests call.
#[resource]
pub trait Users {
    /// One user, in the encoding of `?encoding=`.
    #[get("/users/1")]
    async fn get(&self, #[query] encoding: &str) -> Result<User>;

    /// The same, with the response head.
    #[get("/users/1")]
    async fn get_response(&self, #[query] encoding: &str) -> Result<Response<User>>;

    /// The body as a stream.
    #[get("/users/1")]
    async fn download(&self, #[query] encoding: &str) -> Result<ByteStream>;

    /// The body as text, asking for no compression.
    #[get("/users/1")]
    #[headers("Accept-Encoding: identity")]
    async fn plain(&self, #[query] encoding: &str) -> Result<String>;

    /// A body sent gzip-compressed.
    #[post("/users")]
    async fn create(&self, #[body(gzip)] user: &User) -> Result<()>;
}

async fn compress(encoding: &str, data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    let read = match encoding {
        "gzip" | "x-gzip" => GzipEncoder::new(data).read_to_end(&mut out).await,
        "br" => BrotliEncoder::new(data).read_to_end(&mut out).await,
        "zstd" => ZstdEncoder::new(data).read_to_end(&mut out).await,
        _ => {
            out.extend_from_slice(data);
            Ok(0)
        }
    };
    read.expect("compresses");
    out
}

/// Answers `{"id":1,"name":"Ada"}` in the encoding the query names
/// (`corrupt` is a gzip header followed by junk).
async fn server() -> TestServer {
    TestServer::start(|r: Recorded| async move {
        let encoding = r
            .query()
            .and_then(|q| q.strip_prefix("encoding="))
            .unwrap_or("")
            .to_owned();
        let body = json!({"id": 1, "name": "Ada"}).to_string();
        match encoding.as_str() {
            "" => Reply::json(200, &json!({"id": 1, "name": "Ada"})),
            "corrupt" => Reply::status(200)
                .header("content-type", "application/json")
                .header("content-encoding", "gzip")
                .body(vec![
                    0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 0xde, 0xad, 0xbe, 0xef,
                ]),
            coding => Reply::status(200)
                .header("content-type", "application/json")
                .header("content-encoding", coding)
                .body(compress(coding, body.as_bytes()).await),
        }
    })
    .await
}

fn client(server: &TestServer) -> UsersClient {
    let client = client_builder(server.url())
        .retry(restrait::RetryPolicy::never())
        .build()
        .expect("client");
    UsersClient::new(client)
}

#[tokio::test]
async fn gzip_br_and_zstd_bodies_are_decoded_and_asked_for() {
    let server = server().await;
    let users = client(&server);
    let ada = User {
        id: 1,
        name: "Ada".into(),
    };
    // x-gzip is gzip by another name.
    for coding in ["gzip", "br", "zstd", "x-gzip"] {
        let got = users
            .get(coding)
            .await
            .unwrap_or_else(|e| panic!("{coding}: {e}"));
        assert_eq!(got, ada, "{coding}");
    }
    assert_eq!(
        server.last().header("accept-encoding"),
        Some("gzip, br, zstd"),
        "every coding this build decodes is offered"
    );

    let response = users.get_response("br").await.expect("br");
    assert_eq!(response.value(), &ada);
    assert!(
        response.headers().get("content-encoding").is_none(),
        "the body handed on is decoded, and says so"
    );
    assert!(response.headers().get("content-length").is_none());

    let stream: Vec<_> = users
        .download("zstd")
        .await
        .expect("stream")
        .try_collect()
        .await
        .expect("chunks");
    let text = String::from_utf8(stream.concat()).expect("utf-8");
    assert_eq!(text, r#"{"id":1,"name":"Ada"}"#);
}

#[tokio::test]
async fn a_caller_that_asks_for_identity_gets_what_it_asked_for() {
    let server = server().await;
    let users = client(&server);
    let text = users.plain("").await.expect("plain");
    assert_eq!(text, r#"{"id":1,"name":"Ada"}"#);
    assert_eq!(server.last().header("accept-encoding"), Some("identity"));
}

#[tokio::test]
async fn a_corrupt_compressed_body_is_a_transport_error_not_garbage() {
    let server = server().await;
    let users = client(&server);
    let e = users.get("corrupt").await.expect_err("corrupt gzip");
    let Error::Transport(t) = &e else {
        panic!("expected a transport error, got {e:?}");
    };
    assert_eq!(t.kind(), restrait::TransportErrorKind::Body);
    assert!(e.to_string().contains("gzip"), "{e}");
}

/// 64 MiB of zeros, about 64 KiB gzipped.
async fn bomb() -> Vec<u8> {
    compress("gzip", &vec![0u8; 64 << 20]).await
}

#[tokio::test]
async fn a_decompression_bomb_is_cut_at_max_body_size() {
    let bomb = bomb().await;
    assert!(bomb.len() < 1 << 20, "the bomb itself fits the limit");
    let bomb = bytes::Bytes::from(bomb);
    let server = TestServer::start(move |r: Recorded| {
        let bomb = bomb.clone();
        async move {
            let status = if r.path() == "/error" { 500 } else { 200 };
            Reply::status(status)
                .header("content-encoding", "gzip")
                .body(bomb)
        }
    })
    .await;
    let client = client_builder(server.url())
        .max_body_size(1 << 20)
        .retry(restrait::RetryPolicy::never())
        .build()
        .expect("client");

    let request = restrait::Request::new(
        restrait::http::Method::GET,
        format!("{}/ok", server.url()).parse().expect("url"),
    );
    let e = client.execute(request).await.expect_err("too large");
    let Error::BodyTooLarge(too_large) = &e else {
        panic!("expected BodyTooLarge, got {e:?}");
    };
    assert_eq!(too_large.limit(), 1 << 20);

    // An error body is cut at the error-body limit, decoded, not refused.
    let request = restrait::Request::new(
        restrait::http::Method::GET,
        format!("{}/error", server.url()).parse().expect("url"),
    );
    let response = client.execute(request).await.expect("a 500 answer");
    assert_eq!(response.status().as_u16(), 500);
    assert_eq!(
        response.body().len() as u64,
        restrait::DEFAULT_MAX_ERROR_BODY,
        "cut at the error-body limit"
    );
    assert!(response.body().iter().all(|b| *b == 0), "decoded");
}

#[tokio::test]
async fn body_gzip_compresses_the_request_body() {
    let server = TestServer::start(|_| async { Reply::status(204) }).await;
    let users = client(&server);
    let user = User {
        id: 7,
        name: "Grace ".repeat(50),
    };
    users.create(&user).await.expect("created");
    let seen = server.last();
    assert_eq!(seen.header("content-encoding"), Some("gzip"));
    assert_eq!(seen.header("content-type"), Some("application/json"));
    let mut json = Vec::new();
    GzipDecoder::new(&seen.body[..])
        .read_to_end(&mut json)
        .await
        .expect("gunzips");
    assert!(seen.body.len() < json.len(), "smaller on the wire");
    let back: User = serde_json::from_slice(&json).expect("json");
    assert_eq!(back, user);
}
