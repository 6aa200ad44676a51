//! Testing your own clients without a network.
//!
//! [`MockTransport`] answers requests from a route table or a closure and
//! records every request it was sent:
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")] async fn main() -> restrait::Result<()> {
//! use restrait::testing::{MockResponse, MockTransport};
//! use restrait::{http::Method, Client, Request};
//!
//! let mock = MockTransport::new()
//!     .route(Method::GET, "/users/42", MockResponse::json(200, &serde_json::json!({"id": 42})))
//!     .route(Method::GET, "/users/7", MockResponse::new(404));
//! let client = Client::builder("https://api.test").transport(mock.clone()).build()?;
//!
//! let req = Request::new(Method::GET, "https://api.test/users/42".parse().expect("url"));
//! let response = client.execute(req).await?;
//! assert_eq!(response.status(), 200);
//! assert_eq!(mock.requests()[0].url().path(), "/users/42");
//! # Ok(()) }
//! ```
//!
//! A [`Cassette`] records real exchanges to a file once, secrets scrubbed,
//! and replays them offline after; see [`cassette`].

mod body;
pub mod cassette;

pub use cassette::{Cassette, CassetteError, Match};

use std::collections::VecDeque;
use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use bytes::Bytes;
use http::header::{CONTENT_LENGTH, CONTENT_TYPE, HeaderName, HeaderValue};
use http::{HeaderMap, Method, StatusCode};

use crate::error::{TransportError, TransportErrorKind};
use crate::middleware::BoxFuture;
use crate::request::Request;
use crate::transport::{Transport, TransportResponse};

type Handler = dyn Fn(&Request) -> MockResponse + Send + Sync;

/// A [`Transport`] that answers from routes or a closure and records requests.
///
/// Routes match the method and the URL path exactly (the query is ignored).
/// Several responses for one route are given in turn, the last one repeating,
/// so `503, 503, 200` tests a retry. A request no route matches goes to the
/// closure given to [`from_fn`](MockTransport::from_fn), or else gets a 404
/// whose body names the request.
#[derive(Clone, Default)]
pub struct MockTransport {
    inner: Arc<Inner>,
}

#[derive(Default)]
struct Inner {
    routes: Mutex<Vec<Route>>,
    fallback: Option<Box<Handler>>,
    requests: Mutex<Vec<Request>>,
}

struct Route {
    method: Method,
    path: String,
    responses: VecDeque<MockResponse>,
}

impl MockTransport {
    /// A mock with no routes.
    pub fn new() -> Self {
        Self::default()
    }

    /// A mock that answers every request (not matched by a route) with `handler`.
    pub fn from_fn(handler: impl Fn(&Request) -> MockResponse + Send + Sync + 'static) -> Self {
        MockTransport {
            inner: Arc::new(Inner {
                fallback: Some(Box::new(handler)),
                ..Inner::default()
            }),
        }
    }

    /// Adds a response for `method` and `path`.
    pub fn route(self, method: Method, path: &str, response: MockResponse) -> Self {
        self.add_route(method, path, response);
        self
    }

    /// Adds a response for `method` and `path` to a mock already in use.
    pub fn add_route(&self, method: Method, path: &str, response: MockResponse) {
        let mut routes = lock(&self.inner.routes);
        match routes
            .iter_mut()
            .find(|r| r.method == method && r.path == path)
        {
            Some(route) => route.responses.push_back(response),
            None => routes.push(Route {
                method,
                path: path.to_owned(),
                responses: VecDeque::from([response]),
            }),
        }
    }

    /// Every request sent so far, in order, each with its body in memory
    /// (a file, stream or form body is read as it is sent).
    pub fn requests(&self) -> Vec<Request> {
        lock(&self.inner.requests)
            .iter()
            .filter_map(Request::try_clone)
            .collect()
    }

    /// The last request sent, with its body in memory.
    pub fn last_request(&self) -> Option<Request> {
        lock(&self.inner.requests)
            .last()
            .and_then(Request::try_clone)
    }

    fn answer(&self, request: &Request) -> MockResponse {
        let mut routes = lock(&self.inner.routes);
        let path = request.url().path();
        if let Some(route) = routes
            .iter_mut()
            .find(|r| r.method == *request.method() && r.path == path)
        {
            let next = if route.responses.len() > 1 {
                route.responses.pop_front()
            } else {
                route.responses.front().cloned()
            };
            if let Some(response) = next {
                return response;
            }
        }
        drop(routes);
        match &self.inner.fallback {
            Some(handler) => handler(request),
            None => MockResponse::json(
                404,
                &serde_json::json!({
                    "message": format!("MockTransport has no route for {} {}", request.method(), path)
                }),
            ),
        }
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panic in a user's handler must not make every later test call panic.
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// The request with its body read into memory (a file, a stream, a form),
/// as the server would have received it, so that it can be recorded and
/// looked at. A body that fails while read fails the send.
async fn buffered(mut request: Request) -> Result<Request, TransportError> {
    if request.body().as_bytes().is_some() || request.body().is_empty() {
        return Ok(request);
    }
    let failed = |e: crate::Error| {
        TransportError::new(
            TransportErrorKind::Request,
            format!("the request body could not be read: {e}"),
            Some(Box::new(e)),
        )
    };
    let body = request.take_body().open().await.map_err(failed)?;
    let mut stream = body.into_stream();
    let mut bytes = bytes::BytesMut::new();
    while let Some(chunk) = futures::StreamExt::next(&mut stream).await {
        bytes.extend_from_slice(&chunk.map_err(failed)?);
    }
    request.set_body(bytes.freeze());
    Ok(request)
}

impl Transport for MockTransport {
    fn send(&self, request: Request) -> BoxFuture<'_, Result<TransportResponse, TransportError>> {
        Box::pin(async move {
            let request = buffered(request).await?;
            let response = self.answer(&request);
            lock(&self.inner.requests).push(request);
            if let Some((kind, message)) = response.error {
                return Err(TransportError::new(kind, message, None));
            }
            Ok(TransportResponse {
                status: response.status,
                body: response.body.into_body(content_length(&response.headers)),
                headers: response.headers,
            })
        })
    }
}

impl fmt::Debug for MockTransport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MockTransport")
            .field("routes", &lock(&self.inner.routes).len())
            .field("requests", &lock(&self.inner.requests).len())
            .finish()
    }
}

