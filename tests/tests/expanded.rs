//! The expansion snapshot, `macros/tests/expansion/users.expanded.rs`,
//! compiled as it is checked in. CI's `cargo clippy --workspace
//! --all-targets -- -D warnings` lints this target, so any lint that
//! generated code trips (and a user with `-D warnings` would see) fails CI;
//! the test below sends a few of its requests. The snapshot test in
//! `restrait-macros` keeps the file identical to what the macro emits.
#![allow(missing_docs)]

use bytes::Bytes;
use futures::StreamExt;
use restrait::multipart::Part;
use restrait::url::Url;
use restrait::{Body, EventStream, Paginator, Response, Result};
use restrait_tests::client_builder;
use serde::{Deserialize, Serialize};
use serde_json::json;
use support::{Recorded, Reply, TestServer};

mod support;

#[derive(Debug, Deserialize)]
pub struct User {
    pub id: u64,
}

#[derive(Serialize)]
pub struct NewUser<'a> {
    pub name: &'a str,
}

include!("../../macros/tests/expansion/users.expanded.rs");

#[tokio::test]
async fn the_checked_in_expansion_sends_its_requests() {
    let server = TestServer::start(|r: Recorded| async move {
        match r.path() {
            "/v2/users/7" => Reply::json(200, &json!({"id": 7})),
            "/v2/users/events" => Reply::status(200)
                .header("content-type", "text/event-stream")
                .body("data: {\"id\":3}\n\ndata: [DONE]\n\n"),
            _ => Reply::json(200, &json!([{"id": 1}])),
        }
    })
    .await;
    let users = UsersClient::new(client_builder(server.url()).build().expect("client"));

    assert_eq!(users.get(7).await.expect("get").id, 7);
    let seen = server.last();
    assert_eq!(seen.request_line(), "GET /v2/users/7 HTTP/1.1");
    assert_eq!(seen.header("accept"), Some("application/json"));

    let next = Url::parse(&format!("{}/elsewhere?page=2", server.url())).expect("url");
    assert_eq!(users.next_page(&next).await.expect("next")[0].id, 1);
    assert_eq!(
        server.last().request_line(),
        "GET /elsewhere?page=2 HTTP/1.1"
    );
    assert_eq!(users.base(), "v2");
    users
        .avatar(7, "me", Part::bytes(&b"png"[..]), &NewUser { name: "x" })
        .await
        .expect("avatar");
    assert_eq!(
        server.last().request_line(),
        "POST /v2/users/7/avatar HTTP/1.1"
    );
    users
        .import("a.csv", Body::from(Bytes::from_static(b"a,b")))
        .await
        .expect("import");
    assert_eq!(server.last().body, &b"a,b"[..]);
    let signups: Vec<u64> = users
        .signups()
        .await
        .expect("signups")
        .map(|e| e.expect("an event").data.id)
        .collect()
        .await;
    assert_eq!(signups, [3], "ended at [DONE]");
    assert_eq!(
        server.last().header("accept"),
        Some("application/json"),
        "the trait's #[headers] win over the stream kind's Accept"
    );
    let _ = (Bytes::new(), NewUser { name: "x" });
    let _: fn(&UsersClient) -> Paginator<User> = |u| u.all(None);
    let _: Option<Response<User>> = None;
}
