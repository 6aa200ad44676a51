//! Unit tests of the auth middleware against `MockTransport`, with paused
//! time. `refresh` holds those of shared token requests: deadlines,
//! cancellation, failed refreshes and timeouts.

mod redaction;
mod refresh;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use http::{Method, StatusCode};

use super::*;
use crate::error::{Error, TransportError};
use crate::testing::{MockResponse, MockTransport};
use crate::transport::{Transport, TransportResponse};
use crate::{Client, OAuth2};

const TOKEN_URL: &str = "https://auth.test/oauth/token";

fn get(path: &str) -> Request {
    let url = format!("https://api.test{path}").parse().expect("url");
    Request::new(Method::GET, url)
}

fn header(request: &Request, name: &str) -> Option<String> {
    request
        .headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

fn form(request: &Request) -> Vec<(String, String)> {
    let body = request.body().as_bytes().cloned().unwrap_or_default();
    form_urlencoded::parse(&body).into_owned().collect()
}

fn field(request: &Request, name: &str) -> Option<String> {
    form(request)
        .into_iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v)
}

/// A transport that waits before answering, so that concurrent calls
/// really overlap.
#[derive(Debug)]
struct Slow(MockTransport, Duration);

impl Transport for Slow {
    fn send(
        &self,
        request: Request,
    ) -> BoxFuture<'_, std::result::Result<TransportResponse, TransportError>> {
        Box::pin(async move {
            tokio::time::sleep(self.1).await;
            self.0.send(request).await
        })
    }
}

/// A token endpoint that counts its requests and issues `at1`, `at2`, ...
/// with `rt1`, `rt2`, ... lasting `expires_in` seconds; the API accepts
/// only the newest access token.
#[derive(Clone, Default)]
struct Fake {
    token_requests: Arc<AtomicUsize>,
    api_requests: Arc<AtomicUsize>,
    log: Arc<Mutex<Vec<String>>>,
}

impl Fake {
    fn transport(&self, expires_in: Option<u64>) -> MockTransport {
        let fake = self.clone();
        MockTransport::from_fn(move |request| {
            if request.url().host_str() == Some("auth.test") {
                let n = fake.token_requests.fetch_add(1, Ordering::SeqCst) + 1;
                let mut body = serde_json::json!({
                    "access_token": format!("at{n}"),
                    "token_type": "Bearer",
                    "refresh_token": format!("rt{n}"),
                });
                if let Some(secs) = expires_in {
                    body["expires_in"] = secs.into();
                }
                return MockResponse::json(200, &body);
            }
            fake.api_requests.fetch_add(1, Ordering::SeqCst);
            let auth = header(request, "authorization").unwrap_or_default();
            fake.log_line(format!("used {auth}"));
            let newest = format!("Bearer at{}", fake.token_requests.load(Ordering::SeqCst));
            if auth == newest {
                MockResponse::json(200, &serde_json::json!({"ok": true}))
            } else {
                MockResponse::new(401)
            }
        })
    }

    fn log_line(&self, line: String) {
        self.log.lock().expect("log").push(line);
    }

    fn tokens(&self) -> usize {
        self.token_requests.load(Ordering::SeqCst)
    }
}

fn client(transport: impl Transport, auth: impl Auth) -> Client {
    Client::builder("https://api.test")
        .transport(transport)
        .auth(auth)
        .build()
        .expect("client")
}

