//! Redirects against real servers on 127.0.0.1: an API at the client's base
//! URL and a "CDN" on another port, which is another origin. What each
//! server received is what went over the wire.

mod support;

use std::sync::{Arc, OnceLock};

use bytes::Bytes;

use restrait::http::{HeaderMap, HeaderValue, Method};
use restrait::testing::{MockResponse, MockTransport};
use restrait::{
    Body, BoxFuture, Client, ClientBuilder, Error, Middleware, Next, OAuth2, RedirectErrorKind,
    Request, Response, resource,
};
use restrait_tests::client_builder;
use restrait_tests::helpers::{credential_headers as credentials, request};
use serde_json::{Value, json};
use support::{Recorded, Reply, TestServer};

#[resource]
trait Assets {
    #[get("/asset")]
    async fn asset(&self, #[query] v: u32) -> restrait::Result<Value>;
}

/// The API and the CDN; each handler gets the other server's URL.
async fn two_origins<A, C>(api: A, cdn: C) -> (TestServer, TestServer)
where
    A: Fn(&Recorded, &str) -> Reply + Send + Sync + 'static,
    C: Fn(&Recorded, &str) -> Reply + Send + Sync + 'static,
{
    let cdn_url = Arc::new(OnceLock::<String>::new());
    let api_url = Arc::new(OnceLock::<String>::new());
    let (to_cdn, to_api) = (cdn_url.clone(), api_url.clone());
    let api_server = TestServer::start(move |r| {
        let reply = api(&r, to_cdn.get().map_or("", String::as_str));
        async move { reply }
    })
    .await;
    let cdn_server = TestServer::start(move |r| {
        let reply = cdn(&r, to_api.get().map_or("", String::as_str));
        async move { reply }
    })
    .await;
    api_url.set(api_server.url()).expect("set once");
    cdn_url.set(cdn_server.url()).expect("set once");
    (api_server, cdn_server)
}

/// An API that copies the whole request target, query included, into a
/// 302 to the CDN (as a naive "moved" redirect does), and the CDN.
async fn echoing_api_and_cdn() -> (TestServer, TestServer) {
    two_origins(
        |r, cdn| {
            let target = r.target.replacen("/asset", "/download", 1);
            Reply::status(302).header("location", &format!("{cdn}{target}"))
        },
        |_, _| ok_from("cdn"),
    )
    .await
}

fn ok_from(who: &str) -> Reply {
    Reply::json(200, &json!({ "from": who }))
}

/// The names of credential headers a request carried.
fn redirect_kind(e: &Error) -> Option<RedirectErrorKind> {
    match e {
        Error::Redirect(r) => Some(r.kind()),
        _ => None,
    }
}

/// Credentials the caller set itself, not through an auth: a cookie, a
/// proxy credential, and a header marked sensitive whose name says nothing.
fn with_caller_credentials(builder: ClientBuilder) -> ClientBuilder {
    let mut tenant = HeaderValue::from_static("tenant-secret");
    tenant.set_sensitive(true);
    let mut headers = HeaderMap::new();
    headers.insert("x-tenant", tenant);
    builder
        .default_header("Cookie", "session=s1")
        .default_header("Proxy-Authorization", "Basic cHJveHk6cHc=")
        .default_headers(headers)
}

#[tokio::test]
async fn a_cross_origin_302_is_followed_without_any_credential() {
    let (api, cdn) = echoing_api_and_cdn().await;
    let tokens = TestServer::fixed(
        200,
        json!({"access_token": "at_1", "token_type": "Bearer", "expires_in": 3600}),
    )
    .await;
    let builders = [
        client_builder(api.url()).bearer_token("sk_test_123"),
        client_builder(api.url()).api_key("X-Api-Key", "k_123"),
        client_builder(api.url()).api_key_query("api_key", "k_123"),
        client_builder(api.url()).basic_auth("alice", "pw"),
        client_builder(api.url()).auth(OAuth2::client_credentials(
            format!("{}/token", tokens.url()),
            "app",
            "cs_1",
        )),
        // No auth: a bearer token the caller set as a default header.
        client_builder(api.url()).default_header("Authorization", "Bearer caller"),
    ];
    for builder in builders {
        let client = with_caller_credentials(builder).build().expect("client");
        let body = AssetsClient::new(client).asset(1).await.expect("followed");
        assert_eq!(body, json!({"from": "cdn"}));
    }
    let sent = api.requests();
    assert_eq!(sent.len(), 6);
    assert_eq!(sent[0].header("authorization"), Some("Bearer sk_test_123"));
    assert_eq!(sent[1].header("x-api-key"), Some("k_123"));
    assert_eq!(sent[2].target, "/asset?v=1&api_key=k_123");
    assert!(sent[3].header("authorization").is_some());
    assert_eq!(sent[4].header("authorization"), Some("Bearer at_1"));
    assert_eq!(sent[5].header("authorization"), Some("Bearer caller"));
    for r in &sent {
        assert_eq!(r.header("cookie"), Some("session=s1"));
        assert_eq!(r.header("x-tenant"), Some("tenant-secret"));
        assert!(r.header("proxy-authorization").is_some());
    }
    let elsewhere = cdn.requests();
    assert_eq!(elsewhere.len(), 6);
    for r in &elsewhere {
        assert_eq!(credentials(r), Vec::<&str>::new(), "{r:?}");
        // The key the API echoed into the Location stays home; the rest of
        // the query goes along.
        assert_eq!(r.target, "/download?v=1", "{r:?}");
        assert_eq!(r.method, Method::GET);
    }
}

#[tokio::test]
async fn a_hop_back_home_gets_the_credentials_again() {
    let (api, cdn) = two_origins(
        |r, cdn| match r.path() {
            "/out" => Reply::status(302).header("location", &format!("{cdn}/bounce")),
            _ => ok_from("api"),
        },
        |_, api| Reply::status(307).header("location", &format!("{api}/home")),
    )
    .await;
    for builder in [
        client_builder(api.url()).bearer_token("sk_test_123"),
        client_builder(api.url()).api_key_query("api_key", "k_123"),
    ] {
        let client = with_caller_credentials(builder).build().expect("client");
        let response = client
            .execute(request(&client, Method::GET, "/out"))
            .await
            .expect("followed");
        assert_eq!(response.status(), 200);
    }
    let home: Vec<Recorded> = api
        .requests()
        .into_iter()
        .filter(|r| r.path() == "/home")
        .collect();
    assert_eq!(home.len(), 2);
    assert_eq!(home[0].header("authorization"), Some("Bearer sk_test_123"));
    assert_eq!(home[1].target, "/home?api_key=k_123");
    for r in &home {
        assert_eq!(r.header("cookie"), Some("session=s1"));
        assert_eq!(r.header("x-tenant"), Some("tenant-secret"));
    }
    let bounce = cdn.requests();
    assert_eq!(bounce.len(), 2);
    for r in &bounce {
        assert_eq!(credentials(r), Vec::<&str>::new(), "{r:?}");
        assert_eq!(r.target, "/bounce");
    }
}

/// A hand-made auth as a plain middleware: a key header on every request.
struct TenantKey;

impl Middleware for TenantKey {
    fn handle<'a>(
        &'a self,
        mut req: Request,
        next: Next<'a>,
    ) -> BoxFuture<'a, restrait::Result<Response>> {
        req.headers_mut()
            .insert("x-api-key", HeaderValue::from_static("mw_key"));
        next.run(req)
    }
}

