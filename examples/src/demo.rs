//! A small in-memory users API served on 127.0.0.1, with endpoints that
//! misbehave on purpose (a flaky one, a rate-limited one, an event stream
//! that drops its connection) so that the quickstart can show what restrait
//! does about them.

use std::collections::{BTreeMap, HashMap};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{Value, json};

/// What the demo server has seen, for the story the quickstart tells.
#[derive(Default)]
pub struct Stats {
    /// Requests per route, e.g. `GET /flaky`.
    pub hits: BTreeMap<String, u32>,
    /// Users created, by idempotency key (or a fresh id when none was sent).
    pub created_by_key: HashMap<String, u64>,
}

#[derive(Default)]
struct Db {
    users: BTreeMap<u64, Value>,
    next_id: u64,
    stats: Stats,
    /// Access tokens issued, with when they expire.
    tokens: HashMap<String, Instant>,
}

/// How long the demo's access tokens live: short, so that the quickstart
/// sees one expire.
pub const TOKEN_LIFETIME: Duration = Duration::from_secs(2);

/// A running demo API.
#[derive(Clone)]
pub struct Demo {
    db: Arc<Mutex<Db>>,
    addr: SocketAddr,
}

impl Demo {
    /// Starts the demo API on a free port of 127.0.0.1.
    pub async fn start() -> std::io::Result<Demo> {
        let mut db = Db {
            next_id: 1,
            ..Db::default()
        };
        for (name, email) in [
            ("Ada Lovelace", "ada@example.com"),
            ("Grace Hopper", "grace@example.com"),
            ("Alan Turing", "alan@example.com"),
            ("Barbara Liskov", "barbara@example.com"),
            ("Edsger Dijkstra", "edsger@example.com"),
        ] {
            let id = db.next_id;
            db.next_id += 1;
            db.users
                .insert(id, json!({"id": id, "name": name, "email": email}));
        }
        let db = Arc::new(Mutex::new(db));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let app = Router::new()
            .route("/v1/users", get(list_users).post(create_user))
            .route("/v1/users/{id}", get(get_user).delete(delete_user))
            .route("/v1/flaky", get(flaky))
            .route("/v1/limited", get(limited))
            .route("/v1/me", get(me))
            .route("/v1/events", get(events))
            .route("/oauth/token", axum::routing::post(token))
            .with_state(db.clone());
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Ok(Demo { db, addr })
    }

    /// The API's base URL, e.g. `http://127.0.0.1:41234/v1`.
    pub fn base_url(&self) -> String {
        format!("http://{}/v1", self.addr)
    }

    /// The OAuth2 token endpoint (client-credentials grant; client id
    /// `quickstart`, secret `demo-secret`).
    pub fn token_url(&self) -> String {
        format!("http://{}/oauth/token", self.addr)
    }

    /// How many requests `route` (e.g. `GET /flaky`) received.
    pub fn hits(&self, route: &str) -> u32 {
        lock(&self.db).stats.hits.get(route).copied().unwrap_or(0)
    }

    /// How many users were created.
    pub fn created(&self) -> usize {
        lock(&self.db).stats.created_by_key.len()
    }
}

type Shared = Arc<Mutex<Db>>;

fn lock(db: &Mutex<Db>) -> MutexGuard<'_, Db> {
    db.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

fn hit(db: &mut Db, route: &str) -> u32 {
    let n = db.stats.hits.entry(route.to_owned()).or_default();
    *n += 1;
    *n
}

fn not_found(what: &str) -> Response {
    (
        StatusCode::NOT_FOUND,
        Json(json!({"error": {"message": format!("{what} not found")}})),
    )
        .into_response()
}

async fn get_user(State(db): State<Shared>, Path(id): Path<u64>) -> Response {
    let mut db = lock(&db);
    hit(&mut db, "GET /users/{id}");
    match db.users.get(&id) {
        Some(user) => Json(user.clone()).into_response(),
        None => not_found(&format!("user {id}")),
    }
}

#[derive(Deserialize)]
struct Paging {
    page: Option<usize>,
    per_page: Option<usize>,
}

async fn list_users(State(db): State<Shared>, Query(p): Query<Paging>) -> Response {
    let mut db = lock(&db);
    hit(&mut db, "GET /users");
    let per_page = p.per_page.unwrap_or(2).clamp(1, 100);
    let page = p.page.unwrap_or(1).max(1);
    let items: Vec<Value> = db
        .users
        .values()
        .skip((page - 1) * per_page)
        .take(per_page)
        .cloned()
        .collect();
    Json(items).into_response()
}

