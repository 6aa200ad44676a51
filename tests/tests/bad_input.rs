//! Hostile or broken input, from the caller and from the server: each case
//! ends in a typed error (or a safe encoding), never a panic, a hang, a
//! request that changes meaning, or a secret in a message.
#![allow(missing_docs)]

mod support;

use std::time::{Duration, Instant};

use futures::StreamExt;
use restrait::__private::{Method, RequestBuilder, ResourceClient};
use restrait::{CallOptions, Client, Error, Pagination, Result, RetryPolicy, resource};
use restrait_tests::client_builder;
use restrait_tests::helpers::ok_server as echo;
use serde_json::{Value, json};
use support::{Reply, TestServer};

#[resource]
pub trait Files {
    #[get("/files/<name>")]
    async fn get(&self, name: &str) -> Result<()>;

    #[get("/buckets/<bucket>/objects/<key..>")]
    async fn object(&self, bucket: &str, key: &str) -> Result<()>;

    #[get("/files/<id>")]
    async fn by_id(&self, id: Shown) -> Result<()>;

    #[get("/echo")]
    async fn traced(&self, #[header("X-Trace")] trace: &str) -> Result<()>;

    #[get("/json")]
    async fn json(&self) -> Result<Value>;

    #[get("/json")]
    async fn nested(&self) -> Result<Nested>;

    #[get("/json")]
    async fn text(&self) -> Result<String>;

    #[get("/json")]
    #[timeout(secs = 18446744073709551615)]
    async fn forever(&self) -> Result<()>;
}

/// A path value whose `Display` the caller does not control.
pub struct Shown(&'static str);

impl std::fmt::Display for Shown {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.0)
    }
}

#[derive(Debug, serde::Deserialize)]
pub struct Nested {
    #[allow(dead_code)]
    pub a: Option<Box<Nested>>,
}

fn no_retry(base: String) -> Client {
    client_builder(base)
        .retry(RetryPolicy::never())
        .timeout(Duration::from_secs(10))
        .build()
        .expect("client")
}

// ---- path values --------------------------------------------------------------

#[tokio::test]
async fn traversal_and_injection_in_path_values_stay_in_one_segment() {
    let server = echo().await;
    let files = FilesClient::new(no_retry(server.url()));
    let cases: &[(&str, &str)] = &[
        ("../etc/passwd", "/files/..%2Fetc%2Fpasswd"),
        ("..%2f..%2fadmin", "/files/..%252f..%252fadmin"),
        ("%2e%2e", "/files/%252e%252e"),
        ("%2E%2E%2F", "/files/%252E%252E%252F"),
        ("...", "/files/..."),
        ("a/b", "/files/a%2Fb"),
        ("\\..\\admin", "/files/%5C..%5Cadmin"),
        ("x\r\nHost: evil", "/files/x%0D%0AHost%3A%20evil"),
        ("nul\0byte", "/files/nul%00byte"),
        ("q?admin=1#f", "/files/q%3Fadmin%3D1%23f"),
        ("%", "/files/%25"),
        ("\u{202e}rtl", "/files/%E2%80%AErtl"),
        ("　", "/files/%E3%80%80"),
    ];
    for (value, want) in cases {
        files.get(value).await.expect("sent");
        assert_eq!(&server.last().target, want, "{value:?}");
    }
}

#[tokio::test]
async fn dot_segments_and_empty_values_are_refused_before_sending() {
    let server = echo().await;
    let files = FilesClient::new(no_retry(server.url()));
    for value in ["..", ".", ""] {
        let err = files.get(value).await.expect_err(value);
        assert!(
            matches!(err, Error::InvalidRequest(_)),
            "{value:?}: {err:?}"
        );
        let err = files.by_id(Shown(value)).await.expect_err(value);
        assert!(
            matches!(err, Error::InvalidRequest(_)),
            "{value:?}: {err:?}"
        );
    }
    // A tail keeps its slashes but refuses dot and empty segments anywhere.
    for key in [
        "../secret",
        "a/../b",
        "a/../../b",
        "./x",
        "a/./b",
        "a//b",
        "/abs",
        "trail/",
        "..",
        "",
    ] {
        let err = files.object("b", key).await.expect_err(key);
        assert!(matches!(err, Error::InvalidRequest(_)), "{key:?}: {err:?}");
    }
    assert_eq!(server.request_count(), 0, "nothing was sent");
    // ...and encodes everything else inside each segment.
    files.object("b", "dir/%2e%2e/x\r\n\0").await.expect("sent");
    assert_eq!(
        server.last().target,
        "/buckets/b/objects/dir/%252e%252e/x%0D%0A%00"
    );
}

