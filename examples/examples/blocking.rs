//! The same `#[resource]` declaration, called without async: the
//! `{Trait}BlockingClient` of restrait's `blocking` feature.
//!
//! Runs against the quickstart's embedded demo API on 127.0.0.1 (no network
//! needed). `main` is a plain `fn`: the demo server runs on a runtime of its
//! own, standing in for a remote API, and the client needs none.
//!
//! ```text
//! cargo run --example blocking
//! ```

use restrait::{Client, Error, Paginator, Result, resource};
use restrait_examples::demo::Demo;
use serde::{Deserialize, Serialize};

/// A user of the demo API.
#[derive(Debug, Deserialize)]
pub struct User {
    /// Its id.
    pub id: u64,
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

/// Declared once; `#[resource]` writes `UsersClient` (async) and, with the
/// `blocking` feature, `UsersBlockingClient`.
#[resource]
pub trait Users {
    /// One user by id.
    #[get("/users/<id>")]
    async fn get(&self, id: u64) -> Result<User>;

    /// Every user, page by page as it is read.
    #[get("/users")]
    #[paginate(page = "page", per_page = "per_page")]
    fn all(&self, #[query] per_page: Option<u32>) -> Paginator<User>;

    /// Creates a user; retried safely with one idempotency key.
    #[post("/users")]
    #[idempotent]
    async fn create(&self, #[body] user: &NewUser<'_>) -> Result<User>;

    /// Deletes a user.
    #[delete("/users/<id>")]
    async fn delete(&self, id: u64) -> Result<()>;
}

/// Endpoints that misbehave on purpose.
#[resource]
pub trait Ops {
    /// Answers 503 twice, then 200.
    #[get("/flaky")]
    async fn flaky(&self) -> Result<serde_json::Value>;
}

fn main() -> std::result::Result<(), Box<dyn std::error::Error>> {
    // The demo API, on a runtime of its own: the "remote" server.
    let server = tokio::runtime::Runtime::new()?;
    let demo = server.block_on(Demo::start())?;
    let base = demo.base_url();
    println!("restrait blocking client against {base}\n");

    // The same builder as the async client; `build_blocking` instead of `build`.
    let client = Client::builder(&base)
        .user_agent("restrait-blocking-example")
        .build_blocking()?;
    let users = UsersBlockingClient::new(client.clone());

    // 1. A GET: the same method and arguments, no `.await`.
    let ada = users.get(1)?;
    println!("1. GET /users/1 -> {} (a `User`)", ada.name);

    // 2. The same typed errors.
    match users.get(999) {
        Err(Error::NotFound(e)) => println!("2. GET /users/999 -> NotFound: {}", e.message()),
        other => println!("2. unexpected: {other:?}"),
    }

    // 3. The same retry policy: the 503s are retried on the runtime thread.
    let ops = OpsBlockingClient::new(client.clone());
    ops.flaky()?;
    println!(
        "3. GET /flaky -> 200 after {} attempts (two 503s retried)",
        demo.hits("GET /flaky")
    );

    // 4. An idempotent POST, and a DELETE.
    let grace = users.create(&NewUser {
        email: "grace@navy.mil",
        name: "Grace Brewster Hopper",
    })?;
    users.delete(grace.id)?;
    println!("4. POST /users -> #{}, then DELETE it", grace.id);

    // 5. A `#[paginate]` method is a lazy `Iterator<Item = Result<User>>`.
    let names = users
        .all(Some(2))
        .map(|user| user.map(|u| u.name))
        .collect::<Result<Vec<_>>>()?;
    println!(
        "5. every user, 2 per page: {} users in {} page requests",
        names.len(),
        demo.hits("GET /users")
    );

    // 6. Plain threads share one client: one runtime thread, one pool.
    let threads: Vec<_> = (1..=5)
        .map(|id| {
            let users = users.clone();
            std::thread::spawn(move || users.get(id).map(|u| u.name))
        })
        .collect();
    for thread in threads {
        let name = thread.join().map_err(|_| "a thread panicked")??;
        println!("6. from a thread of its own: {name}");
    }

    // 7. Inside an async runtime a blocking call is a typed error, never a
    //    deadlock: use `UsersClient` there.
    let inside = server.block_on(async { users.get(1) });
    if let Err(Error::Blocking(e)) = inside {
        println!("7. inside a runtime -> Error::Blocking: {e}");
    }
    Ok(())
}
