//! A blocking client, for programs without an async runtime: CLIs, build
//! scripts, data jobs, test harnesses. Needs the `blocking` feature.
//!
//! With the feature, `#[resource]` also generates `{Trait}BlockingClient`:
//! the same methods with the same arguments, each returning
//! `restrait::Result<T>` once the response is decoded. A `#[paginate]`
//! method returns a lazy [`Paginator`] (an [`Iterator`] of `Result<T>`), a
//! `Result<ByteStream>` method a [`ByteStream`] that implements
//! [`std::io::Read`], and `Result<JsonLines<T>>` and
//! `Result<EventStream<T>>` methods the iterators [`JsonLines`] and
//! [`EventStream`] (which resumes after a dropped connection as the async
//! stream does).
//!
//! ```
//! use restrait::{resource, Result};
//!
//! #[derive(Debug, serde::Deserialize)]
//! pub struct User { pub id: u64, pub name: String }
//!
//! #[resource]
//! pub trait Users {
//!     #[get("/users/<id>")]
//!     async fn get(&self, id: u64) -> Result<User>;
//! }
//!
//! # fn main() -> Result<()> {
//! # use restrait::{http::Method, testing::{MockResponse, MockTransport}};
//! # let mock = MockTransport::new().route(Method::GET, "/v1/users/42",
//! #     MockResponse::json(200, &serde_json::json!({"id": 42, "name": "Ada"})));
//! let client = restrait::Client::builder("https://api.example.com/v1")
//!     .bearer_token("sk_test_123")
//! #   .transport(mock)
//!     .build_blocking()?;
//! let users = UsersBlockingClient::new(client.clone());
//! let ada = users.get(42)?;                      // no `.await`, no runtime
//! assert_eq!(ada.name, "Ada");
//! # Ok(()) }
//! ```
//!
//! Underneath is one async [`Client`](crate::Client): the same middleware
//! (tracing, redirects, retry, auth), the same typed errors, the same
//! transport (a [`MockTransport`](crate::testing::MockTransport) too).
//! A [`Client`] made with [`Client::new`] from an async client that other
//! code also uses shares its connection pool, retry budget and OAuth2 token
//! with that code: one token refresh runs for both.
//!
//! # How it runs
//!
//! Each blocking client (with its clones) starts one OS thread that drives
//! a current-thread Tokio runtime, as `reqwest::blocking` does. A call
//! runs its future on the calling thread inside that runtime's context and
//! blocks until it is done; the connections and token requests run on the
//! runtime thread. Many threads may call at once through clones of one
//! client (it is `Send + Sync`, and a clone is one `Arc`); they share the
//! pool. Dropping the last clone (and the last iterator or body made by it)
//! stops the thread and waits for it.
//!
//! A call made inside an async runtime (on a Tokio worker, in a
//! `block_on`, in `spawn_blocking`, anywhere
//! `tokio::runtime::Handle::try_current()` succeeds) returns
//! [`Error::Blocking`] at once, before anything is
//! sent: blocking there could stall that runtime. Use the async client
//! there; it is the same declaration.

mod iter;
pub(crate) mod private;
mod read;
mod runtime;

pub use iter::{EventStream, Iter, JsonLines, Paginator};
pub use read::ByteStream;

use std::fmt;
use std::future::Future;
use std::sync::Arc;

use bytes::Bytes;
use futures::Stream;

use crate::error::{Error, Result};
use crate::request::Request;
use crate::response::Response;
use runtime::RuntimeThread;

/// A blocking HTTP client: an async [`Client`](crate::Client) run on a
/// runtime thread of its own. Made by
/// [`ClientBuilder::build_blocking`](crate::ClientBuilder::build_blocking) or [`Client::new`]; give it to
/// `{Trait}BlockingClient::new`. Cloning is cheap (two `Arc`s), and clones
/// share the runtime thread and the pool.
///
/// ```
/// # fn main() -> restrait::Result<()> {
/// let client = restrait::Client::builder("https://api.example.com/v1").build_blocking()?;
/// let worker = client.clone();
/// std::thread::spawn(move || drop(worker)).join().expect("thread");
/// assert_eq!(client.async_client().base_url().as_str(), "https://api.example.com/v1");
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Client {
    client: crate::Client,
    runtime: Arc<RuntimeThread>,
}