#[tokio::test]
async fn a_key_a_middleware_adds_stays_home_too() {
    let (api, cdn) = two_origins(
        |r, cdn| match r.path() {
            "/out" => Reply::status(302).header("location", &format!("{cdn}/bounce")),
            _ => ok_from("api"),
        },
        |_, api| Reply::status(303).header("location", &format!("{api}/home")),
    )
    .await;
    let client = client_builder(api.url())
        .middleware(TenantKey)
        .build()
        .expect("client");
    let response = client
        .execute(request(&client, Method::GET, "/out"))
        .await
        .expect("followed");
    assert_eq!(response.status(), 200);
    let home = api.requests();
    assert_eq!(home.len(), 2);
    assert!(home.iter().all(|r| r.header("x-api-key") == Some("mw_key")));
    assert_eq!(cdn.last().header("x-api-key"), None, "{:?}", cdn.last());
}

/// A hand-made signing middleware: a query pair on every request to the
/// API's own origin, and on no other.
struct SignHome {
    api: String,
}

impl Middleware for SignHome {
    fn handle<'a>(
        &'a self,
        mut req: Request,
        next: Next<'a>,
    ) -> BoxFuture<'a, restrait::Result<Response>> {
        if req.url().as_str().starts_with(&self.api) {
            req.url_mut().query_pairs_mut().append_pair("sig", "s3cret");
        }
        next.run(req)
    }
}

