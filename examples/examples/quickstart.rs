//! restrait in one minute: a declared API, a client, typed errors.
//!
//! Runs against an embedded demo API on 127.0.0.1 (no network needed):
//!
//! ```text
//! cargo run --example quickstart
//! cargo run --example quickstart -- --base-url https://your.api/v1
//! RUST_LOG=debug cargo run --example quickstart    # show the tracing spans
//! ```

use std::time::Instant;

use futures::{StreamExt, TryStreamExt};
use restrait::{Client, Error, EventStream, OAuth2, Paginator, Response, Result, resource};
use restrait_examples::demo::Demo;
use serde::{Deserialize, Serialize};

/// A user of the demo API.
#[derive(Debug, Deserialize)]
pub struct User {
    /// Its id.
    pub id: u64,
    /// Its email address.
    pub email: String,
    /// Its full name.
    pub name: String,
}

/// What creating a user takes.
#[derive(Serialize)]
pub struct NewUser<'a> {
    /// The email address.
    pub email: &'a str,
    /// The full name.
    pub name: &'a str,
}

/// The users endpoints, declared once; `#[resource]` writes `UsersClient`.
#[resource]
pub trait Users {
    /// One user by id.
    #[get("/users/<id>")]
    async fn get(&self, id: u64) -> Result<User>;

    /// A page of users.
    #[get("/users")]
    async fn list(
        &self,
        #[query] page: Option<u32>,
        #[query] per_page: Option<u32>,
    ) -> Result<Vec<User>>;

    /// Every user, as a stream that asks for `?page=1`, `?page=2`, .. only
    /// as it is read, and stops at the first short or empty page.
    #[get("/users")]
    #[paginate(page = "page", per_page = "per_page")]
    fn all(&self, #[query] per_page: Option<u32>) -> Paginator<User>;

    /// Creates a user; safe to retry, since every attempt carries the same
    /// idempotency key.
    #[post("/users")]
    #[idempotent]
    async fn create(&self, #[body] user: &NewUser<'_>) -> Result<User>;

    /// Deletes a user.
    #[delete("/users/<id>")]
    async fn delete(&self, id: u64) -> Result<()>;
}

/// Endpoints that misbehave on purpose, to show the retry policy at work.
#[resource]
pub trait Ops {
    /// Answers 503 twice, then 200.
    #[get("/flaky")]
    async fn flaky(&self) -> Result<Response<serde_json::Value>>;

    /// Answers 429 with `Retry-After: 1` once, then 200.
    #[get("/limited")]
    async fn limited(&self) -> Result<Response<serde_json::Value>>;
}

/// An endpoint behind OAuth2.
#[resource]
pub trait Account {
    /// The user the access token belongs to.
    #[get("/me")]
    async fn me(&self) -> Result<User>;
}

/// A live feed, as server-sent events.
#[resource]
pub trait Feed {
    /// A `user` event per user; ends at the event whose data is `[DONE]`.
    #[get("/events")]
    #[sse(done = "[DONE]")]
    async fn users(&self) -> Result<EventStream<User>>;
}

#[tokio::main]
async fn main() -> std::result::Result<(), Box<dyn std::error::Error>> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
        )
        .init();

    let (base, demo) = match base_url_argument()? {
        Some(url) => (url, None),
        None => {
            let demo = Demo::start().await?;
            (demo.base_url(), Some(demo))
        }
    };
    println!("restrait quickstart against {base}\n");

    let client = Client::builder(&base)
        .user_agent("restrait-quickstart")
        .build()?;
    let users = UsersClient::new(client.clone());

    // 1. A GET, decoded into a struct.
    let ada = users.get(1).await?;
    println!(
        "1. GET /users/1 -> {} <{}> (a `User` struct)",
        ada.name, ada.email
    );

    // 2. A 404 is a typed error you match, not a string you parse.
    match users.get(999).await {
        Err(Error::NotFound(e)) => println!(
            "2. GET /users/999 -> Error::NotFound: \"{}\" ({} {})",
            e.message(),
            e.status(),
            e.path_template()
        ),
        other => println!("2. GET /users/999 -> unexpected: {other:?}"),
    }

