//! No secret in any text: every kind of credential (bearer token, API key in
//! a header and in the query, basic auth, OAuth2 refresh token with a client
//! secret) goes through successful and failing calls (401, 500, refused
//! connection, timeout, undecodable body) while a subscriber captures every
//! tracing event of every crate at TRACE; then each error is formatted with
//! `{}` and `{:?}` (with its whole source chain), each client with `{:?}`,
//! as are an OAuth2 handle and the tokens it holds, and a refused refresh
//! with the client secret in the form body; no secret, nor its base64 form,
//! may appear anywhere.
//!
//! One test in this file: it installs the global subscriber, so no sibling
//! test can leave callsites cached as uninteresting.
#![allow(missing_docs)]

mod support;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use restrait::auth::ClientAuth;
use restrait::{
    BoxFuture, Client, Middleware, Next, OAuth2, Request, Response, Result, RetryPolicy, resource,
};
use restrait_tests::client_builder;
use serde_json::{Value, json};
use support::{Recorded, Reply, TestServer};

#[resource]
pub trait Probe {
    #[get("/ok")]
    async fn ok(&self) -> Result<Value>;

    #[get("/unauthorized")]
    async fn unauthorized(&self) -> Result<Value>;

    #[get("/boom")]
    async fn boom(&self) -> Result<Value>;

    #[get("/slow")]
    #[timeout(ms = 300)]
    async fn slow(&self) -> Result<Value>;

    #[get("/garbage")]
    async fn garbage(&self) -> Result<Value>;
}

const BEARER: &str = "sk_bearer_s3cr3t";
const HEADER_KEY: &str = "ak_header_s3cr3t";
const QUERY_KEY: &str = "ak_query_s3cr3t";
const BASIC_PASSWORD: &str = "pw_basic_s3cr3t";
const REFRESH_TOKEN: &str = "rt_first_s3cr3t";
const CLIENT_SECRET: &str = "cs_client_s3cr3t";
const ACCESS_TOKEN: &str = "at_issued_s3cr3t";
const ROTATED_REFRESH: &str = "rt_rotated_s3cr3t";

/// Standard padded base64, as HTTP Basic sends credentials.
fn base64(input: &str) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(input)
}

async fn api_server() -> TestServer {
    TestServer::start(|r: Recorded| async move {
        match r.path() {
            "/ok" => Reply::json(200, &json!({"ok": true})),
            "/unauthorized" => Reply::json(401, &json!({"error": "invalid_token"}))
                .header("www-authenticate", "Bearer error=\"invalid_token\""),
            "/boom" => Reply::json(500, &json!({"message": "boom"})),
            "/slow" => Reply::json(200, &json!({})).after(Duration::from_secs(3)),
            _ => Reply::text(200, "not json"),
        }
    })
    .await
}

async fn token_server() -> TestServer {
    TestServer::start(|_| async {
        Reply::json(
            200,
            &json!({
                "access_token": ACCESS_TOKEN,
                "token_type": "Bearer",
                "expires_in": 3600,
                "refresh_token": ROTATED_REFRESH,
            }),
        )
        .header("cache-control", "no-store")
    })
    .await
}

/// An ordinary logging middleware: it formats every request it sees (auth
/// has added the credentials by then, token requests included).
#[derive(Clone, Default)]
struct DebugLog(Arc<Mutex<Vec<String>>>);

impl Middleware for DebugLog {
    fn handle<'a>(&'a self, request: Request, next: Next<'a>) -> BoxFuture<'a, Result<Response>> {
        if let Ok(mut lines) = self.0.lock() {
            lines.push(format!("{request:?}"));
            lines.push(format!("{request:#?}"));
        }
        next.run(request)
    }
}

fn policy() -> RetryPolicy {
    RetryPolicy::default()
        .max_retries(1)
        .base_delay(Duration::from_millis(1))
        .max_delay(Duration::from_millis(5))
}

