//! Quota and tokens shared through a real `redis-server` on 127.0.0.1
//! (started by each test on a free port, killed when it ends; installed by
//! `.ci/install-redis`). Each `Client` here has its own Redis handle and
//! its own in-process state, as a separate process would.

mod support;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use restrait::redis::{Redis, RedisTokenStore};
use restrait::{OAuth2, Quota, Result, RetryPolicy, resource};
use restrait_tests::{LogCapture, RedisServer};
use support::{Recorded, Reply, TestServer};

#[resource]
trait Api {
    #[get("/things")]
    async fn things(&self) -> Result<()>;
}

/// An API at `/things` with an OAuth2 token endpoint at `/token` that
/// counts the tokens it issues (`at_0`, `at_1`, ..), each valid for
/// `lifetime` seconds. Tokens below `expired` are answered with 401, as a
/// server answers a token that has expired.
struct Fixture {
    server: TestServer,
    tokens: Arc<AtomicUsize>,
    expired: Arc<AtomicUsize>,
}

async fn api(lifetime: u64) -> Fixture {
    let tokens = Arc::new(AtomicUsize::new(0));
    let expired = Arc::new(AtomicUsize::new(0));
    let (issued, dead) = (tokens.clone(), expired.clone());
    let server = TestServer::start(move |r: Recorded| {
        let (issued, dead) = (issued.clone(), dead.clone());
        async move {
            if r.path() == "/token" {
                let n = issued.fetch_add(1, Ordering::SeqCst);
                return Reply::json(
                    200,
                    &serde_json::json!({
                        "access_token": format!("at_{n}"),
                        "token_type": "Bearer",
                        "expires_in": lifetime,
                    }),
                );
            }
            let token = r
                .header("authorization")
                .and_then(|h| h.strip_prefix("Bearer at_"));
            match token.and_then(|n| n.parse::<usize>().ok()) {
                Some(n) if n < dead.load(Ordering::SeqCst) => {
                    Reply::status(401).header("www-authenticate", "Bearer error=\"invalid_token\"")
                }
                _ => Reply::status(204),
            }
        }
    })
    .await;
    Fixture {
        server,
        tokens,
        expired,
    }
}

impl Fixture {
    fn token_url(&self) -> String {
        format!("{}/token", self.server.url())
    }
    fn api_requests(&self) -> usize {
        self.server
            .requests()
            .iter()
            .filter(|r| r.path() == "/things")
            .count()
    }
}

fn redis(server: &RedisServer) -> Redis {
    Redis::open(&server.url())
        .expect("redis url")
        .timeout(Duration::from_secs(5))
}

/// A client as one process of a fleet would build it.
fn shared_client(api: &TestServer, redis: &Redis, quota: Quota) -> ApiClient {
    ApiClient::new(
        restrait_tests::client_builder(api.url())
            .shared_rate_limit(redis, "api", quota)
            .retry(RetryPolicy::never())
            .timeout(Duration::from_secs(2))
            .build()
            .expect("client"),
    )
}

