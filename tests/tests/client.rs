//! The runtime against a real HTTP server on 127.0.0.1: URL joining, path
//! and query encoding, connection reuse, the in-flight cap, timeouts and the
//! body limit. Requests are built the way generated code builds them,
//! through `restrait::__private::RequestBuilder`.

mod support;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use restrait::__private::{Json, Method, Raw, RequestBuilder, ResourceClient, Unit};
use restrait::{CallOptions, Error, TimeoutKind};
use restrait_tests::client_builder;
use restrait_tests::helpers::resource;
use serde_json::json;
use support::{Reply, TestServer};

/// `GET {base}` + the given template pieces; returns the raw path the server saw.
async fn path_seen(
    server: &TestServer,
    base: &str,
    build: impl FnOnce(&mut RequestBuilder<'_>),
) -> String {
    let rc = resource(base);
    let mut req = RequestBuilder::new(&rc, Method::GET, "/t");
    build(&mut req);
    req.send::<Unit>().await.expect("call succeeds");
    server.last().target
}

#[tokio::test]
async fn base_url_path_is_kept() {
    let server = TestServer::fixed(200, json!({})).await;
    let url = server.url();
    let cases: &[(String, &'static str, &str)] = &[
        (url.clone(), "/users/", "/users/42"),
        (format!("{url}/"), "/users/", "/users/42"),
        (format!("{url}/api/v1"), "/users/", "/api/v1/users/42"),
        (format!("{url}/api/v1/"), "/users/", "/api/v1/users/42"),
        (format!("{url}/api/v1"), "users/", "/api/v1/users/42"),
        (format!("{url}/api/v1/"), "users/", "/api/v1/users/42"),
        (format!("{url}/a%20b/v1"), "/users/", "/a%20b/v1/users/42"),
        (format!("{url}/v2/"), "/v2/users/", "/v2/v2/users/42"),
    ];
    for (base, literal, want) in cases {
        let seen = path_seen(&server, base, |r| {
            r.path(literal);
            r.segment("id", &42);
        })
        .await;
        assert_eq!(&seen, want, "base {base} + {literal}<id>");
    }
    // A template that is only a placeholder still gets its slash.
    let seen = path_seen(&server, &format!("{url}/api"), |r| r.segment("id", &"x")).await;
    assert_eq!(seen, "/api/x");
}

#[tokio::test]
async fn each_path_value_is_exactly_one_segment() {
    let server = TestServer::fixed(200, json!({})).await;
    let base = format!("{}/api", server.url());
    let cases: &[(&str, &str)] = &[
        ("42", "42"),
        ("a/b", "a%2Fb"),
        ("%2F", "%252F"),
        ("?x=1", "%3Fx%3D1"),
        ("#frag", "%23frag"),
        ("ü", "%C3%BC"),
        ("a b", "a%20b"),
        ("a+b", "a%2Bb"),
        ("semi;colon", "semi%3Bcolon"),
        ("x:y@z", "x%3Ay%40z"),
        ("~user.name_-", "~user.name_-"),
        ("nul\0", "nul%00"),
        ("🦀", "%F0%9F%A6%80"),
    ];
    for (value, want) in cases {
        let seen = path_seen(&server, &base, |r| {
            r.path("/items/");
            r.segment("id", value);
            r.path("/details");
        })
        .await;
        assert_eq!(
            seen,
            format!("/api/items/{want}/details"),
            "value {value:?}"
        );
    }
}

#[tokio::test]
async fn tail_keeps_slashes_and_encodes_segments() {
    let server = TestServer::fixed(200, json!({})).await;
    let seen = path_seen(&server, &server.url(), |r| {
        r.path("/repos/o/r/contents/");
        r.tail("path", &"docs/read me/ü.md");
    })
    .await;
    assert_eq!(seen, "/repos/o/r/contents/docs/read%20me/%C3%BC.md");
}

#[tokio::test]
async fn query_pairs_are_encoded_in_order() {
    #[derive(serde::Serialize)]
    struct Filter {
        state: &'static str,
        labels: Vec<&'static str>,
        assignee: Option<&'static str>,
    }
    let server = TestServer::fixed(200, json!([])).await;
    let rc = resource(server.url());
    let mut req = RequestBuilder::new(&rc, Method::GET, "/issues");
    req.path("/issues");
    req.query("page", &Some(2));
    req.query("per-page", &None::<u32>);
    req.query("q", &"a b&c=d");
    req.query("id", &vec![1, 2]);
    req.query(
        "filter",
        &Filter {
            state: "open",
            labels: vec!["bug", "ui"],
            assignee: None,
        },
    );
    req.send::<Json<Vec<u8>>>().await.expect("ok");
    assert_eq!(
        server.last().target,
        "/issues?page=2&q=a+b%26c%3Dd&id=1&id=2&state=open&labels=bug&labels=ui"
    );
}

#[tokio::test]
async fn headers_and_bodies_arrive_as_built() {
    let server = TestServer::fixed(200, json!({"ok": true})).await;
    let rc = resource(server.url());
    let mut req = RequestBuilder::new(&rc, Method::POST, "/users");
    req.path("/users");
    req.static_header("Accept", "application/vnd.api+json");
    req.header("X-Request-Id", &"req-1");
    req.json(&json!({"email": "a@b.c"}));
    req.send::<Unit>().await.expect("ok");
    let got = server.last();
    assert_eq!(got.request_line(), "POST /users HTTP/1.1");
    assert_eq!(got.header("accept"), Some("application/vnd.api+json"));
    assert_eq!(got.header("x-request-id"), Some("req-1"));
    assert_eq!(got.header("content-type"), Some("application/json"));
    assert!(
        got.header("user-agent")
            .is_some_and(|ua| ua.starts_with("restrait/"))
    );
    assert_eq!(got.text(), r#"{"email":"a@b.c"}"#);

    let mut req = RequestBuilder::new(&rc, Method::PUT, "/form");
    req.path("/form");
    #[derive(serde::Serialize)]
    struct Member {
        name: &'static str,
        role: &'static str,
        expand: Vec<&'static str>,
    }
    req.form(&Member {
        name: "Ada Lovelace",
        role: "admin&co",
        expand: vec!["team", "org"],
    });
    req.send::<Unit>().await.expect("ok");
    let got = server.last();
    assert_eq!(
        got.header("content-type"),
        Some("application/x-www-form-urlencoded")
    );
    assert_eq!(
        got.text(),
        "name=Ada+Lovelace&role=admin%26co&expand=team&expand=org"
    );

    let mut req = RequestBuilder::new(&rc, Method::PUT, "/blob");
    req.path("/blob");
    req.raw(bytes::Bytes::from_static(b"\x00\x01raw"));
    req.send::<Unit>().await.expect("ok");
    let got = server.last();
    assert_eq!(got.header("content-type"), Some("application/octet-stream"));
    assert_eq!(&got.body[..], b"\x00\x01raw");
}

#[tokio::test]
async fn sequential_calls_reuse_one_connection() {
    let server = TestServer::fixed(200, json!({"id": 1})).await;
    let rc = resource(server.url());
    for _ in 0..100 {
        let mut req = RequestBuilder::new(&rc, Method::GET, "/users/<id>");
        req.path("/users/");
        req.segment("id", &1);
        req.send::<Json<serde_json::Value>>().await.expect("ok");
    }
    assert_eq!(server.request_count(), 100);
    assert_eq!(server.connections(), 1);
}

#[tokio::test]
async fn in_flight_cap_holds_on_the_server_side() {
    let server = TestServer::start(|_| async {
        Reply::json(200, &json!({})).after(Duration::from_millis(30))
    })
    .await;
    let client = client_builder(server.url())
        .max_in_flight(4)
        .build()
        .expect("valid");
    let rc = Arc::new(ResourceClient::new(client, "Test"));
    let mut calls = tokio::task::JoinSet::new();
    for _ in 0..32 {
        let rc = rc.clone();
        calls.spawn(async move {
            let mut req = RequestBuilder::new(&rc, Method::GET, "/slow");
            req.path("/slow");
            req.send::<Unit>().await
        });
    }
    while let Some(done) = calls.join_next().await {
        done.expect("task").expect("call");
    }
    assert_eq!(server.request_count(), 32);
    assert_eq!(
        server.max_in_flight(),
        4,
        "the cap is reached and never exceeded"
    );
}

#[tokio::test]
async fn attempt_and_call_timeouts_are_typed() {
    let server =
        TestServer::start(|_| async { Reply::status(200).after(Duration::from_secs(5)) }).await;
    let client = client_builder(server.url())
        .attempt_timeout(Duration::from_millis(100))
        .build()
        .expect("valid");
    let rc = ResourceClient::new(client, "Test").with_options(CallOptions::new().max_retries(0));
    let mut req = RequestBuilder::new(&rc, Method::GET, "/stall");
    req.path("/stall");
    let err = req.send::<Unit>().await.expect_err("times out");
    match &err {
        Error::Timeout(t) => {
            assert_eq!(t.kind(), TimeoutKind::Attempt);
            assert_eq!(t.after(), Duration::from_millis(100));
        }
        other => panic!("expected a timeout, got {other:?}"),
    }
    assert!(err.is_timeout());

    let client = client_builder(server.url())
        .timeout(Duration::from_millis(150))
        .build()
        .expect("valid");
    let rc = ResourceClient::new(client, "Test");
    let mut req = RequestBuilder::new(&rc, Method::GET, "/stall");
    req.path("/stall");
    let started = std::time::Instant::now();
    let err = req.send::<Unit>().await.expect_err("times out");
    assert!(
        matches!(&err, Error::Timeout(t) if t.kind() == TimeoutKind::Call),
        "{err:?}"
    );
    assert!(
        started.elapsed() < Duration::from_secs(4),
        "the deadline ended the call"
    );

    // A method's own timeout wins over the client's.
    let mut req = RequestBuilder::new(&rc, Method::GET, "/stall");
    req.path("/stall");
    req.timeout(Duration::from_millis(50));
    let err = req.send::<Unit>().await.expect_err("times out");
    assert!(
        matches!(&err, Error::Timeout(t) if t.after() == Duration::from_millis(50)),
        "{err:?}"
    );
}

#[tokio::test]
async fn body_limit_is_enforced_while_streaming() {
    // 1 GiB, produced lazily by the server, never buffered by the client.
    let server = TestServer::start(|r| async move {
        let reply = Reply::status(200).streamed(16 * 1024, 64 * 1024);
        if r.path() == "/sized" {
            reply.header("content-length", &(1u64 << 30).to_string())
        } else {
            reply
        }
    })
    .await;
    let client = client_builder(server.url())
        .max_body_size(1024 * 1024)
        .build()
        .expect("valid");
    let rc = ResourceClient::new(client, "Test");
    for path in ["/chunked", "/sized"] {
        let mut req = RequestBuilder::new(&rc, Method::GET, "/big");
        req.path(path);
        let err = req.send::<Raw>().await.expect_err("too large");
        match err {
            Error::BodyTooLarge(e) => assert_eq!(e.limit(), 1024 * 1024),
            other => panic!("{path}: expected BodyTooLarge, got {other:?}"),
        }
    }
}

#[tokio::test]
async fn user_middleware_sees_every_request() {
    use restrait::{BoxFuture, Middleware, Next, Request, Response};

    struct Count(Arc<AtomicUsize>);
    impl Middleware for Count {
        fn handle<'a>(
            &'a self,
            mut req: Request,
            next: Next<'a>,
        ) -> BoxFuture<'a, restrait::Result<Response>> {
            self.0.fetch_add(1, Ordering::SeqCst);
            req.headers_mut()
                .insert("x-tenant", "acme".parse().expect("value"));
            next.run(req)
        }
    }
    let server = TestServer::fixed(200, json!({})).await;
    let seen = Arc::new(AtomicUsize::new(0));
    let client = client_builder(server.url())
        .middleware(Count(seen.clone()))
        .build()
        .expect("valid");
    let rc = ResourceClient::new(client, "Test");
    let mut req = RequestBuilder::new(&rc, Method::GET, "/x");
    req.path("/x");
    req.send::<Unit>().await.expect("ok");
    assert_eq!(seen.load(Ordering::SeqCst), 1);
    assert_eq!(server.last().header("x-tenant"), Some("acme"));
}

#[tokio::test]
async fn connection_refused_is_a_connect_error() {
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        l.local_addr().expect("addr").port()
    };
    let rc = resource(format!("http://127.0.0.1:{port}"))
        .with_options(CallOptions::new().max_retries(0));
    let mut req = RequestBuilder::new(&rc, Method::POST, "/x");
    req.path("/x");
    let err = req.send::<Unit>().await.expect_err("refused");
    assert!(err.is_connect(), "{err:?}");
}

