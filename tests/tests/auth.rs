//! Authentication against real servers on 127.0.0.1: an API server and an
//! OAuth2 token server, both in-process, which record what they receive.
//! Counts (token requests, credentials seen) are taken on the server side.

mod support;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use restrait::auth::{ClientAuth, TokenSet};
use restrait::http::Method;
use restrait::{CallOptions, Client, Error, OAuth2, RetryPolicy, resource};
use restrait_tests::client_builder;
use restrait_tests::helpers::{get, ok_server as echo, token_reply};
use serde_json::{Value, json};
use support::{Recorded, Reply, TestServer};

#[resource]
trait Me {
    #[get("/me")]
    async fn me(&self) -> restrait::Result<Value>;
}

/// What the servers saw, in order: `token <grant> <refresh_token>` for a
/// token request, `api <authorization>` for an API request, and whatever the
/// test's hooks add.
#[derive(Clone, Default)]
struct Log(Arc<Mutex<Vec<String>>>);

impl Log {
    fn push(&self, line: String) {
        self.0.lock().expect("log").push(line);
    }
    fn lines(&self) -> Vec<String> {
        self.0.lock().expect("log").clone()
    }
}

fn form(r: &Recorded) -> Vec<(String, String)> {
    form_pairs(&r.body)
}

fn form_pairs(body: &[u8]) -> Vec<(String, String)> {
    // Decode by hand (as a server would), not with the client's encoder.
    String::from_utf8_lossy(body)
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            (decode(k), decode(v))
        })
        .collect()
}

fn decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap_or("");
                out.push(u8::from_str_radix(hex, 16).unwrap_or(b'?'));
                i += 2;
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn field(r: &Recorded, name: &str) -> Option<String> {
    form(r).into_iter().find(|(k, _)| k == name).map(|(_, v)| v)
}

/// A token server issuing `at1`/`rt1`, `at2`/`rt2`, ... and an API server
/// that accepts only the newest access token (401 otherwise).
struct Servers {
    token: TestServer,
    api: TestServer,
    log: Log,
}

impl Servers {
    async fn start(expires_in: Option<u64>, token_delay: Duration) -> Servers {
        let issued = Arc::new(AtomicUsize::new(0));
        let log = Log::default();
        let (count, token_log) = (issued.clone(), log.clone());
        let token = TestServer::start(move |r| {
            let count = count.clone();
            let log = token_log.clone();
            async move {
                let grant = field(&r, "grant_type").unwrap_or_default();
                let presented = field(&r, "refresh_token").unwrap_or_else(|| "-".into());
                log.push(format!("token {grant} {presented}"));
                tokio::time::sleep(token_delay).await;
                let n = count.fetch_add(1, Ordering::SeqCst) + 1;
                token_reply(n, expires_in)
            }
        })
        .await;
        let (count, api_log) = (issued.clone(), log.clone());
        let api = TestServer::start(move |r| {
            let auth = r.header("authorization").unwrap_or("-").to_owned();
            api_log.push(format!("api {auth}"));
            let newest = format!("Bearer at{}", count.load(Ordering::SeqCst));
            async move {
                if auth == newest {
                    Reply::json(200, &json!({"ok": true}))
                } else {
                    Reply::json(401, &json!({"message": "bad token"}))
                        .header("www-authenticate", "Bearer error=\"invalid_token\"")
                }
            }
        })
        .await;
        Servers { token, api, log }
    }

    fn token_url(&self) -> String {
        format!("{}/oauth/token", self.token.url())
    }

    fn client(&self, oauth: OAuth2) -> Client {
        client_builder(self.api.url())
            .auth(oauth)
            .build()
            .expect("client")
    }

    fn token_requests(&self) -> usize {
        self.token.request_count()
    }
}

// ---- static credentials ----------------------------------------------------

