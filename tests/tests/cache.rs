//! The conditional-request cache against a real server on 127.0.0.1 that
//! answers `If-None-Match` / `If-Modified-Since` like GitHub does: a 304
//! with no body when the client's version is current.

mod support;

use futures::TryStreamExt;
use restrait::{ByteStream, Cache, CacheStatus, Client, Response, Result, resource};
use serde::Deserialize;
use support::{Recorded, Reply, TestServer};

#[derive(Debug, Deserialize, PartialEq)]
struct Repo {
    name: String,
    stars: u32,
}

#[resource]
trait Repos {
    #[get("/repos/<name>")]
    async fn get(&self, name: &str) -> Result<Repo>;

    #[get("/repos/<name>")]
    async fn get_full(&self, name: &str) -> Result<Response<Repo>>;

    #[get("/repos/<name>")]
    async fn download(&self, name: &str) -> Result<ByteStream>;

    #[patch("/repos/<name>")]
    async fn star(&self, name: &str) -> Result<()>;
}

const BODY: &str = r#"{"name":"restrait","stars":42}"#;

/// A server whose version of every repo is `"v1"`, sent with
/// `cache_control`; a request that already has it gets a 304.
async fn etag_server(cache_control: &'static str) -> TestServer {
    TestServer::start(move |r: Recorded| async move {
        if r.method == restrait::http::Method::PATCH {
            return Reply::status(204);
        }
        if r.header("if-none-match") == Some("\"v1\"") {
            return Reply::status(304)
                .header("etag", "\"v1\"")
                .header("cache-control", cache_control);
        }
        Reply::text(200, BODY)
            .header("content-type", "application/json")
            .header("etag", "\"v1\"")
            .header("cache-control", cache_control)
    })
    .await
}

fn client(server: &TestServer, cache: &Cache) -> Client {
    restrait_tests::client_builder(server.url())
        .cache(cache.clone())
        .build()
        .expect("client")
}

fn conditional(server: &TestServer) -> Vec<Option<String>> {
    server
        .requests()
        .iter()
        .map(|r| r.header("if-none-match").map(str::to_owned))
        .collect()
}

#[tokio::test]
async fn a_304_returns_the_stored_body_and_says_so() {
    let server = etag_server("no-cache").await;
    let cache = Cache::memory(1 << 20);
    let repos = ReposClient::new(client(&server, &cache));

    let first = repos.get_full("restrait").await.expect("first");
    assert_eq!(first.cache_status(), Some(CacheStatus::Miss));
    let second = repos.get_full("restrait").await.expect("second");
    assert_eq!(second.status(), 200, "the stored status, so it decodes");
    assert_eq!(second.cache_status(), Some(CacheStatus::Revalidated));
    assert_eq!(second.headers()["etag"], "\"v1\"");
    assert_eq!(second.value(), first.value());
    assert_eq!(
        repos.get("restrait").await.expect("third"),
        Repo {
            name: "restrait".into(),
            stars: 42
        }
    );

    assert_eq!(
        conditional(&server),
        [None, Some("\"v1\"".into()), Some("\"v1\"".into())]
    );
    let stats = cache.stats();
    assert_eq!((stats.misses, stats.revalidated, stats.hits), (1, 2, 0));
    assert_eq!(stats.bytes_saved, 2 * BODY.len() as u64);
    assert_eq!(stats.entries, 1);
}

#[tokio::test]
async fn last_modified_is_revalidated_with_if_modified_since() {
    const DATE: &str = "Tue, 01 Dec 2026 10:00:00 GMT";
    let server = TestServer::start(|r: Recorded| async move {
        if r.header("if-modified-since") == Some(DATE) {
            return Reply::status(304);
        }
        Reply::text(200, BODY)
            .header("last-modified", DATE)
            .header("cache-control", "max-age=0")
    })
    .await;
    let cache = Cache::memory(1 << 20);
    let repos = ReposClient::new(client(&server, &cache));
    repos.get("restrait").await.expect("first");
    let again = repos.get_full("restrait").await.expect("second");
    assert_eq!(again.cache_status(), Some(CacheStatus::Revalidated));
    assert_eq!(again.value().stars, 42);
    assert_eq!(server.last().header("if-modified-since"), Some(DATE));
}