/// Every value of header `name` the server received, in order.
fn values(server: &TestServer, name: &str) -> Vec<String> {
    server
        .last()
        .headers
        .get_all(name)
        .iter()
        .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
        .collect()
}

async fn send_with(rc: &ResourceClient, own: Option<&'static str>) {
    let mut req = RequestBuilder::new(rc, Method::GET, "/h");
    req.path("/h");
    if let Some(value) = own {
        req.header("X-Tag", &value);
    }
    req.send::<Unit>().await.expect("ok");
}

#[tokio::test]
async fn every_value_of_a_repeated_header_is_sent() {
    let server = TestServer::fixed(200, json!({})).await;
    let client = client_builder(server.url())
        .default_header("X-Tag", "default-1")
        .default_header("x-tag", "default-2")
        .build()
        .expect("valid");
    let rc = ResourceClient::new(client, "Test");

    send_with(&rc, None).await;
    assert_eq!(values(&server, "x-tag"), ["default-1", "default-2"]);

    // The request's own header replaces every default value of that name.
    send_with(&rc, Some("own")).await;
    assert_eq!(values(&server, "x-tag"), ["own"]);

    // Call options replace the request's header and keep all their values,
    // also when laid over earlier options.
    let options = CallOptions::new()
        .header("x-tag", "option-1")
        .header("X-Tag", "option-2");
    let layered = rc
        .with_options(CallOptions::new().header("x-tag", "replaced"))
        .with_options(options.clone());
    send_with(&layered, Some("own")).await;
    assert_eq!(values(&server, "x-tag"), ["option-1", "option-2"]);
    send_with(&rc.with_options(options), None).await;
    assert_eq!(values(&server, "x-tag"), ["option-1", "option-2"]);
}