// ---- header values ------------------------------------------------------------

#[tokio::test]
async fn header_values_that_would_split_the_request_are_refused() {
    let server = echo().await;
    let files = FilesClient::new(no_retry(server.url()));
    for value in [
        "a\r\nX-Admin: true",
        "a\nX-Admin: true",
        "a\rb",
        "nul\0",
        "\r\n\r\nGET /admin HTTP/1.1",
    ] {
        let err = files.traced(value).await.expect_err(value);
        let Error::InvalidRequest(e) = &err else {
            panic!("{value:?}: expected InvalidRequest, got {err:?}");
        };
        assert!(e.message().contains("X-Trace"), "{e}");
        // The message names the header, not the value.
        assert!(!err.to_string().contains("X-Admin"), "{err}");
    }
    assert_eq!(server.request_count(), 0, "nothing was sent");
    files.traced("tab\tok").await.expect("a tab is allowed");
    assert_eq!(server.last().header("x-trace"), Some("tab\tok"));
}

// ---- base URLs ------------------------------------------------------------------

#[test]
fn credentials_in_the_base_url_are_refused_and_never_shown() {
    for base in [
        "https://alice:hunter2@api.example.com/v1",
        "https://:hunter2@api.example.com",
        "https://hunter2@api.example.com",
        "http://alice:hunter2@127.0.0.1:1/?api_key=hunter2",
        // Not even a URL: the message must still hide what looks like userinfo.
        "https://alice:hunter2@bad host/v1",
        "https://alice:hunter2@[::1/v1",
        "alice:hunter2@api.example.com",
        "https://alice:hunter2@api.example.com:99999/",
    ] {
        let err = client_builder(base).build().expect_err(base);
        assert!(matches!(err, Error::Config(_)), "{base}: {err:?}");
        for shown in [err.to_string(), format!("{err:?}")] {
            assert!(!shown.contains("hunter2"), "{base}: {shown}");
        }
    }
}

// ---- error bodies ---------------------------------------------------------------

#[tokio::test]
async fn non_utf8_error_bodies_are_kept_raw_and_shown_lossily() {
    let body: &'static [u8] = b"\xff\xfe{\"message\":\"\xc3\x28bad\"}\x80";
    let server = TestServer::start(move |_| async move {
        Reply::status(500)
            .header("content-type", "application/json")
            .body(body)
    })
    .await;
    let files = FilesClient::new(no_retry(server.url()));
    let err = files.json().await.expect_err("500");
    let Error::Server(api) = &err else {
        panic!("expected Server, got {err:?}");
    };
    assert_eq!(api.body().as_ref(), body);
    assert_eq!(api.message(), "Internal Server Error");
    assert!(api.json::<Value>().is_none());
    let _ = (err.to_string(), format!("{err:?}"));
}

#[tokio::test]
async fn a_huge_error_body_cut_inside_a_character_is_still_shown() {
    // 3-byte characters, cut by a limit that is not a multiple of 3.
    let server = TestServer::start(|_| async {
        Reply::status(404).body("€".repeat(400_000).into_bytes())
    })
    .await;
    let client = client_builder(server.url())
        .max_error_body_size(1000)
        .build()
        .expect("client");
    let err = FilesClient::new(client).json().await.expect_err("404");
    let Error::NotFound(api) = &err else {
        panic!("expected NotFound, got {err:?}");
    };
    assert!(api.body_truncated());
    assert_eq!(api.body().len(), 1000);
    let debug = format!("{err:?}");
    assert!(
        debug.len() < 4000,
        "the excerpt is bounded: {}",
        debug.len()
    );
    let _ = err.to_string();
}

#[tokio::test]
async fn a_body_that_is_not_utf8_is_a_decode_error_for_text() {
    let server =
        TestServer::start(|_| async { Reply::status(200).body(&b"ok \xff\xfe"[..]) }).await;
    let files = FilesClient::new(no_retry(server.url()));
    let err = files.text().await.expect_err("not UTF-8");
    assert!(matches!(err, Error::Decode(_)), "{err:?}");
}

// ---- Retry-After ----------------------------------------------------------------