async fn create_user(
    State(db): State<Shared>,
    headers: HeaderMap,
    Json(body): Json<Value>,
) -> Response {
    let mut db = lock(&db);
    let attempt = hit(&mut db, "POST /users");
    let key = headers
        .get("idempotency-key")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    if let Some(id) = key.as_ref().and_then(|k| db.stats.created_by_key.get(k)) {
        // A retry of a request we already carried out: same answer, no new user.
        let user = db.users.get(id).cloned().unwrap_or(Value::Null);
        return (StatusCode::CREATED, Json(user)).into_response();
    }
    let id = db.next_id;
    db.next_id += 1;
    let user = json!({"id": id, "name": body["name"], "email": body["email"]});
    db.users.insert(id, user.clone());
    db.stats
        .created_by_key
        .insert(key.unwrap_or_else(|| format!("no-key-{id}")), id);
    if attempt == 1 {
        // The user is created, but the answer is "lost": the client sees a 503.
        return (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(json!({"error": {"message": "gateway hiccup"}})),
        )
            .into_response();
    }
    (StatusCode::CREATED, Json(user)).into_response()
}

async fn delete_user(State(db): State<Shared>, Path(id): Path<u64>) -> Response {
    let mut db = lock(&db);
    hit(&mut db, "DELETE /users/{id}");
    match db.users.remove(&id) {
        Some(_) => StatusCode::NO_CONTENT.into_response(),
        None => not_found(&format!("user {id}")),
    }
}

async fn flaky(State(db): State<Shared>) -> Response {
    let n = hit(&mut lock(&db), "GET /flaky");
    if n <= 2 {
        (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(json!({"message": format!("warming up ({n}/2)")})),
        )
            .into_response()
    } else {
        Json(json!({"status": "ok", "after_attempts": n})).into_response()
    }
}

async fn limited(State(db): State<Shared>) -> Response {
    let n = hit(&mut lock(&db), "GET /limited");
    if n == 1 {
        (
            StatusCode::TOO_MANY_REQUESTS,
            [("retry-after", "1")],
            Json(json!({"message": "slow down"})),
        )
            .into_response()
    } else {
        Json(json!({"status": "ok"})).into_response()
    }
}

async fn token(
    State(db): State<Shared>,
    headers: HeaderMap,
    axum::Form(form): axum::Form<HashMap<String, String>>,
) -> Response {
    let mut db = lock(&db);
    let n = hit(&mut db, "POST /oauth/token");
    let basic_ok = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        // base64("quickstart:demo-secret")
        .is_some_and(|v| v == "Basic cXVpY2tzdGFydDpkZW1vLXNlY3JldA==");
    if form.get("grant_type").map(String::as_str) != Some("client_credentials") || !basic_ok {
        return (
            StatusCode::BAD_REQUEST,
            Json(json!({"error": "invalid_client", "error_description": "unknown client"})),
        )
            .into_response();
    }
    let token = format!("demo-token-{n}");
    db.tokens
        .insert(token.clone(), Instant::now() + TOKEN_LIFETIME);
    Json(json!({
        "access_token": token,
        "token_type": "Bearer",
        "expires_in": TOKEN_LIFETIME.as_secs(),
    }))
    .into_response()
}

async fn me(State(db): State<Shared>, headers: HeaderMap) -> Response {
    let mut db = lock(&db);
    hit(&mut db, "GET /me");
    let token = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "));
    let valid = token
        .and_then(|t| db.tokens.get(t))
        .is_some_and(|expires| Instant::now() < *expires);
    if !valid {
        hit(&mut db, "401");
        return (
            StatusCode::UNAUTHORIZED,
            Json(json!({"error": {"message": "token missing or expired"}})),
        )
            .into_response();
    }
    Json(json!({"id": 1, "name": "Ada Lovelace", "email": "ada@example.com"})).into_response()
}

/// Server-sent events: one `user` event (id: the user's id) per user after
/// the `Last-Event-ID` the client sends, then `data: [DONE]`. The first
/// connection breaks after two events, as a flaky proxy would.
async fn events(State(db): State<Shared>, headers: HeaderMap) -> Response {
    let after = headers
        .get("last-event-id")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok())
        .unwrap_or(0);
    let (users, first) = {
        let mut db = lock(&db);
        let first = hit(&mut db, "GET /events") == 1;
        let users: Vec<(u64, Value)> = db
            .users
            .range(after.saturating_add(1)..)
            .map(|(id, user)| (*id, user.clone()))
            .collect();
        (users, first)
    };
    let drop_after = if first && users.len() > 2 {
        Some(2)
    } else {
        None
    };
    // Reconnect after 200 ms rather than the default 3 s.
    let mut chunks = vec!["retry: 200\n\n".to_owned()];
    for (id, user) in users.iter().take(drop_after.unwrap_or(usize::MAX)) {
        chunks.push(format!("event: user\nid: {id}\ndata: {user}\n\n"));
    }
    let last = futures::stream::once(async move {
        if drop_after.is_some() {
            // A pause first, so that the events before it go out.
            tokio::time::sleep(Duration::from_millis(50)).await;
            Err(std::io::Error::other("the demo drops the connection"))
        } else {
            Ok("data: [DONE]\n\n".to_owned())
        }
    });
    let body = futures::StreamExt::chain(futures::stream::iter(chunks.into_iter().map(Ok)), last);
    (
        [(axum::http::header::CONTENT_TYPE, "text/event-stream")],
        axum::body::Body::from_stream(body),
    )
        .into_response()
}