/// Runs `per_client` calls on each client at once; returns how many
/// succeeded. Every failure must be the client's own rate limit.
async fn burst(clients: &[ApiClient], per_client: usize) -> usize {
    let calls: Vec<_> = clients
        .iter()
        .flat_map(|c| (0..per_client).map(move |_| c.clone()))
        .map(|c| tokio::spawn(async move { c.things().await }))
        .collect();
    let mut ok = 0;
    for call in calls {
        match call.await.expect("task") {
            Ok(()) => ok += 1,
            Err(e) => assert!(e.is_local_rate_limit(), "{e:?}"),
        }
    }
    ok
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn processes_sharing_a_quota_stay_under_it_together() {
    let redis_server = RedisServer::start();
    let api = api(3600).await;
    // 10 at once, then one every 6 minutes: within the 2 s deadline of
    // these calls, the fleet gets exactly the burst.
    let quota = Quota::per_hour(10);
    let shared: Vec<_> = (0..4)
        .map(|_| shared_client(&api.server, &redis(&redis_server), quota))
        .collect();
    assert_eq!(burst(&shared, 16).await, 10);
    assert_eq!(api.api_requests(), 10);

    // The same fleet with limiters of their own: each gets the whole quota.
    let local: Vec<_> = (0..4)
        .map(|_| {
            ApiClient::new(
                restrait_tests::client_builder(api.server.url())
                    .rate_limit(quota)
                    .timeout(Duration::from_secs(2))
                    .build()
                    .expect("client"),
            )
        })
        .collect();
    assert_eq!(burst(&local, 16).await, 40);
}

#[tokio::test]
async fn the_shared_limiter_falls_back_while_redis_is_down_and_recovers() {
    let mut redis_server = RedisServer::start();
    let api = api(3600).await;
    let quota = Quota::per_hour(2);
    let handle = redis(&redis_server);
    let one = shared_client(&api.server, &handle, quota);
    assert_eq!(
        burst(std::slice::from_ref(&one), 3).await,
        2,
        "the shared quota"
    );

    let (logs, _guard) = LogCapture::install(tracing::Level::WARN);
    redis_server.stop();
    // Redis is gone: this process's own limiter, with the same quota.
    assert_eq!(
        burst(std::slice::from_ref(&one), 3).await,
        2,
        "the local fallback"
    );
    assert!(
        logs.text().contains("Redis is unreachable"),
        "{}",
        logs.text()
    );
    assert_eq!(
        logs.text().matches("Redis is unreachable").count(),
        1,
        "one warning per outage"
    );

    redis_server.restart();
    // Redis is left alone for a second after a failure.
    tokio::time::sleep(Duration::from_millis(1100)).await;
    assert_eq!(
        burst(std::slice::from_ref(&one), 1).await,
        1,
        "shared again"
    );
    // A second process now shares what is left of the quota: one slot.
    let other = shared_client(&api.server, &redis(&redis_server), quota);
    assert_eq!(burst(&[other], 2).await, 1);
    assert_eq!(api.api_requests(), 2 + 2 + 1 + 1);
}

/// An OAuth2 client of the fleet: its own flow, the shared store.
fn oauth_client(fixture: &Fixture, redis: &Redis) -> ApiClient {
    let oauth = OAuth2::client_credentials(fixture.token_url(), "fleet", "s3cret")
        .store(RedisTokenStore::new(redis, "fleet:tokens"));
    ApiClient::new(
        restrait_tests::client_builder(fixture.server.url())
            .auth(oauth)
            .build()
            .expect("client"),
    )
}

/// One call from each of 100 threads, each with a runtime and a client of
/// its own, as 100 processes would make it.
async fn hundred_runtimes(fixture: &Arc<Fixture>, redis_server: &Arc<RedisServer>) {
    let (fixture, redis_server) = (fixture.clone(), redis_server.clone());
    tokio::task::spawn_blocking(move || {
        let threads: Vec<_> = (0..100)
            .map(|_| {
                let (fixture, redis_server) = (fixture.clone(), redis_server.clone());
                std::thread::spawn(move || {
                    let runtime = tokio::runtime::Builder::new_current_thread()
                        .enable_all()
                        .build()
                        .expect("runtime");
                    runtime.block_on(async {
                        oauth_client(&fixture, &redis(&redis_server)).things().await
                    })
                })
            })
            .collect();
        for thread in threads {
            thread.join().expect("thread").expect("call");
        }
    })
    .await
    .expect("threads");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hundred_runtimes_make_one_token_request_per_expiry() {
    let redis_server = Arc::new(RedisServer::start());
    let fixture = Arc::new(api(3600).await);
    hundred_runtimes(&fixture, &redis_server).await;
    assert_eq!(
        fixture.tokens.load(Ordering::SeqCst),
        1,
        "one token for 100 runtimes"
    );

    // The token expires: the server answers 401 to it. The next 100 load
    // it from Redis, are refused, and share one new token.
    fixture.expired.store(1, Ordering::SeqCst);
    hundred_runtimes(&fixture, &redis_server).await;
    assert_eq!(
        fixture.tokens.load(Ordering::SeqCst),
        2,
        "one token per expiry"
    );
    assert_eq!(
        fixture.server.last().header("authorization"),
        Some("Bearer at_1")
    );

    // Flows that live on share the next one too: 50 clients with at_1.
    let fleet: Vec<_> = (0..50)
        .map(|_| oauth_client(&fixture, &redis(&redis_server)))
        .collect();
    assert_eq!(burst(&fleet, 1).await, 50);
    fixture.expired.store(2, Ordering::SeqCst);
    assert_eq!(burst(&fleet, 1).await, 50);
    assert_eq!(fixture.tokens.load(Ordering::SeqCst), 3);
}

#[tokio::test]
async fn without_redis_each_process_refreshes_on_its_own() {
    let mut redis_server = RedisServer::start();
    let fixture = api(3600).await;
    let (logs, _guard) = LogCapture::install(tracing::Level::WARN);
    redis_server.stop();
    for _ in 0..3 {
        let client = oauth_client(&fixture, &redis(&redis_server));
        client.things().await.expect("a token from this process");
    }
    assert_eq!(fixture.tokens.load(Ordering::SeqCst), 3);
    assert!(
        logs.text().contains("Redis is unreachable"),
        "{}",
        logs.text()
    );
    assert!(!logs.text().contains("s3cret") && !logs.text().contains("at_0"));
}