#[tokio::test]
async fn hostile_retry_after_values_are_capped_or_ignored() {
    let values = [
        "-5",
        "-0",
        "99999999999999999999999999",
        "18446744073709551615",
        "18446744073709551616.5",
        "1e400",
        "NaN",
        "inf",
        "garbage",
        "",
        "   ",
        "0x10",
        "1,2",
        "Fri, 31 Dec 9999 23:59:59 GMT",
        "Thu, 01 Jan 1970 00:00:00 GMT",
        "Mon, 99 Foo 2024 99:99:99 GMT",
    ];
    for value in values {
        let server = TestServer::start(move |_| async move {
            Reply::json(429, &json!({"error": {"message": "slow down"}}))
                .header("retry-after", value)
                .header("ratelimit-reset", "99999999999999999999")
                .header("x-ratelimit-reset", "18446744073709551615")
        })
        .await;
        let client = client_builder(server.url())
            .retry(
                RetryPolicy::default()
                    .max_retries(2)
                    .max_retry_after(Duration::from_millis(20))
                    .no_budget(),
            )
            .timeout(Duration::from_secs(20))
            .build()
            .expect("client");
        let started = Instant::now();
        let err = FilesClient::new(client).json().await.expect_err("429");
        let elapsed = started.elapsed();
        assert!(
            matches!(err, Error::RateLimited { .. }),
            "{value:?}: {err:?}"
        );
        // Waits were capped at 20 ms: three attempts, not a sleep of years.
        assert_eq!(server.request_count(), 3, "{value:?}");
        assert!(elapsed < Duration::from_secs(10), "{value:?}: {elapsed:?}");
        let _ = (err.to_string(), format!("{err:?}"), err.retry_after());
    }
}

// ---- Link headers ---------------------------------------------------------------

fn page_client(server: &TestServer) -> ResourceClient {
    let client = no_retry(server.url());
    ResourceClient::new(client, "Pages").with_options(CallOptions::new().max_retries(0))
}

#[tokio::test]
async fn malformed_link_headers_end_the_list_after_the_first_page() {
    let links = [
        "",
        "<",
        ">; rel=next",
        "<>; rel=next",
        "< >; rel=\"next\"",
        "page=2; rel=next",
        "<unterminated; rel=\"next\"",
        "<a>; rel",
        "<a>; rel=",
        "<a>; rel=\"nex\"",
        "<a>; title=\"x, rel=next\"",
        ";;;,,,<<<>>>",
        "<\u{7f}>; rel=\"last\"",
    ];
    for link in links {
        let server = TestServer::start(move |_| async move {
            Reply::json(200, &json!([1, 2, 3])).header("link", link)
        })
        .await;
        let rc = page_client(&server);
        let mut req = RequestBuilder::new(&rc, Method::GET, "/items");
        req.path("/items");
        let items: Vec<Result<u64>> = req
            .paginate::<u64>(Pagination::link_header())
            .collect()
            .await;
        assert_eq!(items.len(), 3, "{link:?}: {items:?}");
        assert!(items.iter().all(|r| r.is_ok()), "{link:?}: {items:?}");
        assert_eq!(server.request_count(), 1, "{link:?}");
    }
}

#[tokio::test]
async fn link_headers_pointing_elsewhere_are_never_followed() {
    let elsewhere = echo().await;
    let other = elsewhere.url();
    let port = elsewhere.addr().port();
    let targets = vec![
        format!("{other}/steal?page=2"),
        format!("//127.0.0.1:{port}/steal"),
        format!("https://127.0.0.1:{port}/steal"),
        "javascript:alert(1)".to_owned(),
        "data:text/plain,hi".to_owned(),
        "file:///etc/passwd".to_owned(),
        format!("http://localhost:{port}/steal"),
    ];
    for target in targets {
        let link = format!("<{target}>; rel=\"next\"");
        let server = TestServer::start(move |_| {
            let link = link.clone();
            async move { Reply::json(200, &json!([1])).header("link", &link) }
        })
        .await;
        let client = client_builder(server.url())
            .bearer_token("sk_live_never_leaves")
            .retry(RetryPolicy::never())
            .build()
            .expect("client");
        let rc = ResourceClient::new(client, "Pages");
        let mut req = RequestBuilder::new(&rc, Method::GET, "/items");
        req.path("/items");
        let items: Vec<Result<u64>> = req
            .paginate::<u64>(Pagination::link_header())
            .collect()
            .await;
        assert!(
            matches!(items.as_slice(), [Ok(1), Err(Error::Pagination(_))]),
            "{target}: {items:?}"
        );
        assert_eq!(server.request_count(), 1, "{target}");
    }
    assert_eq!(elsewhere.request_count(), 0, "no request left the origin");
}