#[tokio::test]
async fn a_query_pair_a_middleware_adds_stays_home_when_the_location_echoes_it() {
    // No auth: only the user's middleware adds to the query, and the API
    // echoes it into a cross-origin Location.
    let (api, cdn) = echoing_api_and_cdn().await;
    let client = client_builder(api.url())
        .middleware(SignHome { api: api.url() })
        .build()
        .expect("client");
    let body = AssetsClient::new(client).asset(1).await.expect("followed");
    assert_eq!(body, json!({"from": "cdn"}));
    assert_eq!(api.last().target, "/asset?v=1&sig=s3cret");
    assert_eq!(cdn.request_count(), 1);
    assert_eq!(cdn.last().target, "/download?v=1", "{:?}", cdn.last());
}

#[tokio::test]
async fn a_one_shot_stream_answered_307_comes_back_as_the_307() {
    let (api, cdn) = two_origins(
        |_, cdn| Reply::status(307).header("location", &format!("{cdn}/v2/upload")),
        |_, _| ok_from("cdn"),
    )
    .await;
    let client = client_builder(api.url()).build().expect("client");
    let chunks = futures::stream::iter([
        Ok::<_, std::io::Error>(Bytes::from("part one, ")),
        Ok(Bytes::from("part two")),
    ]);
    let mut req = request(&client, Method::POST, "/upload");
    req.set_body(Body::stream(chunks));
    let response = client.execute(req).await.expect("answered");
    // The stream went once, to the API; it cannot be sent again, so the
    // 307 is the caller's to handle, and nothing reaches the CDN.
    assert_eq!(response.status(), 307);
    assert_eq!(api.request_count(), 1);
    assert_eq!(api.last().text(), "part one, part two");
    assert_eq!(cdn.request_count(), 0, "{:?}", cdn.requests());
}