#[tokio::test]
async fn static_credentials_are_sent_as_configured() {
    let mock = MockTransport::new();
    let cases: Vec<(crate::ClientBuilder, &str)> = vec![
        (
            Client::builder("https://api.test").bearer_token("sk_1"),
            "bearer",
        ),
        (
            Client::builder("https://api.test").api_key("X-Api-Key", "k_1"),
            "header",
        ),
        (
            Client::builder("https://api.test").api_key_query("api_key", "k 1&"),
            "query",
        ),
        (
            Client::builder("https://api.test").basic_auth("alice", "pw:1"),
            "basic",
        ),
    ];
    for (builder, _) in cases {
        let client = builder.transport(mock.clone()).build().expect("client");
        let mut request = get("/x");
        request.url_mut().set_query(Some("page=2"));
        client.execute(request).await.expect("sent");
    }
    let sent = mock.requests();
    assert_eq!(
        header(&sent[0], "authorization").as_deref(),
        Some("Bearer sk_1")
    );
    assert!(sent[0].headers()["authorization"].is_sensitive());
    assert_eq!(header(&sent[1], "x-api-key").as_deref(), Some("k_1"));
    assert_eq!(sent[2].url().query(), Some("page=2&api_key=k+1%26"));
    assert_eq!(
        header(&sent[3], "authorization").as_deref(),
        Some("Basic YWxpY2U6cHc6MQ==")
    );
}

#[tokio::test]
async fn a_query_key_is_not_added_twice_on_a_resend() {
    struct Once(ApiKey, AtomicUsize);
    impl Auth for Once {
        fn authorize<'a>(&'a self, r: &'a mut Request, n: Next<'a>) -> BoxFuture<'a, Result<()>> {
            self.0.authorize(r, n)
        }
        fn on_unauthorized<'a>(
            &'a self,
            _: &'a Request,
            _: &'a Response,
            _: Next<'a>,
        ) -> BoxFuture<'a, Result<bool>> {
            let first = self.1.fetch_add(1, Ordering::SeqCst) == 0;
            Box::pin(std::future::ready(Ok(first)))
        }
    }
    let mock = MockTransport::new().route(Method::GET, "/x", MockResponse::new(401));
    let client = client(
        mock.clone(),
        Once(ApiKey::query("key", "k"), AtomicUsize::new(0)),
    );
    let response = client.execute(get("/x")).await.expect("sent");
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    let sent = mock.requests();
    assert_eq!(sent.len(), 2);
    assert_eq!(sent[1].url().query(), Some("key=k"));
}

#[tokio::test]
async fn invalid_static_credentials_fail_build_without_the_secret() {
    for builder in [
        Client::builder("https://api.test").bearer_token("bad\nsecret_1"),
        Client::builder("https://api.test").api_key("bad header", "secret_1"),
        Client::builder("https://api.test").api_key("x-key", "secret_1\r\n"),
        Client::builder("https://api.test").basic_auth("a:b", "secret_1"),
    ] {
        let err = builder.build().expect_err("invalid");
        assert!(matches!(err, Error::Config(_)), "{err:?}");
        assert!(!format!("{err} {err:?}").contains("secret_1"), "{err}");
    }
}

#[tokio::test(start_paused = true)]
async fn refresh_token_grant_follows_rfc_6749() {
    let fake = Fake::default();
    let mock = fake.transport(Some(3600));
    let oauth = OAuth2::refresh_token(TOKEN_URL, "my app", "rt0")
        .client_secret("s&cret")
        .scope("read write");
    let client = client(mock.clone(), oauth);
    for _ in 0..3 {
        let r = client.execute(get("/me")).await.expect("ok");
        assert_eq!(r.status(), 200);
    }
    assert_eq!(fake.tokens(), 1);
    let token_request = &mock.requests()[0];
    assert_eq!(token_request.method(), Method::POST);
    assert_eq!(
        header(token_request, "content-type").as_deref(),
        Some("application/x-www-form-urlencoded")
    );
    assert_eq!(
        header(token_request, "accept").as_deref(),
        Some("application/json")
    );
    // RFC 6749 2.3.1: form-encode id and secret, then Basic.
    assert_eq!(
        header(token_request, "authorization"),
        Some(crate::auth::secret::basic_value("my+app", "s%26cret"))
    );
    assert_eq!(
        form(token_request),
        vec![
            ("grant_type".to_owned(), "refresh_token".to_owned()),
            ("refresh_token".to_owned(), "rt0".to_owned()),
            ("scope".to_owned(), "read write".to_owned()),
        ]
    );
    assert!(header(token_request, "user-agent").is_some_and(|ua| ua.starts_with("restrait/")));
}

