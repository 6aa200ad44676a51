//! Cassettes: record exchanges with a loopback server through `#[resource]`
//! clients, check the file keeps no secret, then replay with the server
//! gone; matching rules, the order of repeated requests, the error for a
//! request with no recording, streamed bodies, bad files.
#![allow(missing_docs)]

mod support;

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use futures::StreamExt;
use restrait::testing::{Cassette, CassetteError, Match, cassette::Mode};
use restrait::{ByteStream, Client, ClientBuilder, Error, OAuth2, Result, RetryPolicy, resource};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use support::{Recorded, Reply, TestServer};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct User {
    pub id: u64,
    pub name: String,
}

#[resource]
pub trait Api {
    #[get("/users/<id>")]
    async fn user(&self, id: u64) -> Result<User>;

    #[get("/users")]
    async fn list(&self, #[query] page: u32) -> Result<Vec<User>>;

    #[post("/users")]
    async fn create(&self, #[body] user: &User) -> Result<User>;

    #[get("/whoami")]
    async fn whoami(&self) -> Result<Value>;

    #[get("/counter")]
    async fn counter(&self) -> Result<Value>;

    #[get("/download")]
    async fn download(&self) -> Result<ByteStream>;
}

const BEARER: &str = "sk_bearer_c4ss3tte";
const QUERY_KEY: &str = "ak_query_c4ss3tte";
const REFRESH_TOKEN: &str = "rt_first_c4ss3tte";
const CLIENT_SECRET: &str = "cs_client_c4ss3tte";
const ACCESS_TOKEN: &str = "at_issued_c4ss3tte";
const ROTATED_REFRESH: &str = "rt_rotated_c4ss3tte";
const SECRETS: [&str; 6] = [
    BEARER,
    QUERY_KEY,
    REFRESH_TOKEN,
    CLIENT_SECRET,
    ACCESS_TOKEN,
    ROTATED_REFRESH,
];

/// A fresh cassette path for one test.
fn path(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("cassettes");
    let path = dir.join(format!("{name}.json"));
    let _ = std::fs::remove_file(&path);
    path
}

/// The API, the token endpoint and a stream, on one server; `/whoami`
/// echoes the credentials it was sent, `/counter` counts.
async fn server() -> TestServer {
    let count = Arc::new(AtomicUsize::new(0));
    TestServer::start(move |r: Recorded| {
        let count = count.clone();
        async move {
            let path = r.path().to_owned();
            match (r.method.as_str(), path.as_str()) {
                ("POST", "/oauth/token") => Reply::json(
                    200,
                    &json!({
                        "access_token": ACCESS_TOKEN,
                        "token_type": "Bearer",
                        "expires_in": 3600,
                        "refresh_token": ROTATED_REFRESH,
                    }),
                ),
                ("GET", "/whoami") => Reply::json(
                    200,
                    &json!({
                        "authorization": r.header("authorization"),
                        "query": r.query(),
                    }),
                )
                .header("set-cookie", "session=ck_s3ss10n_c4ss3tte; Path=/"),
                ("GET", "/counter") => {
                    Reply::json(200, &json!({"n": count.fetch_add(1, Ordering::SeqCst) + 1}))
                }
                ("GET", "/download") => Reply::status(200).stream(futures::stream::iter(
                    ["chunk one, ", "chunk two, ", "chunk three"]
                        .map(|c| Ok(restrait::bytes::Bytes::from(c))),
                )),
                ("GET", "/users") => Reply::json(200, &json!([{"id": 1, "name": "Ada"}])),
                ("POST", "/users") => Reply::status(201)
                    .header("content-type", "application/json")
                    .body(r.body.clone()),
                ("GET", p) if p.starts_with("/users/") => {
                    let id: u64 = p["/users/".len()..].parse().unwrap_or(0);
                    Reply::json(200, &json!({"id": id, "name": format!("user {id}")}))
                        .header("x-account", "acct_12345")
                }
                _ => Reply::status(404),
            }
        }
    })
    .await
}

fn builder(base: &str) -> ClientBuilder {
    Client::builder(base).retry(RetryPolicy::never())
}

/// The three clients of the round trip: a bearer token, OAuth2 with a
/// client secret, and an API key in a query parameter of a name no rule
/// would guess.
fn clients(base: &str, cassette: &Cassette) -> [ApiClient; 3] {
    let bearer = builder(base).bearer_token(BEARER);
    let oauth = builder(base).auth(
        OAuth2::refresh_token(format!("{base}/oauth/token"), "app-1", REFRESH_TOKEN)
            .client_secret(CLIENT_SECRET),
    );
    let query = builder(base).api_key_query("appid", QUERY_KEY);
    [bearer, oauth, query]
        .map(|b| ApiClient::new(b.transport(cassette.clone()).build().expect("client")))
}

/// Every call of the round trip, each result as JSON.
async fn calls(api: &ApiClient) -> Vec<Value> {
    let mut out = vec![
        json!(api.user(1).await.expect("user")),
        json!(api.list(2).await.expect("list")),
        json!(
            api.create(&User {
                id: 9,
                name: "Grace".into()
            })
            .await
            .expect("create")
        ),
        api.whoami().await.expect("whoami"),
    ];
    let body = chunks(api.download().await.expect("download"))
        .await
        .concat();
    out.push(json!(String::from_utf8_lossy(&body)));
    out
}

#[tokio::test]
async fn a_round_trip_records_scrubbed_and_replays_with_the_server_gone() {
    let file = path("round-trip");
    let server = server().await;
    let base = server.url();
    let recorder = Cassette::record(&file).expect("record");
    assert_eq!(recorder.mode(), Mode::Record);
    let mut recorded = Vec::new();
    for api in clients(&base, &recorder) {
        recorded.push(calls(&api).await);
    }
    // What went on the wire did carry the secrets.
    let seen: Vec<String> = server.requests().iter().map(|r| format!("{r:?}")).collect();
    assert!(seen.iter().any(|r| r.contains(BEARER)));
    assert!(seen.iter().any(|r| r.contains(QUERY_KEY)));
    assert!(seen.iter().any(|r| r.contains(ACCESS_TOKEN)));
    drop(server);

    let text = std::fs::read_to_string(&file).expect("cassette written");
    for secret in SECRETS.iter().chain(&["ck_s3ss10n_c4ss3tte"]) {
        assert!(!text.contains(secret), "{secret} in the cassette:\n{text}");
    }
    let parsed: Value = serde_json::from_str(&text).expect("json");
    assert_eq!(parsed["version"], 1);
    let interactions = parsed["interactions"].as_array().expect("list");
    // 5 calls for each of 3 clients, and one token request.
    assert_eq!(interactions.len(), 16, "{text}");
    let first = &interactions[0];
    assert_eq!(first["request"]["template"], "/users/<id>");
    assert_eq!(first["request"]["operation"], "Api::user");
    assert_eq!(first["request"]["headers"]["authorization"], "[REDACTED]");
    assert_eq!(
        first["response"]["body"]["json"],
        json!({"id": 1, "name": "user 1"})
    );
    assert!(text.contains("appid=[REDACTED]"), "{text}");
    assert!(text.contains("\"refresh_token\": \"[REDACTED]\""), "{text}");

    let replayer = Cassette::replay(&file).expect("replay");
    assert_eq!(replayer.mode(), Mode::Replay);
    for (api, want) in clients(&base, &replayer).iter().zip(&recorded) {
        let mut got = calls(api).await;
        // `/whoami` echoed the credentials: they replay scrubbed.
        let echoed = got.remove(3).to_string();
        assert!(echoed.contains("[REDACTED]"), "{echoed}");
        let mut want = want.clone();
        want.remove(3);
        assert_eq!(got, want);
    }
}

#[tokio::test]
async fn a_user_pattern_and_a_closure_scrub_the_file() {
    let file = path("user-pattern");
    let server = server().await;
    let cassette = Cassette::record(&file)
        .expect("record")
        .scrub("acct_12345", "acct_X")
        .scrub_with(|text| text.replace("user 5", "someone"));
    let api = recording(&server, cassette);
    assert_eq!(
        api.user(5).await.expect("user").name,
        "user 5",
        "the caller sees the truth"
    );
    let text = std::fs::read_to_string(&file).expect("cassette");
    assert!(
        !text.contains("acct_12345") && text.contains("acct_X"),
        "{text}"
    );
    assert!(
        !text.contains("user 5") && text.contains("someone"),
        "{text}"
    );
}

/// Records `calls` counter calls and the users `ids`, then stops the server.
async fn record(name: &str, counters: usize, ids: &[u64]) -> PathBuf {
    let file = path(name);
    let server = server().await;
    let api = recording(&server, Cassette::record(&file).expect("record"));
    for _ in 0..counters {
        api.counter().await.expect("counter");
    }
    for id in ids {
        api.user(*id).await.expect("user");
    }
    file
}

fn recording(server: &TestServer, cassette: Cassette) -> ApiClient {
    ApiClient::new(
        builder(&server.url())
            .transport(cassette)
            .build()
            .expect("client"),
    )
}

/// Every chunk of a download.
async fn chunks(mut body: ByteStream) -> Vec<restrait::bytes::Bytes> {
    let mut chunks = Vec::new();
    while let Some(chunk) = body.next().await {
        chunks.push(chunk.expect("chunk"));
    }
    chunks
}

fn replaying(cassette: Cassette) -> ApiClient {
    ApiClient::new(
        builder("http://127.0.0.1:9")
            .transport(cassette)
            .build()
            .expect("client"),
    )
}

#[tokio::test]
async fn repeated_requests_replay_in_the_order_recorded_each_once() {
    let file = record("order", 3, &[]).await;
    let api = replaying(Cassette::replay(&file).expect("replay"));
    for n in 1..=3 {
        assert_eq!(api.counter().await.expect("counter"), json!({"n": n}));
    }
    let err = api.counter().await.expect_err("a fourth");
    let cassette = CassetteError::find(&err).expect("a cassette error");
    assert!(
        matches!(cassette, CassetteError::NoRecording { .. }),
        "{cassette:?}"
    );
    assert!(err.to_string().contains("all replayed already"), "{err}");
}

#[tokio::test]
async fn a_request_with_no_recording_names_the_closest_and_how_to_re_record() {
    let file = record("closest", 1, &[1, 2]).await;
    let api = replaying(Cassette::replay(&file).expect("replay"));
    let err = api.user(3).await.expect_err("no recording of user 3");
    assert!(matches!(err, Error::Transport(_)), "{err:?}");
    let shown = err.to_string();
    assert!(shown.contains("GET /users/3"), "{shown}");
    assert!(shown.contains("the closest is #2 GET /users/1"), "{shown}");
    assert!(shown.contains("differs in path"), "{shown}");
    assert!(shown.contains("RESTRAIT_RECORD=1"), "{shown}");
    // The recordings are still there for the requests that have one.
    assert_eq!(api.user(2).await.expect("user 2").id, 2);
}

#[tokio::test]
async fn the_match_rule_can_be_loosened_or_replaced() {
    let file = record("rules", 0, &[1]).await;
    let by_template = replaying(
        Cassette::replay(&file)
            .expect("replay")
            .match_on(Match::METHOD | Match::TEMPLATE),
    );
    assert_eq!(by_template.user(99).await.expect("any id").id, 1);

    let by_closure = replaying(Cassette::replay(&file).expect("replay").match_with(
        |recorded, request| {
            recorded.method == request.method && request.path().starts_with("/users/")
        },
    ));
    assert_eq!(by_closure.user(42).await.expect("the closure's pick").id, 1);
    let err = by_closure
        .list(1)
        .await
        .expect_err("the closure refuses /users");
    assert!(CassetteError::find(&err).is_some(), "{err:?}");
}

#[tokio::test]
async fn a_streamed_body_is_recorded_and_replayed_as_a_stream() {
    let file = path("stream");
    let server = server().await;
    let cassette = Cassette::record(&file).expect("record");
    let api = recording(&server, cassette);
    let live = chunks(api.download().await.expect("download")).await;
    assert!(live.len() > 1, "the server streamed: {live:?}");
    drop(server);

    let api = replaying(Cassette::replay(&file).expect("replay"));
    let replayed = chunks(api.download().await.expect("replayed download")).await;
    assert_eq!(replayed.concat(), live.concat());
}

#[tokio::test]
async fn a_body_over_the_recording_limit_is_an_error_not_a_short_recording() {
    let file = path("limit");
    let server = server().await;
    let cassette = Cassette::record(&file).expect("record").max_body_size(8);
    let api = recording(&server, cassette);
    let mut live = api.download().await.expect("download");
    let mut failed = None;
    while let Some(chunk) = live.next().await {
        if let Err(e) = chunk {
            failed = Some(e);
            break;
        }
    }
    let failed = failed.expect("the limit fails the read");
    assert!(
        matches!(
            CassetteError::find(&failed),
            Some(CassetteError::TooLarge { limit: 8 })
        ),
        "{failed:?}"
    );
    let text = std::fs::read_to_string(&file).expect("cassette");
    assert!(!text.contains("/download"), "nothing recorded: {text}");
}

#[tokio::test]
async fn corrupt_missing_and_future_files_are_typed_errors() {
    let file = path("bad");
    assert!(matches!(
        Cassette::replay(&file),
        Err(CassetteError::Missing { .. })
    ));
    std::fs::create_dir_all(file.parent().expect("dir")).expect("dir");
    std::fs::write(&file, "{ not json").expect("write");
    assert!(matches!(
        Cassette::replay(&file),
        Err(CassetteError::Corrupt { .. })
    ));
    std::fs::write(&file, r#"{"version": 2, "interactions": [], "new": {}}"#).expect("write");
    let err = Cassette::replay(&file).expect_err("a newer format");
    assert!(
        matches!(
            err,
            CassetteError::Version {
                found: 2,
                supported: 1,
                ..
            }
        ),
        "{err:?}"
    );
    assert!(err.to_string().contains("RESTRAIT_RECORD=1"), "{err}");
    // Through the builder shortcut, a bad file fails `build`.
    let built = Client::builder("http://127.0.0.1:9")
        .cassette(&file)
        .build();
    if std::env::var(restrait::testing::cassette::RECORD_ENV).is_err() {
        assert!(matches!(built, Err(Error::Config(_))), "{built:?}");
    }
}

#[tokio::test]
async fn from_env_records_a_missing_file_and_replays_an_existing_one() {
    if std::env::var(restrait::testing::cassette::RECORD_ENV).is_ok() {
        return; // the developer chose the mode for this run
    }
    let file = path("from-env");
    assert_eq!(
        Cassette::from_env(&file).expect("record").mode(),
        Mode::Record
    );
    assert!(file.exists(), "recording starts the file");
    assert_eq!(
        Cassette::from_env(&file).expect("replay").mode(),
        Mode::Replay
    );
}

#[tokio::test]
async fn under_the_default_retry_policy_a_miss_is_not_retried() {
    let file = record("retried-miss", 0, &[1]).await;
    tokio::time::pause();
    let api = ApiClient::new(
        Client::builder("http://127.0.0.1:9")
            .transport(Cassette::replay(&file).expect("replay"))
            .build()
            .expect("client"),
    );
    let err = api.user(2).await.expect_err("no recording");
    assert!(
        matches!(
            CassetteError::find(&err),
            Some(CassetteError::NoRecording { .. })
        ),
        "{err:?}"
    );
    // Not retried: a cassette answers a miss the same way every time.
    match &err {
        restrait::Error::Transport(t) => assert_eq!(t.attempts(), 1, "{err}"),
        other => panic!("expected a transport error, got {other:?}"),
    }
    assert!(
        err.to_string()
            .contains("no recording matches GET /users/2"),
        "{err}"
    );
}

#[tokio::test]
async fn a_cassette_records_through_the_hyper_transport_too() {
    let file = path("hyper");
    let server = server().await;
    let transport = restrait::HyperTransport::new().expect("hyper transport");
    let cassette = Cassette::record_with(&file, transport).expect("record");
    let live = chunks(
        recording(&server, cassette)
            .download()
            .await
            .expect("download"),
    )
    .await;
    drop(server);
    let replayed = replaying(Cassette::replay(&file).expect("replay"))
        .download()
        .await
        .expect("replayed download");
    assert_eq!(chunks(replayed).await.concat(), live.concat());
}