/// The `Content-Length` a mock response declares, if any.
fn content_length(headers: &HeaderMap) -> Option<u64> {
    headers.get(CONTENT_LENGTH)?.to_str().ok()?.parse().ok()
}

/// A canned answer of a [`MockTransport`].
///
/// Its body is in memory ([`body`](Self::body)) or streamed: a script of
/// [`chunk`](Self::chunk)s, [`pause`](Self::pause)s and a
/// [`drop_connection`](Self::drop_connection), played on tokio's clock, so
/// that code that reads a stream (a download, JSON Lines, server-sent
/// events) can be tested without a server, paused time included:
///
/// ```
/// # #[tokio::main(flavor = "current_thread")] async fn main() -> restrait::Result<()> {
/// use std::time::Duration;
/// use futures::StreamExt;
/// use restrait::testing::{MockResponse, MockTransport};
/// use restrait::{http::Method, Client, Request};
///
/// let mock = MockTransport::new().route(
///     Method::GET,
///     "/feed",
///     MockResponse::new(200)
///         .chunk("first ")
///         .pause(Duration::from_millis(10))
///         .chunk("second")
///         .drop_connection(),
/// );
/// let client = Client::builder("https://api.test").transport(mock).build()?;
/// let request = Request::new(Method::GET, "https://api.test/feed".parse().expect("url"));
/// let mut body = client.execute_stream(request).await?.into_body();
/// assert_eq!(body.next().await.transpose()?.as_deref(), Some(&b"first "[..]));
/// assert_eq!(body.next().await.transpose()?.as_deref(), Some(&b"second"[..]));
/// let dropped = body.next().await.and_then(|r| r.err()).expect("an error");
/// assert!(matches!(dropped, restrait::Error::Transport(_)));
/// # Ok(()) }
/// ```
#[derive(Clone, Debug)]
pub struct MockResponse {
    status: StatusCode,
    headers: HeaderMap,
    body: body::MockBody,
    error: Option<(TransportErrorKind, String)>,
}

impl MockResponse {
    /// An empty response with `status` (an invalid status becomes 500).
    pub fn new(status: u16) -> Self {
        MockResponse {
            status: StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
            headers: HeaderMap::new(),
            body: body::MockBody::Full(Bytes::new()),
            error: None,
        }
    }

    /// A JSON response.
    pub fn json<T: serde::Serialize + ?Sized>(status: u16, value: &T) -> Self {
        let body = serde_json::to_vec(value).unwrap_or_default();
        MockResponse::new(status)
            .header("content-type", "application/json")
            .body(body)
    }

    /// A plain-text response.
    pub fn text(status: u16, text: impl Into<String>) -> Self {
        MockResponse::new(status)
            .header("content-type", "text/plain; charset=utf-8")
            .body(text.into())
    }

    /// Adds a header (an invalid name or value is skipped).
    pub fn header(mut self, name: &str, value: &str) -> Self {
        if let (Ok(name), Ok(value)) = (HeaderName::try_from(name), HeaderValue::try_from(value)) {
            if name == CONTENT_TYPE {
                self.headers.insert(name, value);
            } else {
                self.headers.append(name, value);
            }
        }
        self
    }

    /// Sets the body, in memory (replacing any chunks given before).
    pub fn body(mut self, body: impl Into<Bytes>) -> Self {
        self.body = body::MockBody::Full(body.into());
        self
    }

    /// Streams the body: adds one chunk, sent after the ones before it (a
    /// body set with [`body`](Self::body) becomes the first chunk).
    pub fn chunk(mut self, chunk: impl Into<Bytes>) -> Self {
        self.body.push(body::Step::Chunk(chunk.into()));
        self
    }

    /// Streams the body: adds each of `chunks`, in order.
    pub fn chunks<C: Into<Bytes>>(mut self, chunks: impl IntoIterator<Item = C>) -> Self {
        for chunk in chunks {
            self.body.push(body::Step::Chunk(chunk.into()));
        }
        self
    }

    /// Streams the body: waits `wait` (on tokio's clock) before the next chunk.
    pub fn pause(mut self, wait: Duration) -> Self {
        self.body.push(body::Step::Pause(wait));
        self
    }

    /// Streams the body: the connection drops here, after the chunks before
    /// it. The reader gets a transport error ([`TransportErrorKind::Body`]),
    /// and the stream ends.
    pub fn drop_connection(mut self) -> Self {
        self.body.push(body::Step::Drop);
        self
    }

    /// Fails as if the server could not be reached.
    pub fn connect_error() -> Self {
        let mut r = MockResponse::new(500);
        r.error = Some((
            TransportErrorKind::Connect,
            "connection refused (mock)".into(),
        ));
        r
    }

    /// Fails as if the connection broke after the request was sent.
    pub fn request_error() -> Self {
        let mut r = MockResponse::new(500);
        r.error = Some((
            TransportErrorKind::Request,
            "connection reset (mock)".into(),
        ));
        r
    }
}