#[tokio::test(start_paused = true)]
async fn client_credentials_in_the_body() {
    let fake = Fake::default();
    let mock = fake.transport(None);
    let oauth = OAuth2::client_credentials(TOKEN_URL, "cid", "csecret")
        .client_auth(ClientAuth::RequestBody)
        .param("audience", "https://api.test");
    let client = client(mock.clone(), oauth);
    client.execute(get("/me")).await.expect("ok");
    let token_request = &mock.requests()[0];
    assert_eq!(header(token_request, "authorization"), None);
    assert_eq!(
        field(token_request, "grant_type").as_deref(),
        Some("client_credentials")
    );
    assert_eq!(field(token_request, "client_id").as_deref(), Some("cid"));
    assert_eq!(
        field(token_request, "client_secret").as_deref(),
        Some("csecret")
    );
    assert_eq!(
        field(token_request, "audience").as_deref(),
        Some("https://api.test")
    );
    assert_eq!(field(token_request, "refresh_token"), None);
}

#[tokio::test(start_paused = true)]
async fn a_public_client_sends_its_id_in_the_body() {
    let fake = Fake::default();
    let mock = fake.transport(None);
    let client = client(mock.clone(), OAuth2::refresh_token(TOKEN_URL, "pub", "rt0"));
    client.execute(get("/me")).await.expect("ok");
    let token_request = &mock.requests()[0];
    assert_eq!(header(token_request, "authorization"), None);
    assert_eq!(field(token_request, "client_id").as_deref(), Some("pub"));
}

#[tokio::test(start_paused = true)]
async fn refreshes_skew_before_expiry_and_never_sends_an_expired_token() {
    let fake = Fake::default();
    let client = client(
        fake.transport(Some(3600)),
        OAuth2::refresh_token(TOKEN_URL, "c", "rt0"),
    );
    client.execute(get("/me")).await.expect("ok");
    assert_eq!(fake.tokens(), 1);
    tokio::time::advance(Duration::from_secs(3600 - 31)).await;
    client.execute(get("/me")).await.expect("ok");
    assert_eq!(
        fake.tokens(),
        1,
        "29 s before expiry + 30 s skew: still fresh"
    );
    tokio::time::advance(Duration::from_secs(2)).await;
    client.execute(get("/me")).await.expect("ok");
    assert_eq!(
        fake.tokens(),
        2,
        "inside the skew: refreshed before sending"
    );
    let log = fake.log.lock().expect("log").clone();
    assert_eq!(log.last().map(String::as_str), Some("used Bearer at2"));
}

#[tokio::test(start_paused = true)]
async fn skew_is_configurable_and_capped_at_half_the_lifetime() {
    let fake = Fake::default();
    let oauth = OAuth2::refresh_token(TOKEN_URL, "c", "rt0").skew(Duration::from_secs(300));
    let client = client(fake.transport(Some(100)), oauth);
    client.execute(get("/me")).await.expect("ok");
    tokio::time::advance(Duration::from_secs(49)).await;
    client.execute(get("/me")).await.expect("ok");
    assert_eq!(fake.tokens(), 1);
    tokio::time::advance(Duration::from_secs(2)).await;
    client.execute(get("/me")).await.expect("ok");
    assert_eq!(fake.tokens(), 2);
}

#[tokio::test(start_paused = true)]
async fn without_expires_in_a_token_lasts_until_a_401() {
    let fake = Fake::default();
    let oauth = Arc::new(OAuth2::refresh_token(TOKEN_URL, "c", "rt0"));
    let client = client(fake.transport(None), oauth.clone());
    client.execute(get("/me")).await.expect("ok");
    tokio::time::advance(Duration::from_secs(365 * 24 * 3600)).await;
    client.execute(get("/me")).await.expect("ok");
    assert_eq!(fake.tokens(), 1);
    assert_eq!(oauth.tokens().map(|t| t.expires_in()), Some(None));
}

