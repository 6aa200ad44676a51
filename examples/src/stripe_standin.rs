//! A local stand-in for the few Stripe endpoints the `stripe` example calls,
//! answering as Stripe documents them: form-encoded bodies, idempotency keys
//! that replay the first result, `has_more` lists paged with
//! `starting_after`, and `{"error": {"type", "code", "message", "param"}}`
//! errors.
//!
//! One misbehaviour is staged: the first answer to each new idempotency key
//! is lost after the work is done (a 503 from "the gateway"), so that the
//! example shows a retry carrying the same key.

use std::collections::{BTreeMap, HashMap};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};

use axum::Router;
use axum::extract::{Form, Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use serde_json::{Value, json};

/// The secret key the stand-in accepts.
pub const API_KEY: &str = "sk_test_standin";

#[derive(Default)]
struct Db {
    /// Customers, oldest first (Stripe lists newest first).
    customers: Vec<Value>,
    /// The saved result of each idempotency key.
    replays: HashMap<String, (StatusCode, Value)>,
    /// Requests per route.
    hits: BTreeMap<String, u32>,
    /// Every `Idempotency-Key` received, in order.
    keys: Vec<String>,
    next: u64,
}

/// A running stand-in.
#[derive(Clone)]
pub struct StripeStandin {
    addr: SocketAddr,
    db: Arc<Mutex<Db>>,
}

type Shared = Arc<Mutex<Db>>;

impl StripeStandin {
    /// Serves on a free port of 127.0.0.1, with a dozen customers.
    pub async fn start() -> std::io::Result<StripeStandin> {
        let mut db = Db::default();
        for name in [
            "Ada Lovelace",
            "Grace Hopper",
            "Alan Turing",
            "Barbara Liskov",
            "Edsger Dijkstra",
            "Katherine Johnson",
            "Donald Knuth",
            "Frances Allen",
            "John Backus",
            "Margaret Hamilton",
            "Ken Thompson",
            "Radia Perlman",
        ] {
            let email = format!(
                "{}@example.com",
                name.split(' ').next().unwrap_or(name).to_lowercase()
            );
            insert(&mut db, name, &email, None);
        }
        let db = Arc::new(Mutex::new(db));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let app = Router::new()
            .route("/v1/customers", get(list_customers).post(create_customer))
            .route("/v1/customers/{id}", get(get_customer))
            .route("/v1/payment_intents", post(create_payment_intent))
            .with_state(db.clone());
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Ok(StripeStandin { addr, db })
    }

    /// Its base URL, in place of `https://api.stripe.com`.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// How many requests `route` (e.g. `POST /v1/customers`) received.
    pub fn hits(&self, route: &str) -> u32 {
        lock(&self.db).hits.get(route).copied().unwrap_or(0)
    }

    /// How many customers exist.
    pub fn customers(&self) -> usize {
        lock(&self.db).customers.len()
    }

    /// Every `Idempotency-Key` received, in order.
    pub fn idempotency_keys(&self) -> Vec<String> {
        lock(&self.db).keys.clone()
    }
}

fn lock(db: &Mutex<Db>) -> MutexGuard<'_, Db> {
    db.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

fn insert(db: &mut Db, name: &str, email: &str, description: Option<&str>) -> Value {
    db.next += 1;
    let customer = json!({
        "id": format!("cus_{:014}", db.next),
        "object": "customer",
        "name": name,
        "email": email,
        "description": description,
        "created": 1_700_000_000 + db.next,
        "livemode": false,
    });
    db.customers.push(customer.clone());
    customer
}

/// Stripe's error body.
fn error(
    status: StatusCode,
    kind: &str,
    code: Option<&str>,
    message: &str,
    param: Option<&str>,
) -> Response {
    let mut body = json!({"type": kind, "message": message});
    if let Some(code) = code {
        body["code"] = json!(code);
        body["doc_url"] = json!(format!(
            "https://stripe.com/docs/error-codes/{}",
            code.replace('_', "-")
        ));
    }
    if let Some(param) = param {
        body["param"] = json!(param);
    }
    (status, axum::Json(json!({ "error": body }))).into_response()
}

/// Counts the request; returns Stripe's 401 when the key is wrong.
fn check(db: &mut Db, route: &str, headers: &HeaderMap) -> Option<Response> {
    *db.hits.entry(route.to_owned()).or_default() += 1;
    let key = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "));
    if key == Some(API_KEY) {
        return None;
    }
    Some(error(
        StatusCode::UNAUTHORIZED,
        "invalid_request_error",
        None,
        "Invalid API Key provided",
        None,
    ))
}

/// Runs `work` once per idempotency key: a key seen before replays the saved
/// result with `Idempotent-Replayed: true`. The first answer for a new key
/// is lost on the way back (a 503), as a flaky gateway would lose it.
fn idempotent(
    db: &mut Db,
    headers: &HeaderMap,
    work: impl FnOnce(&mut Db) -> (StatusCode, Value),
) -> Response {
    let Some(key) = headers
        .get("idempotency-key")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
    else {
        let (status, body) = work(db);
        return (status, axum::Json(body)).into_response();
    };
    db.keys.push(key.clone());
    if let Some((status, body)) = db.replays.get(&key) {
        return (
            *status,
            [("idempotent-replayed", "true")],
            axum::Json(body.clone()),
        )
            .into_response();
    }
    let result = work(db);
    db.replays.insert(key, result);
    error(
        StatusCode::SERVICE_UNAVAILABLE,
        "api_error",
        None,
        "The gateway lost the response; retry with the same Idempotency-Key",
        None,
    )
}

#[derive(Deserialize)]
struct NewCustomer {
    email: Option<String>,
    name: Option<String>,
    description: Option<String>,
}

async fn create_customer(
    State(db): State<Shared>,
    headers: HeaderMap,
    Form(form): Form<NewCustomer>,
) -> Response {
    let mut db = lock(&db);
    if let Some(denied) = check(&mut db, "POST /v1/customers", &headers) {
        return denied;
    }
    idempotent(&mut db, &headers, |db| {
        let customer = insert(
            db,
            form.name.as_deref().unwrap_or(""),
            form.email.as_deref().unwrap_or(""),
            form.description.as_deref(),
        );
        (StatusCode::OK, customer)
    })
}

#[derive(Deserialize)]
struct ListQuery {
    limit: Option<usize>,
    starting_after: Option<String>,
    email: Option<String>,
}

async fn list_customers(
    State(db): State<Shared>,
    headers: HeaderMap,
    Query(q): Query<ListQuery>,
) -> Response {
    let mut db = lock(&db);
    if let Some(denied) = check(&mut db, "GET /v1/customers", &headers) {
        return denied;
    }
    let limit = q.limit.unwrap_or(10);
    if !(1..=100).contains(&limit) {
        return error(
            StatusCode::BAD_REQUEST,
            "invalid_request_error",
            Some("parameter_invalid_integer"),
            "This value must be greater than or equal to 1 and less than or equal to 100.",
            Some("limit"),
        );
    }
    // Newest first, like Stripe.
    let newest_first: Vec<&Value> = db
        .customers
        .iter()
        .rev()
        .filter(|c| q.email.as_deref().is_none_or(|e| c["email"] == e))
        .collect();
    let start = match &q.starting_after {
        None => 0,
        Some(id) => match newest_first.iter().position(|c| c["id"] == id.as_str()) {
            Some(i) => i + 1,
            None => {
                return error(
                    StatusCode::BAD_REQUEST,
                    "invalid_request_error",
                    Some("resource_missing"),
                    &format!("No such customer: '{id}'"),
                    Some("starting_after"),
                );
            }
        },
    };
    let data: Vec<Value> = newest_first
        .iter()
        .skip(start)
        .take(limit)
        .map(|c| (*c).clone())
        .collect();
    let has_more = start + data.len() < newest_first.len();
    axum::Json(json!({
        "object": "list",
        "url": "/v1/customers",
        "has_more": has_more,
        "data": data,
    }))
    .into_response()
}

async fn get_customer(
    State(db): State<Shared>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    let mut db = lock(&db);
    if let Some(denied) = check(&mut db, "GET /v1/customers/{id}", &headers) {
        return denied;
    }
    match db.customers.iter().find(|c| c["id"] == id.as_str()) {
        Some(customer) => axum::Json(customer.clone()).into_response(),
        None => error(
            StatusCode::NOT_FOUND,
            "invalid_request_error",
            Some("resource_missing"),
            &format!("No such customer: '{id}'"),
            Some("id"),
        ),
    }
}

#[derive(Deserialize)]
struct NewPaymentIntent {
    amount: Option<u64>,
    currency: Option<String>,
}

async fn create_payment_intent(
    State(db): State<Shared>,
    headers: HeaderMap,
    Form(form): Form<NewPaymentIntent>,
) -> Response {
    let mut db = lock(&db);
    if let Some(denied) = check(&mut db, "POST /v1/payment_intents", &headers) {
        return denied;
    }
    let currency = form.currency.unwrap_or_default();
    match form.amount {
        Some(amount) if amount >= 50 => axum::Json(json!({
            "id": "pi_standin",
            "object": "payment_intent",
            "amount": amount,
            "currency": currency,
            "status": "requires_payment_method",
        }))
        .into_response(),
        // Stripe checks parameters before any idempotent work starts.
        _ => error(
            StatusCode::BAD_REQUEST,
            "invalid_request_error",
            Some("amount_too_small"),
            &format!("Amount must be at least $0.50 {currency}"),
            Some("amount"),
        ),
    }
}