#[tokio::test]
async fn static_credentials_as_the_server_receives_them() {
    let server = echo().await;
    let builders = [
        client_builder(server.url()).bearer_token("sk_test_123"),
        client_builder(server.url()).api_key("X-Api-Key", "k_123"),
        client_builder(server.url()).api_key_query("api_key", "k 1/2&3"),
        client_builder(server.url()).basic_auth("alice", "pä ss:w"),
    ];
    for builder in builders {
        let client = builder.build().expect("client");
        let me = MeClient::new(client.clone());
        let mut request = get(&client, "/me");
        request.url_mut().set_query(Some("page=2"));
        client.execute(request).await.expect("sent");
        me.me().await.expect("generated call");
    }
    let seen = server.requests();
    assert_eq!(seen.len(), 8);
    assert_eq!(seen[0].header("authorization"), Some("Bearer sk_test_123"));
    assert_eq!(seen[1].header("authorization"), Some("Bearer sk_test_123"));
    assert_eq!(seen[2].header("x-api-key"), Some("k_123"));
    assert_eq!(seen[2].header("authorization"), None);
    assert_eq!(seen[4].target, "/me?page=2&api_key=k+1%2F2%263");
    assert_eq!(seen[5].target, "/me?api_key=k+1%2F2%263");
    // base64("alice:pä ss:w"), UTF-8, as RFC 7617 says.
    assert_eq!(
        seen[6].header("authorization"),
        Some("Basic YWxpY2U6cMOkIHNzOnc=")
    );
}

#[tokio::test]
async fn same_origin_redirects_keep_the_credentials() {
    let api = TestServer::start(|r| async move {
        if r.path() == "/old" {
            Reply::status(307).header("location", "/me")
        } else {
            Reply::json(200, &json!({"ok": true}))
        }
    })
    .await;
    let client = client_builder(api.url())
        .bearer_token("sk_test_123")
        .build()
        .expect("client");
    let response = client.execute(get(&client, "/old")).await.expect("ok");
    assert_eq!(response.status(), 200);
    let seen = api.requests();
    assert_eq!(seen.len(), 2);
    assert!(
        seen.iter()
            .all(|r| r.header("authorization") == Some("Bearer sk_test_123"))
    );
}

// ---- OAuth2 -------------------------------------------------------------------

#[tokio::test]
async fn token_requests_follow_rfc_6749() {
    let servers = Servers::start(Some(3600), Duration::ZERO).await;
    let oauth = OAuth2::client_credentials(servers.token_url(), "client id", "s3cr:t&+/é")
        .scope("read write");
    let client = servers.client(oauth);
    MeClient::new(client).me().await.expect("ok");
    let seen = servers.token.last();
    assert_eq!(seen.method, Method::POST);
    assert_eq!(seen.path(), "/oauth/token");
    assert_eq!(
        seen.header("content-type"),
        Some("application/x-www-form-urlencoded")
    );
    assert_eq!(seen.header("accept"), Some("application/json"));
    // RFC 6749 2.3.1: each of id and secret form-encoded, joined with `:`,
    // then base64: "client+id:s3cr%3At%26%2B%2F%C3%A9".
    assert_eq!(
        seen.header("authorization"),
        Some("Basic Y2xpZW50K2lkOnMzY3IlM0F0JTI2JTJCJTJGJUMzJUE5")
    );
    assert_eq!(
        form(&seen),
        [
            ("grant_type".to_owned(), "client_credentials".to_owned()),
            ("scope".to_owned(), "read write".to_owned()),
        ]
    );
}