#[tokio::test(start_paused = true)]
async fn a_401_refreshes_once_and_resends_once() {
    let fake = Fake::default();
    let oauth =
        OAuth2::refresh_token(TOKEN_URL, "c", "rt0").initial_tokens(TokenSet::new("revoked"));
    let client = client(fake.transport(None), oauth);
    let response = client.execute(get("/me")).await.expect("ok");
    assert_eq!(response.status(), 200);
    assert_eq!(fake.tokens(), 1);
    let log = fake.log.lock().expect("log").clone();
    assert_eq!(log, ["used Bearer revoked", "used Bearer at1"]);
}

#[tokio::test(start_paused = true)]
async fn a_401_gets_a_client_credentials_flow_a_new_token_without_any_refresh_token() {
    // The token endpoint issues no refresh token: the client-credentials
    // grant needs none to ask again.
    let mock = MockTransport::from_fn(|request| {
        if request.url().host_str() == Some("auth.test") {
            MockResponse::json(
                200,
                &serde_json::json!({"access_token": "at1", "token_type": "Bearer"}),
            )
        } else if header(request, "authorization").as_deref() == Some("Bearer at1") {
            MockResponse::json(200, &serde_json::json!({"ok": true}))
        } else {
            MockResponse::new(401)
        }
    });
    let oauth =
        OAuth2::client_credentials(TOKEN_URL, "c", "s").initial_tokens(TokenSet::new("revoked"));
    let client = client(mock.clone(), oauth);
    let response = client.execute(get("/me")).await.expect("a response");
    assert_eq!(response.status(), 200);
    let sent: Vec<_> = mock
        .requests()
        .iter()
        .map(|r| header(r, "authorization"))
        .collect();
    assert_eq!(sent.len(), 3, "the call, the token request, the resend");
    assert_eq!(sent[0].as_deref(), Some("Bearer revoked"));
    assert_eq!(sent[2].as_deref(), Some("Bearer at1"));
}

#[tokio::test(start_paused = true)]
async fn a_second_401_goes_back_to_the_caller() {
    let tokens = Arc::new(AtomicUsize::new(0));
    let counted = tokens.clone();
    let mock = MockTransport::from_fn(move |request| {
        if request.url().host_str() == Some("auth.test") {
            counted.fetch_add(1, Ordering::SeqCst);
            MockResponse::json(
                200,
                &serde_json::json!({"access_token": "at", "token_type": "Bearer"}),
            )
        } else {
            MockResponse::json(401, &serde_json::json!({"error": "invalid_token"}))
        }
    });
    let client = client(mock.clone(), OAuth2::refresh_token(TOKEN_URL, "c", "rt0"));
    let response = client.execute(get("/me")).await.expect("a response");
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    let err = response.error_for_status().expect_err("401");
    assert!(matches!(err, Error::Unauthorized(_)), "{err:?}");
    // One token for the first attempt, one refresh after its 401, no more.
    assert_eq!(tokens.load(Ordering::SeqCst), 2);
    assert_eq!(mock.requests().len(), 4);
}

#[tokio::test(start_paused = true)]
async fn a_401_for_a_token_already_replaced_does_not_refresh_again() {
    // Two calls go out with `at1`; the API has moved on to `at2` (revoked
    // at1). Both get 401: the first refreshes, the second sees the token
    // its request carried is no longer current and just re-sends.
    let fake = Fake::default();
    let oauth = OAuth2::refresh_token(TOKEN_URL, "c", "rt0").initial_tokens(TokenSet::new("old"));
    let client = client(Slow(fake.transport(None), Duration::from_millis(10)), oauth);
    let (a, b) = tokio::join!(client.execute(get("/a")), client.execute(get("/b")));
    assert_eq!(a.expect("a").status(), 200);
    assert_eq!(b.expect("b").status(), 200);
    assert_eq!(fake.tokens(), 1);
}