#[tokio::test]
async fn user_agent_replaces_and_default_headers_add() {
    let server = TestServer::fixed(200, json!({})).await;
    let mut more = http::HeaderMap::new();
    more.append("x-tag", "map-1".parse().expect("value"));
    more.append("x-tag", "map-2".parse().expect("value"));
    let client = client_builder(server.url())
        .default_header("x-tag", "one")
        .default_headers(more)
        .default_header("user-agent", "first/1.0")
        .user_agent("mine/2.0")
        .build()
        .expect("valid");
    let rc = ResourceClient::new(client, "Test");
    send_with(&rc, None).await;
    assert_eq!(values(&server, "x-tag"), ["one", "map-1", "map-2"]);
    assert_eq!(values(&server, "user-agent"), ["mine/2.0"]);

    // A User-Agent given as a default header replaces the built-in one.
    let client = client_builder(server.url())
        .default_header("User-Agent", "custom/3.0")
        .build()
        .expect("valid");
    send_with(&ResourceClient::new(client, "Test"), None).await;
    assert_eq!(values(&server, "user-agent"), ["custom/3.0"]);
}

#[tokio::test]
async fn with_options_debug_hides_credential_headers() {
    let server = TestServer::fixed(200, json!({})).await;
    let rc = resource(server.url()).with_options(
        CallOptions::new()
            .header("Authorization", "Bearer sk_live_options")
            .header("x-request-id", "req-7"),
    );
    let shown = format!("{rc:?}");
    assert!(!shown.contains("sk_live_options"), "{shown}");
    assert!(shown.contains("req-7"), "{shown}");
    // The header is still sent as given.
    send_with(&rc, None).await;
    assert_eq!(
        server.last().header("authorization"),
        Some("Bearer sk_live_options")
    );
}
