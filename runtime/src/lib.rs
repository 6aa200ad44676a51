//! Declarative HTTP API clients.
//!
//! Write a trait, annotate each method with its HTTP verb and path, and
//! [`#[resource]`](macro@resource) turns it into a client that runs on a
//! shared runtime: a pooled transport, middleware (tracing, redirects, retry, auth),
//! typed errors and serde models.
//!
//! ```
//! use restrait::{resource, Client, Error, Result};
//! use serde::{Deserialize, Serialize};
//!
//! #[derive(Debug, Deserialize)]
//! pub struct User { pub id: u64, pub email: String, pub name: String }
//!
//! #[derive(Serialize)]
//! pub struct NewUser<'a> { pub email: &'a str, pub name: &'a str }
//!
//! #[resource]
//! pub trait Users {
//!     #[get("/users/<id>")]
//!     async fn get(&self, id: u64) -> Result<User>;
//!
//!     #[post("/users")]
//!     #[idempotent]
//!     async fn create(&self, #[body] user: &NewUser<'_>) -> Result<User>;
//! }
//!
//! # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<()> {
//! # use restrait::{http::Method, testing::{MockResponse, MockTransport}};
//! # let mock = MockTransport::new()
//! #     .route(Method::GET, "/v1/users/42", MockResponse::json(200, &serde_json::json!(
//! #         {"id": 42, "email": "ada@example.com", "name": "Ada"})))
//! #     .route(Method::GET, "/v1/users/7", MockResponse::json(404, &serde_json::json!(
//! #         {"message": "no such user"})));
//! let client = Client::builder("https://api.example.com/v1")
//!     .bearer_token("sk_test_123")
//! #   .transport(mock)
//!     .build()?;
//! let users = UsersClient::new(client.clone());
//!
//! let ada = users.get(42).await?;            // GET https://api.example.com/v1/users/42
//! assert_eq!(ada.name, "Ada");
//!
//! match users.get(7).await {
//!     Err(Error::NotFound(e)) => assert_eq!(e.message(), "no such user"),
//!     other => panic!("expected a 404, got {other:?}"),
//! }
//! # Ok(()) }
//! ```
//!
//! The pieces, outermost first:
//!
//! - the generated `{Trait}Client` builds a request description from the
//!   arguments (path, query, headers, body) and calls the runtime;
//! - [`Client`] adds the base URL, default headers and per-call
//!   [`CallOptions`], and runs the [`Middleware`] chain: tracing, the
//!   [`Cache`] (opt-in), [redirects](ClientBuilder::max_redirects),
//!   [retry](RetryPolicy), the [rate limit](ClientBuilder::rate_limit)
//!   (opt-in), [`auth`], then yours;
//! - a [`Transport`] sends it: a pooled `reqwest::Client` by default,
//!   `HyperTransport` (feature `hyper-transport`), or
//!   [`testing::MockTransport`] in tests;
//! - the [`Response`] becomes a typed [`Error`] or the decoded value;
//!   list endpoints become lazy [`Paginator`] streams.
//!
//! [`Client::execute`] runs any hand-built [`Request`] through the same
//! pipeline.
//!
//! With the `blocking` feature, `#[resource]` also generates
//! `{Trait}BlockingClient`, the same methods without async, on
//! `restrait::blocking::Client` (an internal runtime thread under the same
//! client).

mod client;
pub mod codec;
mod error;
mod middleware;
mod paginate;
mod path;
mod query;
mod redact;
mod request;
mod response;
mod retry_after;
mod transport;

#[cfg(feature = "blocking")]
pub mod blocking;
#[cfg(feature = "fuzzing")]
#[doc(hidden)]
pub mod fuzzing;
pub use middleware::auth;
#[cfg(feature = "redis")]
pub mod redis;
pub use request::body;
pub use request::body::multipart;
pub mod testing;

pub use restrait_macros::{
    delete, get, head, headers, idempotent, options, paginate, patch, post, put, rate_limit,
    resource, retry, timeout,
};

pub use auth::OAuth2;
pub use client::CallOptions;
pub use client::Client;
pub use client::{ClientBuilder, DEFAULT_MAX_BODY_SIZE, DEFAULT_MAX_ERROR_BODY};
pub use codec::Codec;
pub use error::{
    ApiError, AuthError, BodyTooLarge, CallInfo, ConfigError, DecodeError, Error, InvalidRequest,
    PaginationError, RedirectError, RedirectErrorKind, Result, TimeoutError, TimeoutKind,
    TransportError, TransportErrorKind,
};
pub use middleware::cache::{Cache, CacheStats, CacheStatus};
pub use middleware::rate_limit::{Quota, RateLimitGroup};
pub use middleware::redirect::DEFAULT_MAX_REDIRECTS;
pub use middleware::retry::{DEFAULT_RETRY_STATUSES, RetryBudget, RetryPolicy};
pub use middleware::trace::TracingMiddleware;
pub use middleware::{BoxFuture, Middleware, Next};
pub use paginate::{DEFAULT_MAX_PAGES, Page, Pages, Pagination, Paginator};
pub use request::body::Body;
pub use request::{Operation, Request};
pub use response::{
    ByteStream, DEFAULT_RECONNECT_DELAY, Event, EventStream, JsonLines, Progress, Response,
    ResponseBody,
};
#[cfg(feature = "hyper-transport")]
pub use transport::{HyperTransport, HyperTransportBuilder};
pub use transport::{ReqwestTransport, Transport, TransportResponse};

/// The `bytes` crate: bodies are [`Bytes`](bytes::Bytes).
pub use bytes;
/// The `http` crate, whose types (`Method`, `StatusCode`, `HeaderMap`) restrait uses.
pub use http;
/// The `reqwest` crate, whose `Client` and `ClientBuilder`
/// [`ClientBuilder::reqwest_client`] and
/// [`ClientBuilder::reqwest_client_builder`] take: the same version as
/// restrait's.
pub use reqwest;
/// The `url` crate, whose `Url` requests carry.
pub use url;

#[doc(hidden)]
#[path = "private/mod.rs"]
pub mod __private;