#[tokio::test(start_paused = true)]
async fn many_calls_with_an_expired_token_make_one_token_request() {
    let fake = Fake::default();
    let oauth = OAuth2::refresh_token(TOKEN_URL, "c", "rt0")
        .initial_tokens(TokenSet::new("stale").with_expires_in(Duration::ZERO));
    let client = client(
        Slow(fake.transport(Some(3600)), Duration::from_millis(50)),
        oauth,
    );
    let calls = (0..200).map(|i| client.execute(get(&format!("/n/{i}"))));
    for result in futures::future::join_all(calls).await {
        assert_eq!(result.expect("ok").status(), 200);
    }
    assert_eq!(fake.tokens(), 1);
    let log = fake.log.lock().expect("log").clone();
    assert!(
        log.iter().all(|l| l == "used Bearer at1"),
        "the stale token was sent"
    );
}

#[tokio::test(start_paused = true)]
async fn a_failed_refresh_is_shared_by_the_callers_that_waited() {
    let tokens = Arc::new(AtomicUsize::new(0));
    let counted = tokens.clone();
    let mock = MockTransport::from_fn(move |request| {
        if request.url().host_str() == Some("auth.test") {
            counted.fetch_add(1, Ordering::SeqCst);
            MockResponse::json(
                400,
                &serde_json::json!({"error": "invalid_grant", "error_description": "refresh token rt0 revoked"}),
            )
        } else {
            MockResponse::new(200)
        }
    });
    let client = client(
        Slow(mock, Duration::from_millis(50)),
        OAuth2::refresh_token(TOKEN_URL, "c", "rt0"),
    );
    let calls = (0..50).map(|_| client.execute(get("/me")));
    for result in futures::future::join_all(calls).await {
        let err = result.expect_err("refresh failed");
        let Error::Auth(auth) = &err else {
            panic!("expected Error::Auth, got {err:?}");
        };
        assert_eq!(auth.error(), Some("invalid_grant"));
        assert_eq!(auth.status(), Some(StatusCode::BAD_REQUEST));
    }
    assert_eq!(tokens.load(Ordering::SeqCst), 1);
    // A later call tries again.
    let _ = client.execute(get("/me")).await;
    assert_eq!(tokens.load(Ordering::SeqCst), 2);
}

#[tokio::test(start_paused = true)]
async fn token_endpoint_failures_keep_status_and_cause() {
    let cases = [
        (
            MockResponse::text(503, "<html>down</html>"),
            Some(503),
            None,
            false,
        ),
        (
            MockResponse::json(200, &serde_json::json!({"nope": 1})),
            Some(200),
            None,
            false,
        ),
        (
            MockResponse::json(401, &serde_json::json!({"error": "invalid_client"})),
            Some(401),
            Some("invalid_client"),
            false,
        ),
        (MockResponse::connect_error(), None, None, true),
    ];
    for (answer, status, code, transport) in cases {
        let mock = MockTransport::new().route(Method::POST, "/oauth/token", answer);
        let client = client(mock, OAuth2::client_credentials(TOKEN_URL, "c", "s"));
        let err = client.execute(get("/me")).await.expect_err("failed");
        let Error::Auth(auth) = &err else {
            panic!("expected Error::Auth, got {err:?}");
        };
        assert_eq!(auth.status().map(|s| s.as_u16()), status, "{err}");
        assert_eq!(auth.error(), code, "{err}");
        if status == Some(503) {
            let text = err.to_string();
            assert!(
                text.contains("the token endpoint answered 503 Service Unavailable"),
                "{text}"
            );
        }
        let source = auth.source.as_deref();
        assert_eq!(
            matches!(source, Some(Error::Transport(_))),
            transport,
            "{err:?}"
        );
    }
}