#[tokio::test]
async fn client_credentials_can_go_in_the_body() {
    let servers = Servers::start(Some(3600), Duration::ZERO).await;
    let oauth = OAuth2::refresh_token(servers.token_url(), "cid", "rt0")
        .client_secret("csecret")
        .client_auth(ClientAuth::RequestBody);
    MeClient::new(servers.client(oauth)).me().await.expect("ok");
    let seen = servers.token.last();
    assert_eq!(seen.header("authorization"), None);
    assert_eq!(
        form(&seen),
        [
            ("grant_type".to_owned(), "refresh_token".to_owned()),
            ("refresh_token".to_owned(), "rt0".to_owned()),
            ("client_id".to_owned(), "cid".to_owned()),
            ("client_secret".to_owned(), "csecret".to_owned()),
        ]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thousand_calls_with_an_expired_token_make_one_token_request() {
    let servers = Servers::start(Some(3600), Duration::from_millis(200)).await;
    let oauth = OAuth2::refresh_token(servers.token_url(), "c", "rt0")
        .initial_tokens(TokenSet::new("at0").with_expires_in(Duration::ZERO));
    let client = client_builder(servers.api.url())
        .auth(oauth)
        .max_in_flight(64)
        .build()
        .expect("client");
    let me = MeClient::new(client);
    let calls: Vec<_> = (0..1000)
        .map(|_| {
            let me = me.clone();
            tokio::spawn(async move { me.me().await })
        })
        .collect();
    for call in calls {
        call.await.expect("task").expect("call succeeded");
    }
    assert_eq!(servers.token_requests(), 1);
    assert_eq!(servers.api.request_count(), 1000);
    assert!(
        servers
            .api
            .requests()
            .iter()
            .all(|r| r.header("authorization") == Some("Bearer at1")),
        "the expired token was sent"
    );
}

#[tokio::test]
async fn rotated_refresh_tokens_reach_the_hook_before_any_request_uses_them() {
    let servers = Servers::start(Some(1), Duration::ZERO).await;
    let hook_log = servers.log.clone();
    let oauth = OAuth2::refresh_token(servers.token_url(), "c", "rt0")
        .skew(Duration::ZERO)
        .on_refresh(move |t| {
            hook_log.push(format!(
                "hook {} {}",
                t.access_token(),
                t.refresh_token().unwrap_or("-")
            ))
        });
    let me = MeClient::new(servers.client(oauth));
    me.me().await.expect("ok");
    tokio::time::sleep(Duration::from_millis(1100)).await;
    me.me().await.expect("ok");
    assert_eq!(
        servers.log.lines(),
        [
            "token refresh_token rt0",
            "hook at1 rt1",
            "api Bearer at1",
            "token refresh_token rt1",
            "hook at2 rt2",
            "api Bearer at2",
        ]
    );
}

#[tokio::test]
async fn a_401_refreshes_once_and_sends_again() {
    let servers = Servers::start(None, Duration::ZERO).await;
    let oauth = OAuth2::refresh_token(servers.token_url(), "c", "rt0")
        .initial_tokens(TokenSet::new("revoked"));
    let body = MeClient::new(servers.client(oauth)).me().await.expect("ok");
    assert_eq!(body, json!({"ok": true}));
    assert_eq!(
        servers.log.lines(),
        [
            "api Bearer revoked",
            "token refresh_token rt0",
            "api Bearer at1"
        ]
    );
}

#[tokio::test]
async fn a_second_401_is_unauthorized() {
    let servers = Servers::start(None, Duration::ZERO).await;
    let api = TestServer::fixed(401, json!({"message": "no access"})).await;
    let client = client_builder(api.url())
        .auth(OAuth2::refresh_token(servers.token_url(), "c", "rt0"))
        .retry(RetryPolicy::default())
        .build()
        .expect("client");
    let err = MeClient::new(client).me().await.expect_err("401");
    let Error::Unauthorized(api_error) = &err else {
        panic!("expected Error::Unauthorized, got {err:?}");
    };
    assert_eq!(api_error.message(), "no access");
    assert_eq!(api.request_count(), 2, "sent, refreshed, sent once more");
    assert_eq!(servers.token_requests(), 2, "first token, one refresh");
}

#[tokio::test]
async fn invalid_grant_is_an_auth_error_and_is_not_retried() {
    let token = TestServer::fixed(
        400,
        json!({"error": "invalid_grant", "error_description": "refresh token expired"}),
    )
    .await;
    let api = echo().await;
    let client = client_builder(api.url())
        .auth(OAuth2::refresh_token(
            format!("{}/token", token.url()),
            "c",
            "rt0",
        ))
        .retry(RetryPolicy::default())
        .build()
        .expect("client");
    let err = MeClient::new(client).me().await.expect_err("refresh fails");
    let Error::Auth(auth) = &err else {
        panic!("expected Error::Auth, got {err:?}");
    };
    assert_eq!(auth.error(), Some("invalid_grant"));
    assert_eq!(auth.error_description(), Some("refresh token expired"));
    assert_eq!(auth.status().map(|s| s.as_u16()), Some(400));
    assert!(err.to_string().contains("invalid_grant"), "{err}");
    assert_eq!(token.request_count(), 1, "invalid_grant is final");
    assert_eq!(api.request_count(), 0);
}

#[tokio::test(start_paused = true)]
async fn a_token_endpoint_5xx_is_retried_under_the_retry_policy() {
    let answered = Arc::new(AtomicUsize::new(0));
    let count = answered.clone();
    let token = TestServer::start(move |_| {
        let n = count.fetch_add(1, Ordering::SeqCst);
        async move {
            if n < 2 {
                Reply::text(503, "<html>maintenance</html>")
            } else {
                Reply::json(200, &json!({"access_token": "at", "token_type": "Bearer"}))
            }
        }
    })
    .await;
    let api = echo().await;
    let client = client_builder(api.url())
        .auth(OAuth2::client_credentials(
            format!("{}/token", token.url()),
            "c",
            "s",
        ))
        .retry(RetryPolicy::default())
        .build()
        .expect("client");
    MeClient::new(client)
        .me()
        .await
        .expect("third token request works");
    assert_eq!(token.request_count(), 3);
    assert_eq!(api.request_count(), 1);
    assert_eq!(api.last().header("authorization"), Some("Bearer at"));
}

#[tokio::test]
async fn garbage_from_the_token_endpoint_is_an_auth_error() {
    let token = TestServer::start(|_| async { Reply::text(200, "<html>login page</html>") }).await;
    let api = echo().await;
    let client = client_builder(api.url())
        .auth(OAuth2::client_credentials(
            format!("{}/t", token.url()),
            "c",
            "s",
        ))
        .build()
        .expect("client");
    let err = MeClient::new(client).me().await.expect_err("garbage");
    assert!(
        matches!(&err, Error::Auth(a) if a.status().map(|s| s.as_u16()) == Some(200)),
        "{err:?}"
    );
    assert_eq!(api.request_count(), 0);
}

// ---- shared token requests (issue 12) ----------------------------------------

#[tokio::test]
async fn a_refresh_is_not_bound_to_the_deadline_of_the_call_that_started_it() {
    let servers = Servers::start(Some(3600), Duration::from_millis(400)).await;
    let me = MeClient::new(servers.client(OAuth2::refresh_token(servers.token_url(), "c", "rt0")));
    let hurried = me.with_options(CallOptions::new().timeout(Duration::from_millis(150)));
    let a = hurried.me();
    let b = async {
        tokio::time::sleep(Duration::from_millis(30)).await;
        me.me().await
    };
    let (a, b) = tokio::join!(a, b);
    let err = a.expect_err("A's deadline passes during the token request");
    assert!(
        matches!(err, Error::Timeout(_)),
        "A gets its own timeout: {err:?}"
    );
    assert_eq!(b.expect("B gets the token"), json!({"ok": true}));
    assert_eq!(servers.token_requests(), 1);
    assert_eq!(
        servers.log.lines(),
        ["token refresh_token rt0", "api Bearer at1"]
    );
}

#[tokio::test]
async fn a_rotated_refresh_token_is_not_lost_when_its_caller_gives_up() {
    let servers = Servers::start(Some(3600), Duration::from_millis(300)).await;
    let hook_log = servers.log.clone();
    let oauth = OAuth2::refresh_token(servers.token_url(), "c", "rt0")
        .on_refresh(move |t| hook_log.push(format!("hook {}", t.refresh_token().unwrap_or("-"))));
    let me = MeClient::new(servers.client(oauth));
    let err = me
        .with_options(CallOptions::new().timeout(Duration::from_millis(100)))
        .me()
        .await
        .expect_err("gives up before the token arrives");
    assert!(matches!(err, Error::Timeout(_)), "{err:?}");
    tokio::time::sleep(Duration::from_millis(400)).await;
    me.me().await.expect("the token got meanwhile works");
    assert_eq!(
        servers.log.lines(),
        ["token refresh_token rt0", "hook rt1", "api Bearer at1"],
        "one token request; its rotated refresh token reached the hook"
    );
}

#[tokio::test(start_paused = true)]
async fn a_failed_refresh_falls_back_to_the_token_until_it_expires() {
    let answered = Arc::new(AtomicUsize::new(0));
    let count = answered.clone();
    let token = TestServer::start(move |_| {
        let n = count.fetch_add(1, Ordering::SeqCst);
        async move {
            if n == 0 {
                Reply::json(200, &json!({"access_token": "at1", "expires_in": 4}))
            } else {
                Reply::text(503, "<html>maintenance</html>")
            }
        }
    })
    .await;
    let api = echo().await;
    let client = client_builder(api.url())
        .auth(OAuth2::client_credentials(
            format!("{}/token", token.url()),
            "c",
            "s",
        ))
        .retry(RetryPolicy::never())
        .build()
        .expect("client");
    let me = MeClient::new(client);
    me.me().await.expect("first token");
    // The refresh is due at 2 s (half the lifetime: the 30 s skew is
    // capped); the token endpoint is down, the token still valid.
    tokio::time::advance(Duration::from_millis(2100)).await;
    me.me().await.expect("the still-valid token is used");
    assert_eq!(token.request_count(), 2, "the refresh was tried");
    tokio::time::advance(Duration::from_millis(300)).await;
    me.me().await.expect("still valid, backing off");
    assert_eq!(token.request_count(), 2, "no refresh during the backoff");
    assert_eq!(api.request_count(), 3);
    assert!(
        api.requests()
            .iter()
            .all(|r| r.header("authorization") == Some("Bearer at1"))
    );
    tokio::time::advance(Duration::from_secs(2)).await;
    let err = me.me().await.expect_err("expired, and no new token");
    let Error::Auth(auth) = &err else {
        panic!("expected Error::Auth, got {err:?}");
    };
    assert_eq!(auth.status().map(|s| s.as_u16()), Some(503));
    assert_eq!(api.request_count(), 3, "the expired token was not sent");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_token_that_expires_at_once_is_requested_once_for_concurrent_calls() {
    let servers = Servers::start(Some(0), Duration::from_millis(300)).await;
    let me = MeClient::new(servers.client(OAuth2::refresh_token(servers.token_url(), "c", "rt0")));
    let calls: Vec<_> = (0..20)
        .map(|_| {
            let me = me.clone();
            tokio::spawn(async move { me.me().await })
        })
        .collect();
    for call in calls {
        call.await.expect("task").expect("call succeeded");
    }
    assert_eq!(servers.token_requests(), 1, "{:?}", servers.log.lines());
    assert_eq!(servers.api.request_count(), 20);
    assert!(
        servers
            .api
            .requests()
            .iter()
            .all(|r| r.header("authorization") == Some("Bearer at1")),
        "{:?}",
        servers.log.lines()
    );
}

/// A token endpoint that accepts the request and never answers.
async fn silent_token_server() -> TestServer {
    TestServer::start(|_| std::future::pending::<Reply>()).await
}

#[tokio::test(start_paused = true)]
async fn a_token_endpoint_that_never_answers_fails_after_the_default_timeout() {
    let token = silent_token_server().await;
    let api = echo().await;
    let client = client_builder(api.url())
        .auth(OAuth2::client_credentials(
            format!("{}/token", token.url()),
            "c",
            "s",
        ))
        .retry(RetryPolicy::never())
        .build()
        .expect("client");
    let started = tokio::time::Instant::now();
    let result = tokio::time::timeout(Duration::from_secs(3600), MeClient::new(client).me()).await;
    let err = result
        .expect("the call does not hang")
        .expect_err("times out");
    assert!(started.elapsed() >= restrait::auth::DEFAULT_TOKEN_TIMEOUT);
    let Error::Auth(auth) = &err else {
        panic!("expected Error::Auth, got {err:?}");
    };
    let mut causes = Vec::new();
    let mut source = std::error::Error::source(auth);
    while let Some(inner) = source {
        causes.push(inner.to_string());
        source = inner.source();
    }
    assert!(
        causes.iter().any(|c| c.contains("timed out after 30.000s")),
        "{err:?}"
    );
    assert_eq!(api.request_count(), 0);
}

#[tokio::test]
async fn the_token_timeout_can_be_set() {
    let token = silent_token_server().await;
    let api = echo().await;
    let client = client_builder(api.url())
        .auth(
            OAuth2::client_credentials(format!("{}/token", token.url()), "c", "s")
                .token_timeout(Duration::from_millis(200)),
        )
        .retry(RetryPolicy::never())
        .build()
        .expect("client");
    let started = std::time::Instant::now();
    let err = MeClient::new(client).me().await.expect_err("times out");
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
    assert!(matches!(err, Error::Auth(_)), "{err:?}");
    assert!(err.to_string().contains("token request"), "{err}");
    assert_eq!(token.request_count(), 1, "the request reached the server");
}