impl Client {
    /// A blocking client over `client`, sharing its pool, middleware and
    /// auth with every other user of it. Starts the runtime thread;
    /// [`Error::Config`] if the thread or its runtime cannot be made.
    pub fn new(client: crate::Client) -> Result<Client> {
        let runtime = RuntimeThread::start().map_err(|e| {
            Error::config(format!(
                "cannot start the runtime thread of the blocking client: {e}"
            ))
        })?;
        Ok(Client {
            client,
            runtime: Arc::new(runtime),
        })
    }

    /// The async client underneath, for code that has a runtime.
    pub fn async_client(&self) -> &crate::Client {
        &self.client
    }

    /// Runs a request as [`crate::Client::execute`] does, blocking until
    /// the response is in memory, whatever its status.
    pub fn execute(&self, request: Request) -> Result<Response<Bytes>> {
        self.block_on(self.client.execute(request))?
    }

    /// Runs a request as [`crate::Client::execute_stream`] does, blocking
    /// until the response head has arrived; the body is a live
    /// [`ByteStream`]. Whatever the status.
    pub fn execute_stream(&self, request: Request) -> Result<Response<ByteStream>> {
        let response = self.block_on(self.client.execute_stream(request))??;
        let (status, call) = (response.status(), response.call().clone());
        Ok(response.map(|body| {
            let len = body.content_length();
            self.byte_stream(crate::ByteStream::new(body, len).for_call(status, call))
        }))
    }

    /// Any of restrait's streams (a [`Paginator`](crate::Paginator) of a
    /// hand-built request, [`JsonLines`](crate::JsonLines),
    /// [`EventStream`](crate::EventStream), ..) as a
    /// blocking iterator on this client's runtime.
    pub fn iter<S, T>(&self, stream: S) -> Iter<S>
    where
        S: Stream<Item = Result<T>> + Unpin,
    {
        self.wrap(stream)
    }

    /// Runs `future` on this client's runtime, blocking the calling thread
    /// until it is done; [`Error::Blocking`] inside an async runtime.
    pub(crate) fn block_on<F: Future>(&self, future: F) -> Result<F::Output> {
        self.runtime.block_on(future)
    }

    /// [`iter`](Self::iter) without its bounds, for generated code.
    pub(crate) fn wrap<S>(&self, stream: S) -> Iter<S> {
        Iter::new(stream, Arc::clone(&self.runtime))
    }

    pub(crate) fn byte_stream(&self, stream: crate::ByteStream) -> ByteStream {
        ByteStream::new(stream, Arc::clone(&self.runtime))
    }
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("blocking::Client")
            .field("client", &self.client)
            .field("runtime", &self.runtime)
            .finish()
    }
}

/// A call of a blocking client was made inside an async runtime
/// ([`Error::Blocking`]). Nothing was sent.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{message}")]
pub struct BlockingError {
    message: &'static str,
}

impl BlockingError {
    pub(crate) fn inside_runtime() -> Self {
        BlockingError {
            message: "a blocking restrait call was made inside an async runtime, where \
                      blocking the thread could stall it; nothing was sent. Use the async \
                      `{Trait}Client` there, or call from a thread without a runtime",
        }
    }

    /// What was wrong.
    pub fn message(&self) -> &str {
        self.message
    }
}

#[allow(dead_code)]
fn _assert_impls() {
    fn assert_send_sync<T: Send + Sync + Clone + 'static>() {}
    fn assert_send<T: Send + 'static>() {}
    assert_send_sync::<Client>();
    assert_send::<ByteStream>();
    assert_send::<Paginator<u32>>();
    assert_send::<JsonLines<u32>>();
    assert_send::<EventStream<u32>>();
}