#[tokio::test]
async fn an_invalid_token_url_fails_build() {
    let err = Client::builder("https://api.test")
        .auth(OAuth2::client_credentials("not a url", "c", "s"))
        .build()
        .expect_err("invalid");
    assert!(matches!(err, Error::Config(_)), "{err:?}");
    assert!(err.to_string().contains("token URL"), "{err}");
}

#[tokio::test(start_paused = true)]
async fn rotated_refresh_tokens_reach_the_hook_before_use() {
    let fake = Fake::default();
    let hook_log = fake.clone();
    let oauth = OAuth2::refresh_token(TOKEN_URL, "c", "rt0").on_refresh(move |tokens| {
        hook_log.log_line(format!(
            "saved {} {}",
            tokens.access_token(),
            tokens.refresh_token().unwrap_or("-")
        ));
    });
    let oauth = Arc::new(oauth);
    let mock = fake.transport(Some(60));
    let client = client(mock.clone(), oauth.clone());
    client.execute(get("/me")).await.expect("ok");
    tokio::time::advance(Duration::from_secs(60)).await;
    client.execute(get("/me")).await.expect("ok");
    let log = fake.log.lock().expect("log").clone();
    assert_eq!(
        log,
        [
            "saved at1 rt1",
            "used Bearer at1",
            "saved at2 rt2",
            "used Bearer at2"
        ]
    );
    let refreshes: Vec<_> = mock
        .requests()
        .iter()
        .filter_map(|r| field(r, "refresh_token"))
        .collect();
    assert_eq!(refreshes, ["rt0", "rt1"], "the rotated token is used next");
    assert_eq!(
        oauth
            .tokens()
            .and_then(|t| t.refresh_token().map(str::to_owned))
            .as_deref(),
        Some("rt2")
    );
}

#[tokio::test(start_paused = true)]
async fn a_refresh_without_a_new_refresh_token_keeps_the_old_one() {
    let mock = MockTransport::new().route(
        Method::POST,
        "/oauth/token",
        MockResponse::json(
            200,
            &serde_json::json!({"access_token": "at", "expires_in": 60}),
        ),
    );
    let saved = Arc::new(Mutex::new(Vec::new()));
    let seen = saved.clone();
    let oauth = OAuth2::refresh_token(TOKEN_URL, "c", "rt0").on_refresh(move |t| {
        seen.lock()
            .expect("seen")
            .push(t.refresh_token().map(str::to_owned));
    });
    let client = client(mock.clone(), oauth);
    client.execute(get("/me")).await.expect("ok");
    tokio::time::advance(Duration::from_secs(60)).await;
    client.execute(get("/me")).await.expect("ok");
    let refreshes: Vec<_> = mock
        .requests()
        .iter()
        .filter_map(|r| field(r, "refresh_token"))
        .collect();
    assert_eq!(refreshes, ["rt0", "rt0"]);
    assert_eq!(
        *saved.lock().expect("saved"),
        [Some("rt0".to_owned()), Some("rt0".to_owned())]
    );
}

/// A store that records saves and can be told to fail.
#[derive(Clone, Default)]
struct TestStore {
    initial: Option<TokenSet>,
    saved: Arc<Mutex<Vec<String>>>,
    fail: Arc<std::sync::atomic::AtomicBool>,
    /// Saves wait for `release` while this is set.
    hang: Arc<std::sync::atomic::AtomicBool>,
    release: Arc<tokio::sync::Notify>,
}

