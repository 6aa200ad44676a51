//! Declarative HTTP API clients.
//!
//! Write a trait, annotate each method with its HTTP verb and path, and
//! `#[resource]` turns it into a client that runs on a shared runtime: a
//! pooled transport, middleware (tracing, retry, auth), typed errors and
//! serde models.
//!
//! The runtime can also be used directly: [`Client::execute`] runs any
//! [`Request`] through the same pipeline.
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")] async fn main() -> restrait::Result<()> {
//! use restrait::testing::{MockResponse, MockTransport};
//! use restrait::{http::Method, Client, Request};
//!
//! let mock = MockTransport::new()
//!     .route(Method::GET, "/v1/users/42", MockResponse::new(404));
//! let client = Client::builder("https://api.example.com/v1").transport(mock).build()?;
//! let request = Request::new(Method::GET, "https://api.example.com/v1/users/42".parse().expect("url"));
//! let err = client.execute(request).await?.error_for_status().unwrap_err();
//! assert!(matches!(err, restrait::Error::NotFound(_)));
//! # Ok(()) }
//! ```

mod builder;
mod client;
mod error;
mod error_body;
mod middleware;
mod options;
mod paginate;
mod path;
mod query;
mod redact;
mod request;
mod response;
mod retry;
mod retry_after;
mod trace;
mod transport;

pub mod auth;
#[cfg(feature = "fuzzing")]
#[doc(hidden)]
pub mod fuzzing;
pub mod testing;

pub use restrait_macros::{
    delete, get, head, headers, idempotent, options, paginate, patch, post, put, resource, retry,
    timeout,
};

pub use auth::OAuth2;
pub use builder::{ClientBuilder, DEFAULT_MAX_BODY_SIZE, DEFAULT_MAX_ERROR_BODY};
pub use client::Client;
pub use error::{
    ApiError, AuthError, BodyTooLarge, CallInfo, ConfigError, DecodeError, Error, InvalidRequest,
    PaginationError, Result, TimeoutError, TimeoutKind, TransportError, TransportErrorKind,
};
pub use middleware::{BoxFuture, Middleware, Next};
pub use options::CallOptions;
pub use paginate::{DEFAULT_MAX_PAGES, Page, Pages, Pagination, Paginator};
pub use request::Request;
pub use response::Response;
pub use retry::{DEFAULT_RETRY_STATUSES, RetryBudget, RetryPolicy};
pub use trace::TracingMiddleware;
pub use transport::{Body, ReqwestTransport, Transport, TransportResponse};

/// The `bytes` crate: bodies are [`Bytes`](bytes::Bytes).
pub use bytes;
/// The `http` crate, whose types (`Method`, `StatusCode`, `HeaderMap`) restrait uses.
pub use http;
/// The `url` crate, whose `Url` requests carry.
pub use url;

#[doc(hidden)]
#[path = "private/mod.rs"]
pub mod __private;