    // 3. A paginated list, streamed to the end: `#[paginate]` turns the
    //    endpoint into a lazy stream of users, fetching `?per_page=2&page=N`
    //    one page at a time as the stream is read.
    let names: Vec<String> = users
        .all(Some(2))
        .map_ok(|user| user.name)
        .try_collect()
        .await?;
    print!(
        "3. GET /users?per_page=2&page=N (#[paginate]) -> {} users streamed: {}",
        names.len(),
        names.join(", ")
    );
    match &demo {
        Some(demo) => println!(" ({} page requests)", demo.hits("GET /users")),
        None => println!(),
    }

    // 4. A DELETE returning `Result<()>`; the second one is a typed 404.
    users.delete(5).await?;
    let again = users.delete(5).await;
    println!(
        "4. DELETE /users/5 -> ok; again -> {}",
        match again {
            Err(Error::NotFound(_)) => "Error::NotFound".to_owned(),
            other => format!("{other:?}"),
        }
    );

    // 5. A flaky endpoint: GET is idempotent, so 5xx answers are retried
    //    with exponential backoff and jitter.
    let ops = OpsClient::new(client.clone());
    let flaky = ops.flaky().await?;
    println!(
        "5. GET /flaky -> {} after {} attempts (two 503s retried with backoff)",
        flaky.status(),
        flaky.attempts()
    );

    // 6. A 429 with Retry-After: the policy waits as long as the server asks.
    let started = Instant::now();
    let limited = ops.limited().await?;
    println!(
        "6. GET /limited -> {} after {} attempts, waited {:.1}s as Retry-After asked",
        limited.status(),
        limited.attempts(),
        started.elapsed().as_secs_f64()
    );

    // 7. An #[idempotent] POST whose first answer is lost (the demo server
    //    creates the user, then answers 503): the retry carries the same
    //    Idempotency-Key, so the server creates one user, not two.
    let katherine = users
        .create(&NewUser {
            email: "katherine@example.com",
            name: "Katherine Johnson",
        })
        .await?;
    print!(
        "7. POST /users (#[idempotent]) -> created {} (id {})",
        katherine.name, katherine.id
    );
    match &demo {
        Some(demo) => println!(
            "; the server got {} POSTs and created {} user",
            demo.hits("POST /users"),
            demo.created()
        ),
        None => println!(),
    }

    // 8. OAuth2: tokens live 2 s on the demo server. Five calls at once make
    //    one token request; a second later the token is close to expiry, so
    //    the next five calls refresh it once, before it expires: no call
    //    ever sees a 401.
    if let Some(demo) = &demo {
        let authed = Client::builder(&base)
            .auth(OAuth2::client_credentials(
                demo.token_url(),
                "quickstart",
                "demo-secret",
            ))
            .build()?;
        let account = AccountClient::new(authed);
        for round in 1..=2 {
            let calls = (0..5).map(|_| account.me());
            let me = futures::future::try_join_all(calls).await?;
            println!(
                "8.{round} 5 concurrent GET /me as {} -> token requests so far: {}, 401s: {}",
                me[0].name,
                demo.hits("POST /oauth/token"),
                demo.hits("401")
            );
            if round == 1 {
                tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
            }
        }
    }

    // 9. Server-sent events: each event's data decoded into a `User` as it
    //    arrives. The demo drops the connection after two events; the stream
    //    reconnects by itself with `Last-Event-ID: 2` after the `retry:`
    //    delay the server asked for, and ends at `data: [DONE]`.
    let mut events = FeedClient::new(client.clone()).users().await?;
    let mut names = Vec::new();
    while let Some(event) = events.next().await {
        names.push(event?.data.name);
    }
    print!(
        "9. GET /events (EventStream<User>) -> {} events: {}",
        names.len(),
        names.join(", ")
    );
    match &demo {
        Some(demo) => println!(
            " ({} connections: the first dropped after two events, the stream resumed)",
            demo.hits("GET /events")
        ),
        None => println!(),
    }

    println!("\ndone: every call above went through one pooled `restrait::Client`.");
    Ok(())
}

/// `--base-url URL` points the same client at a real server.
fn base_url_argument() -> std::result::Result<Option<String>, String> {
    let mut args = std::env::args().skip(1);
    match (args.next().as_deref(), args.next()) {
        (None, _) => Ok(None),
        (Some("--base-url"), Some(url)) => Ok(Some(url)),
        (Some(other), _) => Err(format!(
            "unknown argument `{other}`; usage: quickstart [--base-url URL]"
        )),
    }
}