impl TokenStore for TestStore {
    fn load(&self) -> BoxFuture<'_, std::result::Result<Option<TokenSet>, StoreError>> {
        Box::pin(std::future::ready(Ok(self.initial.clone())))
    }
    fn save<'a>(
        &'a self,
        tokens: &'a TokenSet,
    ) -> BoxFuture<'a, std::result::Result<(), StoreError>> {
        Box::pin(async move {
            if self.hang.load(Ordering::SeqCst) {
                self.release.notified().await;
            }
            if self.fail.load(Ordering::SeqCst) {
                Err("disk full".into())
            } else {
                self.saved
                    .lock()
                    .expect("saved")
                    .push(tokens.refresh_token().unwrap_or("-").to_owned());
                Ok(())
            }
        })
    }
}

#[tokio::test(start_paused = true)]
async fn a_store_supplies_the_first_tokens() {
    let fake = Fake::default();
    fake.token_requests.store(7, Ordering::SeqCst);
    let store = TestStore {
        initial: Some(
            TokenSet::new("at7")
                .with_refresh_token("rt7")
                .with_expires_in(Duration::from_secs(600)),
        ),
        ..TestStore::default()
    };
    let mock = fake.transport(Some(600));
    let client = client(
        mock.clone(),
        OAuth2::from_store(TOKEN_URL, "c", store.clone()),
    );
    client.execute(get("/me")).await.expect("ok");
    assert_eq!(
        fake.tokens(),
        7,
        "no token request: the stored token is fresh"
    );
    tokio::time::advance(Duration::from_secs(600)).await;
    client.execute(get("/me")).await.expect("ok");
    assert_eq!(
        field(&mock.requests()[1], "refresh_token").as_deref(),
        Some("rt7")
    );
    assert_eq!(*store.saved.lock().expect("saved"), ["rt8"]);
}

#[tokio::test(start_paused = true)]
async fn an_empty_store_is_an_auth_error() {
    let client = client(
        MockTransport::new(),
        OAuth2::from_store(TOKEN_URL, "c", TestStore::default()),
    );
    let err = client.execute(get("/me")).await.expect_err("no tokens");
    assert!(matches!(err, Error::Auth(_)), "{err:?}");
}

#[tokio::test(start_paused = true)]
async fn a_failed_save_keeps_the_tokens_and_is_retried_before_use() {
    let fake = Fake::default();
    let store = TestStore::default();
    store.fail.store(true, Ordering::SeqCst);
    let oauth = OAuth2::refresh_token(TOKEN_URL, "c", "rt0").store(store.clone());
    let client = client(fake.transport(None), oauth);
    let err = client.execute(get("/me")).await.expect_err("save failed");
    assert!(err.to_string().contains("disk full"), "{err}");
    assert_eq!(
        fake.api_requests.load(Ordering::SeqCst),
        0,
        "unsaved token was used"
    );
    let err = client.execute(get("/me")).await.expect_err("still failing");
    assert!(matches!(err, Error::Auth(_)));
    store.fail.store(false, Ordering::SeqCst);
    client.execute(get("/me")).await.expect("saved now");
    assert_eq!(
        fake.tokens(),
        1,
        "the rotated token was not lost or re-requested"
    );
    assert_eq!(*store.saved.lock().expect("saved"), ["rt1"]);
}

#[tokio::test(start_paused = true)]
async fn a_call_cancelled_while_saving_loses_no_token() {
    let fake = Fake::default();
    let store = TestStore::default();
    store.hang.store(true, Ordering::SeqCst);
    let oauth = OAuth2::refresh_token(TOKEN_URL, "c", "rt0").store(store.clone());
    let client = client(fake.transport(None), oauth);
    let cancelled = tokio::time::timeout(Duration::from_secs(5), client.execute(get("/me"))).await;
    assert!(
        cancelled.is_err(),
        "the save hangs, so the call times out: {cancelled:?}"
    );
    assert_eq!(fake.api_requests.load(Ordering::SeqCst), 0);
    // The save finishes with nobody waiting for it.
    store.release.notify_one();
    tokio::time::sleep(Duration::from_millis(1)).await;
    assert_eq!(*store.saved.lock().expect("saved"), ["rt1"]);
    client.execute(get("/me")).await.expect("ok");
    assert_eq!(
        fake.tokens(),
        1,
        "the tokens got before the cancel are saved and used"
    );
    assert_eq!(*store.saved.lock().expect("saved"), ["rt1"]);
}