// ---- huge numbers ---------------------------------------------------------------

#[tokio::test]
async fn huge_timeouts_mean_no_deadline_instead_of_a_panic() {
    let server = echo().await;
    let client = client_builder(server.url())
        .timeout(Duration::MAX)
        .attempt_timeout(Duration::MAX)
        .connect_timeout(Duration::MAX)
        .retry(RetryPolicy::never())
        .build()
        .expect("a timeout too long for the clock is no timeout");
    let files = FilesClient::new(client);
    files.json().await.expect("the client's huge timeouts");
    files.forever().await.expect("#[timeout(secs = u64::MAX)]");

    let files = FilesClient::new(no_retry(server.url()));
    for options in [
        CallOptions::new().timeout(Duration::MAX),
        CallOptions::new().attempt_timeout(Duration::MAX),
        CallOptions::new()
            .timeout(Duration::from_secs(u64::MAX))
            .attempt_timeout(Duration::from_secs(u64::MAX / 2)),
    ] {
        files
            .with_options(options.clone())
            .json()
            .await
            .unwrap_or_else(|e| panic!("{options:?}: {e}"));
    }
    files.forever().await.expect("the method's huge timeout");
    assert_eq!(server.request_count(), 6);
}

#[tokio::test]
async fn page_numbers_that_would_pass_u64_max_end_with_a_pagination_error() {
    let server = TestServer::fixed(200, json!([1, 2])).await;
    let rc = page_client(&server);
    let mut req = RequestBuilder::new(&rc, Method::GET, "/items");
    req.path("/items");
    req.query("page", &u64::MAX);
    let items: Vec<Result<u64>> = req
        .paginate::<u64>(Pagination::page_number("page"))
        .collect()
        .await;
    match items.as_slice() {
        [Ok(1), Ok(2), Err(Error::Pagination(e))] => {
            assert!(e.message().contains("`page`"), "{e}");
        }
        other => panic!("expected two items then a pagination error: {other:?}"),
    }
    assert_eq!(server.request_count(), 1, "no page 0 after the last number");
}

// ---- deep JSON ------------------------------------------------------------------

fn deep(depth: usize, open: &str, close: &str) -> String {
    let mut s = String::with_capacity(depth * (open.len() + close.len()) + 4);
    for _ in 0..depth {
        s.push_str(open);
    }
    s.push_str("null");
    for _ in 0..depth {
        s.push_str(close);
    }
    s
}

#[test]
fn json_nested_ten_thousand_deep_is_a_decode_error() {
    // serde_json stops at a depth of 128; check that the client keeps that
    // limit on (on a thread with the default 2 MiB stack, which ten thousand
    // unlimited levels of recursion would overflow).
    let server_rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .expect("runtime");
    let server = server_rt.block_on(TestServer::start(|r| async move {
        let body = if r.header("x-shape") == Some("object") {
            deep(10_000, "{\"a\":", "}")
        } else {
            deep(10_000, "[", "]")
        };
        Reply::status(200).body(body)
    }));
    let url = server.url();
    let (value, nested) = std::thread::Builder::new()
        .stack_size(2 * 1024 * 1024)
        .spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("runtime");
            rt.block_on(async {
                let files = FilesClient::new(no_retry(url));
                let value = files.json().await.map(drop);
                let object = files.with_options(CallOptions::new().header("x-shape", "object"));
                (value, object.nested().await.map(drop))
            })
        })
        .expect("thread")
        .join()
        .expect("no stack overflow");
    for err in [value.expect_err("too deep"), nested.expect_err("too deep")] {
        let Error::Decode(d) = &err else {
            panic!("expected Decode, got {err:?}");
        };
        assert!(d.message().contains("recursion limit"), "{d}");
        assert!(d.excerpt().len() < 1000);
    }
    assert_eq!(server.request_count(), 2);
}

#[tokio::test]
async fn deep_json_in_an_error_body_is_kept_raw() {
    let server =
        TestServer::start(|_| async { Reply::status(422).body(deep(10_000, "{\"error\":", "}")) })
            .await;
    let client = client_builder(server.url())
        .max_error_body_size(1 << 20)
        .build()
        .expect("client");
    let err = FilesClient::new(client).json().await.expect_err("422");
    let Error::Validation(api) = &err else {
        panic!("expected Validation, got {err:?}");
    };
    assert_eq!(api.message(), "Unprocessable Entity");
    assert!(api.json::<Value>().is_none());
}
