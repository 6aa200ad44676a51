//! Small helpers the wire tests share, so that none is copied into a second
//! test file: a client on the loopback server, a request on a path, a server
//! that answers `{"ok": true}`, a server that numbers the requests it
//! answers, a token endpoint's reply, and a bare `ResourceClient`.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use restrait::__private::ResourceClient;
use restrait::http::Method;
use restrait::{CallOptions, Client, Request};
use serde_json::json;

use crate::{Recorded, Reply, TestServer, client_builder};

/// A client for `base` with no options beyond the test transport's.
pub fn client(base: impl AsRef<str>) -> Client {
    client_builder(base.as_ref()).build().expect("valid client")
}

/// A request for `path` (which may carry a query) under the client's base
/// URL.
pub fn request(client: &Client, method: Method, path: &str) -> Request {
    let url = format!("{}{path}", client.base_url().as_str().trim_end_matches('/'));
    Request::new(method, url.parse().expect("url"))
}

/// A GET request for `path` under the client's base URL.
pub fn get(client: &Client, path: &str) -> Request {
    request(client, Method::GET, path)
}

/// A server that answers every request with 200 and `{"ok": true}`.
pub async fn ok_server() -> TestServer {
    TestServer::fixed(200, json!({"ok": true})).await
}

/// A server that answers its `n`th request (from 0) with `reply(n)`.
pub async fn counting_server(reply: impl Fn(usize) -> Reply + Send + Sync + 'static) -> TestServer {
    let seen = Arc::new(AtomicUsize::new(0));
    let reply = Arc::new(reply);
    TestServer::start(move |_| {
        let n = seen.fetch_add(1, Ordering::SeqCst);
        let reply = reply.clone();
        async move { reply(n) }
    })
    .await
}

/// A token endpoint's answer with the `n`th tokens: access token `at{n}`,
/// refresh token `rt{n}`, and `expires_in` when given.
pub fn token_reply(n: usize, expires_in: Option<u64>) -> Reply {
    let mut body = json!({
        "access_token": format!("at{n}"),
        "token_type": "Bearer",
        "refresh_token": format!("rt{n}"),
    });
    if let Some(secs) = expires_in {
        body["expires_in"] = secs.into();
    }
    Reply::json(200, &body).header("cache-control", "no-store")
}

/// A `ResourceClient` named `Test` on [`client`]`(base)`, as the
/// `#[resource]` macro builds one, for tests that drive the runtime's
/// request path by hand.
pub fn resource(base: impl AsRef<str>) -> ResourceClient {
    ResourceClient::new(client(base), "Test")
}

/// [`resource`] with retries off, for tests that count requests or want
/// the first error as it is.
pub fn resource_without_retries(base: impl AsRef<str>) -> ResourceClient {
    resource(base).with_options(CallOptions::new().max_retries(0))
}

/// The credential headers (and `x-tenant`, which the redirect tests mark
/// sensitive) present on a recorded request, for asserting that none reached
/// a host they must not.
pub fn credential_headers(r: &Recorded) -> Vec<&'static str> {
    [
        "authorization",
        "proxy-authorization",
        "cookie",
        "x-api-key",
        "x-tenant",
    ]
    .into_iter()
    .filter(|name| r.headers.contains_key(*name))
    .collect()
}