#[tokio::test]
async fn post_becomes_get_without_its_body_after_301_302_and_303() {
    let (api, cdn) = two_origins(
        |r, cdn| {
            let status: u16 = r.path().trim_start_matches('/').parse().unwrap_or(500);
            Reply::status(status).header("location", &format!("{cdn}/result"))
        },
        |_, _| ok_from("cdn"),
    )
    .await;
    let client = client_builder(api.url()).build().expect("client");
    for (status, method) in [
        (301, Method::POST),
        (302, Method::POST),
        (303, Method::POST),
        (303, Method::PUT),
    ] {
        let mut req = request(&client, method.clone(), &format!("/{status}"));
        req.headers_mut()
            .insert("content-type", HeaderValue::from_static("application/json"));
        req.set_body(r#"{"name":"ada"}"#);
        let response = client.execute(req).await.expect("followed");
        assert_eq!(response.status(), 200, "{status} {method}");
        let seen = cdn.last();
        assert_eq!(seen.method, Method::GET, "{status} {method}");
        assert!(seen.body.is_empty(), "{status} {method}: {seen:?}");
        assert_eq!(seen.header("content-type"), None, "{status} {method}");
        assert_eq!(seen.header("content-length"), None, "{status} {method}");
    }
    assert!(
        api.requests()
            .iter()
            .all(|r| r.text() == r#"{"name":"ada"}"#)
    );
}

#[tokio::test]
async fn temporary_and_permanent_redirects_keep_method_and_body() {
    let (_api, cdn) = two_origins(
        |r, cdn| {
            let status: u16 = r.path().trim_start_matches('/').parse().unwrap_or(500);
            Reply::status(status).header("location", &format!("{cdn}/v2/upload"))
        },
        |_, _| ok_from("cdn"),
    )
    .await;
    let client = client_builder(_api.url()).build().expect("client");
    for (status, method) in [
        (307, Method::POST),
        (308, Method::PUT),
        (308, Method::PATCH),
    ] {
        let mut req = request(&client, method.clone(), &format!("/{status}"));
        req.headers_mut()
            .insert("content-type", HeaderValue::from_static("application/json"));
        req.set_body(r#"{"name":"ada"}"#);
        let response = client.execute(req).await.expect("followed");
        assert_eq!(response.status(), 200, "{status} {method}");
        let seen = cdn.last();
        assert_eq!(seen.method, method, "{status}");
        assert_eq!(seen.path(), "/v2/upload");
        assert_eq!(seen.text(), r#"{"name":"ada"}"#, "{status} {method}");
        assert_eq!(seen.header("content-type"), Some("application/json"));
    }
}

#[tokio::test]
async fn a_redirect_loop_ends_with_a_typed_error() {
    let (api, cdn) = two_origins(
        |_, cdn| Reply::status(302).header("location", &format!("{cdn}/b")),
        |_, api| Reply::status(302).header("location", &format!("{api}/a?token=s3cret")),
    )
    .await;
    let client = client_builder(api.url()).build().expect("client");
    let err = client
        .execute(request(&client, Method::GET, "/a?token=s3cret"))
        .await
        .expect_err("a loop");
    assert_eq!(
        redirect_kind(&err),
        Some(RedirectErrorKind::Loop),
        "{err:?}"
    );
    let Error::Redirect(details) = &err else {
        unreachable!()
    };
    assert_eq!(details.hops(), 1);
    assert_eq!(details.status().map(|s| s.as_u16()), Some(302));
    assert_eq!(details.call().method(), Method::GET);
    let text = format!("{err} {err:?}");
    assert!(!text.contains("s3cret"), "{text}");
    assert!(text.contains("redirect loop"), "{text}");
    // Caught before the repeat is sent.
    assert_eq!((api.request_count(), cdn.request_count()), (1, 1));

    // A page that redirects to itself.
    let selfish = TestServer::start(|r| {
        let target = r.target.clone();
        async move { Reply::status(301).header("location", &target) }
    })
    .await;
    let client = client_builder(selfish.url()).build().expect("client");
    let err = client
        .execute(request(&client, Method::GET, "/same?x=1"))
        .await
        .expect_err("a loop");
    assert_eq!(
        redirect_kind(&err),
        Some(RedirectErrorKind::Loop),
        "{err:?}"
    );
    assert_eq!(selfish.request_count(), 1);
}

#[tokio::test]
async fn too_many_redirects_end_with_a_typed_error() {
    // `/r/<n>` redirects to `/r/<n+1>`, for ever, on the same origin.
    let server = TestServer::start(|r| {
        let n: u64 = r.path().trim_start_matches("/r/").parse().unwrap_or(0);
        let next = format!("/r/{}", n.saturating_add(1));
        async move { Reply::status(302).header("location", &next) }
    })
    .await;
    for (builder, max, requests) in [
        (client_builder(server.url()), 10, 11),
        (client_builder(server.url()).max_redirects(3), 3, 15),
    ] {
        let client = builder.build().expect("client");
        let err = client
            .execute(request(&client, Method::GET, "/r/0"))
            .await
            .expect_err("too many");
        assert_eq!(
            redirect_kind(&err),
            Some(RedirectErrorKind::TooMany),
            "{err:?}"
        );
        let Error::Redirect(details) = &err else {
            unreachable!()
        };
        assert_eq!(details.hops(), max);
        assert_eq!(server.request_count(), requests);
    }
}

#[tokio::test]
async fn max_redirects_zero_hands_the_3xx_back() {
    let server = TestServer::start(|r| async move {
        match r.path() {
            "/asset" => Reply::status(302).header("location", "/new"),
            _ => ok_from("new"),
        }
    })
    .await;
    let client = client_builder(server.url())
        .max_redirects(0)
        .build()
        .expect("client");
    let response = client
        .execute(request(&client, Method::GET, "/asset"))
        .await
        .expect("a response");
    assert_eq!(response.status(), 302);
    assert_eq!(response.headers()["location"], "/new");
    let err = AssetsClient::new(client)
        .asset(1)
        .await
        .expect_err("302 is not a success");
    assert!(matches!(err, Error::Api(_)), "{err:?}");
    assert_eq!(err.status().map(|s| s.as_u16()), Some(302));
    assert_eq!(server.request_count(), 2, "/new is never asked for");
}

#[tokio::test]
async fn relative_locations_resolve_against_the_current_url() {
    let (api, cdn) = two_origins(
        |r, cdn| {
            let port = cdn.rsplit(':').next().unwrap_or("");
            match r.target.as_str() {
                "/v1/files/a" => Reply::status(302).header("location", "b"),
                "/v1/files/b" => Reply::status(302).header("location", "../other?x=1"),
                "/v1/other?x=1" => {
                    Reply::status(302).header("location", &format!("//127.0.0.1:{port}/x"))
                }
                _ => Reply::status(404),
            }
        },
        |_, _| ok_from("cdn"),
    )
    .await;
    let client = client_builder(format!("{}/v1", api.url()))
        .build()
        .expect("client");
    let response = client
        .execute(request(&client, Method::GET, "/files/a"))
        .await
        .expect("followed");
    assert_eq!(response.status(), 200);
    let targets: Vec<String> = api.requests().into_iter().map(|r| r.target).collect();
    assert_eq!(targets, ["/v1/files/a", "/v1/files/b", "/v1/other?x=1"]);
    assert_eq!(cdn.last().target, "/x");
}

#[tokio::test]
async fn a_downgrade_from_https_to_http_is_refused() {
    // No TLS server here: the mock transport stands in for the wire.
    let mock = MockTransport::new()
        .route(
            Method::GET,
            "/a",
            MockResponse::new(302).header("location", "http://api.example.com/b?k=s3cret"),
        )
        .route(
            Method::GET,
            "/c",
            MockResponse::new(301).header("location", "https://cdn.example.net/b"),
        )
        .route(Method::GET, "/b", MockResponse::json(200, &json!({})));
    let client = Client::builder("https://api.example.com")
        .bearer_token("sk_test_123")
        .transport(mock.clone())
        .build()
        .expect("client");
    let err = client
        .execute(request(&client, Method::GET, "/a"))
        .await
        .expect_err("a downgrade");
    assert_eq!(
        redirect_kind(&err),
        Some(RedirectErrorKind::Downgrade),
        "{err:?}"
    );
    assert!(!err.to_string().contains("s3cret"), "{err}");
    assert_eq!(mock.requests().len(), 1, "plain http is never sent");
    // https to another https origin is fine, and goes without the token.
    let response = client
        .execute(request(&client, Method::GET, "/c"))
        .await
        .expect("followed");
    assert_eq!(response.status(), 200);
    let last = mock.last_request().expect("sent");
    assert_eq!(last.url().as_str(), "https://cdn.example.net/b");
    assert!(last.headers().get("authorization").is_none());
}

/// reqwest-only: about a `reqwest::Client` the user hands in, so it builds
/// with `Client::builder` and runs on reqwest under every
/// `RESTRAIT_TEST_TRANSPORT`.
#[tokio::test]
async fn a_users_reqwest_client_does_not_bypass_the_rules() {
    let (api, cdn) = two_origins(
        |_, cdn| Reply::status(302).header("location", &format!("{cdn}/download")),
        |_, _| ok_from("cdn"),
    )
    .await;
    use restrait::reqwest;

    // A builder: restrait turns its redirects off and follows them itself.
    let client = Client::builder(api.url())
        .api_key("X-Api-Key", "k_123")
        .reqwest_client_builder(reqwest::Client::builder())
        .build()
        .expect("client");
    let body = AssetsClient::new(client).asset(1).await.expect("followed");
    assert_eq!(body, json!({"from": "cdn"}));
    assert_eq!(credentials(&cdn.last()), Vec::<&str>::new());

    // A client built without redirects: the same.
    let none = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("reqwest client");
    let client = Client::builder(api.url())
        .api_key("X-Api-Key", "k_123")
        .reqwest_client(none)
        .build()
        .expect("client");
    AssetsClient::new(client).asset(1).await.expect("followed");
    assert_eq!(credentials(&cdn.last()), Vec::<&str>::new());
    assert_eq!((api.request_count(), cdn.request_count()), (2, 2));

    // A client with reqwest's default policy follows by itself: the call
    // fails, says what to do, and is not retried.
    let client = Client::builder(api.url())
        .api_key("X-Api-Key", "k_123")
        .reqwest_client(reqwest::Client::new())
        .build()
        .expect("client");
    let err = AssetsClient::new(client)
        .asset(1)
        .await
        .expect_err("followed by reqwest");
    assert_eq!(
        redirect_kind(&err),
        Some(RedirectErrorKind::FollowedByTransport),
        "{err:?}"
    );
    assert!(err.to_string().contains("Policy::none()"), "{err}");
    assert_eq!((api.request_count(), cdn.request_count()), (3, 3));
}

#[tokio::test]
async fn one_span_per_call_counts_the_hops_and_logs_no_query() {
    let (api, _cdn) = two_origins(
        |r, cdn| match r.path() {
            "/asset" => Reply::status(302).header("location", "/moved"),
            _ => Reply::status(302).header("location", &format!("{cdn}/dl?sig=s3cret")),
        },
        |_, _| ok_from("cdn"),
    )
    .await;
    let client = client_builder(api.url()).build().expect("client");
    let run = || async {
        client
            .execute(request(&client, Method::GET, "/asset"))
            .await
            .expect("followed");
    };
    // A subscriber that also writes a line when a span closes, with the
    // fields recorded by then.
    let capture = restrait_tests::LogCapture::default();
    let writer = capture.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::DEBUG)
        .with_ansi(false)
        .with_span_events(tracing_subscriber::fmt::format::FmtSpan::CLOSE)
        .with_writer(move || writer.clone())
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);
    run().await;
    capture.refresh();
    capture.clear();
    run().await;
    let logs = capture.text();
    let hops: Vec<&str> = logs
        .lines()
        .filter(|l| l.contains("following a redirect"))
        .collect();
    assert_eq!(hops.len(), 2, "{logs}");
    assert!(hops.iter().all(|l| l.contains("http.client")), "{logs}");
    assert!(hops[1].contains("redirect.cross_origin=true"), "{logs}");
    let closed: Vec<&str> = logs
        .lines()
        .filter(|l| l.contains("http.client") && l.contains(": close "))
        .collect();
    assert_eq!(closed.len(), 1, "one span for the call: {logs}");
    assert!(closed[0].contains("restrait.redirect_count=2"), "{logs}");
    assert!(!logs.contains("s3cret"), "{logs}");
}