/// Every call of [`Probe`], formatted every way; the texts go to `shown`.
async fn exercise(name: &str, client: &Client, shown: &mut Vec<String>) {
    let probe = ProbeClient::new(client.clone());
    probe
        .ok()
        .await
        .unwrap_or_else(|e| panic!("{name}: ok: {e}"));
    let errors = [
        probe.unauthorized().await.map(drop),
        probe.boom().await.map(drop),
        probe.slow().await.map(drop),
        probe.garbage().await.map(drop),
    ];
    for result in errors {
        let err = result.expect_err(name);
        shown.push(format!("{name}: {err}"));
        shown.push(format!("{name}: {err:?}"));
        shown.push(format!("{name}: {err:#?}"));
        let mut source = std::error::Error::source(&err);
        while let Some(inner) = source {
            shown.push(format!("{name}: caused by {inner} / {inner:?}"));
            source = inner.source();
        }
        if let Some(api) = err.api() {
            shown.push(format!("{:?}", api.headers()));
        }
    }
    shown.push(format!("{client:?}"));
    shown.push(format!("{client:#?}"));
    shown.push(format!("{probe:?}"));
}

/// The same auth on a client whose server is gone: a refused connection.
async fn refused(name: &str, client: Client, shown: &mut Vec<String>) {
    let err = ProbeClient::new(client.clone())
        .ok()
        .await
        .expect_err("refused");
    assert!(err.is_connect(), "{name}: {err:?}");
    shown.push(format!("{name}: {err} / {err:?}"));
    let mut source = std::error::Error::source(&err);
    while let Some(inner) = source {
        shown.push(format!("{name}: caused by {inner} / {inner:?}"));
        source = inner.source();
    }
    shown.push(format!("{client:?}"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_secret_of_any_auth_kind_appears_in_traces_errors_or_debug_output() {
    let capture = restrait_tests::LogCapture::install_global(tracing::Level::TRACE)
        .expect("the only subscriber");

    let api = api_server().await;
    let tokens = token_server().await;
    let gone = {
        let server = TestServer::fixed(200, json!({})).await;
        server.url()
    };
    let debug_log = DebugLog::default();
    let build = |base: &str| {
        client_builder(base)
            .middleware(debug_log.clone())
            .retry(policy())
            .attempt_timeout(Duration::from_secs(5))
    };
    let oauth = || {
        OAuth2::refresh_token(
            format!("{}/oauth/token", tokens.url()),
            "client-1",
            REFRESH_TOKEN,
        )
        .client_secret(CLIENT_SECRET)
    };
    type Configure<'a> = Box<dyn Fn(&str) -> Client + 'a>;
    let kinds: Vec<(&str, Configure<'_>)> = vec![
        (
            "bearer",
            Box::new(|base| build(base).bearer_token(BEARER).build().expect("client")),
        ),
        (
            "api key header",
            Box::new(|base| {
                build(base)
                    .api_key("X-Custom-Credential", HEADER_KEY)
                    .build()
                    .expect("client")
            }),
        ),
        (
            // A parameter name that no name-based redaction would catch.
            "api key query",
            Box::new(|base| {
                build(base)
                    .api_key_query("sig", QUERY_KEY)
                    .build()
                    .expect("client")
            }),
        ),
        (
            "basic",
            Box::new(|base| {
                build(base)
                    .basic_auth("alice", BASIC_PASSWORD)
                    .build()
                    .expect("client")
            }),
        ),
        (
            "oauth2 refresh token",
            Box::new(|base| build(base).auth(oauth()).build().expect("client")),
        ),
    ];

    let mut shown = Vec::new();
    for (name, configure) in &kinds {
        exercise(name, &configure(&api.url()), &mut shown).await;
        refused(name, configure(&gone), &mut shown).await;
    }

    // One OAuth2 handle, shown after it has fetched tokens: neither it nor
    // the tokens it holds show a secret.
    let shared = Arc::new(oauth());
    let client = build(&api.url())
        .auth(shared.clone())
        .build()
        .expect("client");
    exercise("oauth2 handle", &client, &mut shown).await;
    assert!(shared.tokens().is_some(), "tokens were fetched");
    shown.push(format!("{shared:?}"));
    shown.push(format!("{:?}", shared.tokens()));

    // A refresh that the token endpoint refuses, the client secret in the
    // form body: the error and the client show neither.
    let refusing = TestServer::fixed(400, json!({"error": "invalid_grant"})).await;
    let bad = build(&api.url())
        .auth(
            OAuth2::refresh_token(refusing.url(), "client-1", REFRESH_TOKEN)
                .client_secret(CLIENT_SECRET)
                .client_auth(ClientAuth::RequestBody),
        )
        .build()
        .expect("client");
    let err = ProbeClient::new(bad.clone())
        .ok()
        .await
        .expect_err("refresh refused");
    assert!(matches!(err, restrait::Error::Auth(_)), "{err:?}");
    shown.push(format!("{err:?}"));
    shown.push(err.to_string());
    shown.push(format!("{bad:?}"));
    let refused_body = refusing.last().text();
    assert!(
        refused_body.contains(CLIENT_SECRET) && refused_body.contains(REFRESH_TOKEN),
        "the secrets went in the form body"
    );

    // The secrets really went over the wire...
    let seen: Vec<String> = api
        .requests()
        .iter()
        .map(|r| format!("{} {:?}", r.target, r.headers))
        .collect();
    let sent = seen.join("\n");
    for secret in [BEARER, HEADER_KEY, QUERY_KEY, ACCESS_TOKEN] {
        assert!(sent.contains(secret), "{secret} was never sent");
    }
    assert!(sent.contains(&base64(&format!("alice:{BASIC_PASSWORD}"))));
    let token_requests: Vec<String> = tokens
        .requests()
        .iter()
        .map(|r| format!("{:?} {}", r.headers, r.text()))
        .collect();
    let token_text = token_requests.join("\n");
    assert!(token_text.contains(REFRESH_TOKEN) || token_text.contains(ROTATED_REFRESH));

    // ...and into no text.
    let logged = debug_log.0.lock().map(|l| l.clone()).unwrap_or_default();
    assert!(
        logged.iter().any(|l| l.contains("/oauth/token")),
        "token requests pass the middleware"
    );
    shown.extend(logged);
    let logs = capture.text();
    assert!(logs.contains("/unauthorized"), "tracing captured nothing");
    assert!(logs.contains("TRACE"), "TRACE events were not captured");
    assert!(logs.contains("OAuth2"), "auth events were not captured");
    shown.push(logs);
    let secrets = [
        BEARER.to_owned(),
        HEADER_KEY.to_owned(),
        QUERY_KEY.to_owned(),
        BASIC_PASSWORD.to_owned(),
        base64(&format!("alice:{BASIC_PASSWORD}")),
        REFRESH_TOKEN.to_owned(),
        CLIENT_SECRET.to_owned(),
        base64(&format!("client-1:{CLIENT_SECRET}")),
        ACCESS_TOKEN.to_owned(),
        ROTATED_REFRESH.to_owned(),
    ];
    for text in &shown {
        for secret in &secrets {
            assert!(
                !text.contains(secret.as_str()),
                "{secret} shown in:\n{}",
                excerpt_around(text, secret)
            );
        }
    }
}

fn excerpt_around(text: &str, needle: &str) -> String {
    let at = text.find(needle).unwrap_or(0);
    let start = text[..at]
        .char_indices()
        .rev()
        .nth(300)
        .map_or(0, |(i, _)| i);
    let end = text[at..]
        .char_indices()
        .nth(300)
        .map_or(text.len(), |(i, _)| at + i);
    text[start..end].to_owned()
}