#[tokio::test(start_paused = true)]
async fn secrets_never_show_in_debug_display_or_errors() {
    let secrets = [
        "sk_bearer",
        "k_api",
        "pw_basic",
        "rt_refresh",
        "cs_client",
        "at_access",
        "aud_secret",
    ];
    let oauth = OAuth2::refresh_token(TOKEN_URL, "c", "rt_refresh")
        .client_secret("cs_client")
        .param("client_assertion", "aud_secret")
        .initial_tokens(TokenSet::new("at_access").with_refresh_token("rt_refresh"));
    let mut shown = vec![
        format!("{oauth:?}"),
        format!("{:?}", oauth.tokens()),
        format!("{:?}", BearerToken::new("sk_bearer")),
        format!("{:?}", ApiKey::header("x-api-key", "k_api")),
        format!("{:?}", ApiKey::query("api_key", "k_api")),
        format!("{:?}", BasicAuth::new("u", "pw_basic")),
        format!("{:?}", Secret::new("pw_basic")),
        format!(
            "{:?}",
            OAuth2::client_credentials(TOKEN_URL, "c", "cs_client")
        ),
    ];
    // Requests and errors that carried the credentials.
    let mock = MockTransport::new()
        .route(Method::GET, "/me", MockResponse::new(401))
        .route(
            Method::POST,
            "/oauth/token",
            MockResponse::json(400, &serde_json::json!({"error": "invalid_grant"})),
        );
    let client = client(mock.clone(), oauth);
    shown.push(format!("{client:?}"));
    let err = client.execute(get("/me")).await.expect_err("refresh fails");
    shown.push(format!("{err:?}"));
    shown.push(err.to_string());
    for request in mock.requests() {
        shown.push(format!("{request:?}"));
    }
    for builder in [
        Client::builder("https://api.test").bearer_token("sk_bearer"),
        Client::builder("https://api.test").api_key("x-api-key", "k_api"),
        Client::builder("https://api.test").api_key_query("api_key", "k_api"),
        Client::builder("https://api.test").basic_auth("u", "pw_basic"),
    ] {
        let mock = MockTransport::new().route(Method::GET, "/me", MockResponse::new(401));
        let client = builder.transport(mock.clone()).build().expect("client");
        shown.push(format!("{client:?}"));
        let err = client
            .execute(get("/me"))
            .await
            .expect("401")
            .error_for_status()
            .expect_err("401");
        shown.push(format!("{err:?} {err}"));
        shown.push(format!("{:?}", mock.requests()));
    }
    for text in &shown {
        for secret in secrets {
            assert!(!text.contains(secret), "{secret} in {text}");
        }
    }
}

#[test]
fn debug_shows_the_flow_but_no_secret() {
    let oauth = OAuth2::client_credentials(TOKEN_URL, "app", "cs_client").scope("read");
    let shown = format!("{oauth:?}");
    for part in [
        "OAuth2 { config: Config {",
        r#"grant: "client_credentials""#,
        r#"client_id: "app""#,
        r#"scope: Some("read")"#,
        "store: false",
        "state: TokenState { tokens: None, has_refresh_token: false",
    ] {
        assert!(shown.contains(part), "{part} not in {shown}");
    }
    assert!(!shown.contains("cs_client"), "{shown}");
}

#[test]
fn auth_types_are_send_and_sync() {
    fn assert_send_sync<T: Send + Sync + 'static>() {}
    assert_send_sync::<OAuth2>();
    assert_send_sync::<TokenSet>();
    assert_send_sync::<BearerToken>();
    assert_send_sync::<ApiKey>();
    assert_send_sync::<BasicAuth>();
    assert_send_sync::<Secret>();
}