#[tokio::test]
async fn a_fresh_response_is_answered_without_a_request() {
    let server = etag_server("private, max-age=60").await;
    let cache = Cache::memory(1 << 20);
    let repos = ReposClient::new(client(&server, &cache));
    repos.get("restrait").await.expect("first");
    let hit = repos.get_full("restrait").await.expect("second");
    assert_eq!(hit.cache_status(), Some(CacheStatus::Hit));
    assert_eq!(hit.attempts(), 0, "nothing was sent");
    assert_eq!(hit.value().stars, 42);
    assert_eq!(server.request_count(), 1);
    assert_eq!(cache.stats().hits, 1);
}

#[tokio::test]
async fn no_store_is_never_stored() {
    let server = etag_server("no-store").await;
    let cache = Cache::memory(1 << 20);
    let repos = ReposClient::new(client(&server, &cache));
    repos.get("restrait").await.expect("first");
    repos.get("restrait").await.expect("second");
    assert_eq!(conditional(&server), [None, None]);
    assert_eq!(cache.stats().entries, 0);
}

#[tokio::test]
async fn two_users_never_share_an_entry() {
    let server = etag_server("private, max-age=60").await;
    let cache = Cache::memory(1 << 20);
    let user = |token: &str| {
        ReposClient::new(
            restrait_tests::client_builder(server.url())
                .bearer_token(token)
                .cache(cache.clone())
                .build()
                .expect("client"),
        )
    };
    let (ada, bob, ada_again) = (user("tok_ada"), user("tok_bob"), user("tok_ada"));
    ada.get("restrait").await.expect("ada");
    let bobs = bob.get_full("restrait").await.expect("bob");
    assert_eq!(
        bobs.cache_status(),
        Some(CacheStatus::Miss),
        "not ada's entry"
    );
    let adas = ada_again.get_full("restrait").await.expect("ada again");
    assert_eq!(
        adas.cache_status(),
        Some(CacheStatus::Hit),
        "same token, same entry"
    );
    let sent: Vec<_> = server
        .requests()
        .iter()
        .map(|r| r.header("authorization").map(str::to_owned))
        .collect();
    assert_eq!(
        sent,
        [Some("Bearer tok_ada".into()), Some("Bearer tok_bob".into())]
    );
    assert_eq!(cache.stats().entries, 2);
}

#[tokio::test]
async fn streamed_calls_bypass_the_cache_and_writes_invalidate_it() {
    let server = etag_server("no-cache").await;
    let cache = Cache::memory(1 << 20);
    let repos = ReposClient::new(client(&server, &cache));
    repos.get("restrait").await.expect("stored");
    let chunks: Vec<_> = repos
        .download("restrait")
        .await
        .expect("stream")
        .try_collect()
        .await
        .expect("body");
    assert_eq!(chunks.concat(), BODY.as_bytes());
    repos.star("restrait").await.expect("patch");
    assert_eq!(cache.stats().entries, 0, "the PATCH dropped the entry");
    repos.get("restrait").await.expect("fetched again");
    assert_eq!(conditional(&server), [None, None, None, None]);
}

#[tokio::test]
async fn the_cache_stays_within_its_bytes() {
    let server = etag_server("no-cache").await;
    // Room for about two entries.
    let cache = Cache::memory(2 * (BODY.len() + 200));
    let repos = ReposClient::new(client(&server, &cache));
    for name in ["a", "b", "c", "d"] {
        repos.get(name).await.expect("get");
    }
    let stats = cache.stats();
    assert!(stats.bytes <= 2 * (BODY.len() + 200), "{stats:?}");
    assert!(stats.entries >= 1 && stats.entries < 4, "{stats:?}");
    // The most recent one is still there.
    repos.get("d").await.expect("again");
    assert_eq!(server.last().header("if-none-match"), Some("\"v1\""));
}
