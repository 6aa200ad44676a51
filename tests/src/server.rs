//! A loopback HTTP server for tests.

use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use bytes::Bytes;
use futures::stream::{self, StreamExt};
use http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode};
use http_body_util::{BodyExt, Full, StreamBody, combinators::BoxBody};
use hyper::body::{Frame, Incoming};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

type Handler = dyn Fn(Recorded) -> Pin<Box<dyn Future<Output = Reply> + Send>> + Send + Sync;

/// A request as the server received it.
#[derive(Debug, Clone)]
pub struct Recorded {
    /// The method.
    pub method: Method,
    /// The request target as sent: path and query, not decoded.
    pub target: String,
    /// The headers.
    pub headers: HeaderMap,
    /// The body.
    pub body: Bytes,
    /// Which connection (1-based, in accept order) carried it.
    pub connection: usize,
}

impl Recorded {
    /// The path part of the target, not decoded.
    pub fn path(&self) -> &str {
        self.target.split('?').next().unwrap_or("")
    }
    /// The query part of the target, if any.
    pub fn query(&self) -> Option<&str> {
        self.target.split_once('?').map(|(_, q)| q)
    }
    /// A header as text.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
    /// The body as text.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
    /// The first line of the request, e.g. `GET /users/42 HTTP/1.1`.
    pub fn request_line(&self) -> String {
        format!("{} {} HTTP/1.1", self.method, self.target)
    }
}

/// What the server answers.
pub struct Reply {
    status: StatusCode,
    headers: HeaderMap,
    body: BoxBody<Bytes, std::io::Error>,
    delay: Option<Duration>,
}

impl Reply {
    /// An empty response.
    pub fn status(status: u16) -> Self {
        Reply {
            status: StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
            headers: HeaderMap::new(),
            body: full(Bytes::new()),
            delay: None,
        }
    }
    /// A JSON response.
    pub fn json(status: u16, value: &serde_json::Value) -> Self {
        Reply::status(status)
            .header("content-type", "application/json")
            .body(value.to_string())
    }
    /// A text response.
    pub fn text(status: u16, text: impl Into<String>) -> Self {
        Reply::status(status)
            .header("content-type", "text/plain")
            .body(text.into())
    }
    /// Adds a header.
    pub fn header(mut self, name: &str, value: &str) -> Self {
        if let (Ok(n), Ok(v)) = (HeaderName::try_from(name), HeaderValue::try_from(value)) {
            self.headers.append(n, v);
        }
        self
    }
    /// Sets the body.
    pub fn body(mut self, body: impl Into<Bytes>) -> Self {
        self.body = full(body.into());
        self
    }
    /// A body of `chunks` chunks of `chunk_size` bytes, made as it is sent
    /// (never all in memory), without a `Content-Length`.
    pub fn streamed(mut self, chunks: usize, chunk_size: usize) -> Self {
        let chunk = Bytes::from(vec![b'x'; chunk_size]);
        let frames = stream::repeat(chunk)
            .take(chunks)
            .map(|c| Ok::<_, std::io::Error>(Frame::data(c)));
        self.body = BodyExt::boxed(StreamBody::new(frames));
        self
    }
    /// A body sent chunk by chunk as `chunks` yields them, without a
    /// `Content-Length`. An `Err` breaks the connection mid-body, as a
    /// crashed server or proxy would; dropping the stream is how a test sees
    /// the client go away.
    pub fn stream(
        mut self,
        chunks: impl futures::Stream<Item = std::io::Result<Bytes>> + Send + Sync + 'static,
    ) -> Self {
        self.body = BodyExt::boxed(StreamBody::new(chunks.map(|c| c.map(Frame::data))));
        self
    }
    /// Waits this long before answering.
    pub fn after(mut self, delay: Duration) -> Self {
        self.delay = Some(delay);
        self
    }
}

#[derive(Default)]
struct State {
    requests: Mutex<Vec<Recorded>>,
    connections: AtomicUsize,
    in_flight: AtomicUsize,
    max_in_flight: AtomicUsize,
}

/// A running server; it stops when dropped.
pub struct TestServer {
    addr: std::net::SocketAddr,
    state: Arc<State>,
    task: JoinHandle<()>,
}

impl TestServer {
    /// Starts a server that answers every request with `handler`.
    pub async fn start<F, Fut>(handler: F) -> TestServer
    where
        F: Fn(Recorded) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Reply> + Send + 'static,
    {
        let handler: Arc<Handler> = Arc::new(move |r| Box::pin(handler(r)));
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind a loopback port");
        let addr = listener.local_addr().expect("local address");
        let state = Arc::new(State::default());
        let task = tokio::spawn(accept_loop(listener, state.clone(), handler));
        TestServer { addr, state, task }
    }

    /// Starts a server that gives every request the same reply.
    pub async fn fixed(status: u16, body: serde_json::Value) -> TestServer {
        TestServer::start(move |_| {
            let body = body.clone();
            async move { Reply::json(status, &body) }
        })
        .await
    }

    /// `http://127.0.0.1:<port>`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The address.
    pub fn addr(&self) -> std::net::SocketAddr {
        self.addr
    }

    /// Every request received so far.
    pub fn requests(&self) -> Vec<Recorded> {
        lock(&self.state.requests).clone()
    }

    /// The last request received.
    pub fn last(&self) -> Recorded {
        lock(&self.state.requests)
            .last()
            .cloned()
            .expect("the server received a request")
    }

    /// How many requests were received.
    pub fn request_count(&self) -> usize {
        lock(&self.state.requests).len()
    }

    /// How many TCP connections were accepted.
    pub fn connections(&self) -> usize {
        self.state.connections.load(Ordering::SeqCst)
    }

    /// The most requests that were being handled at the same time.
    pub fn max_in_flight(&self) -> usize {
        self.state.max_in_flight.load(Ordering::SeqCst)
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

fn full(bytes: Bytes) -> BoxBody<Bytes, std::io::Error> {
    Full::new(bytes).map_err(|never| match never {}).boxed()
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

async fn accept_loop(listener: TcpListener, state: Arc<State>, handler: Arc<Handler>) {
    let mut connections = tokio::task::JoinSet::new();
    while let Ok((stream, _)) = listener.accept().await {
        let connection = state.connections.fetch_add(1, Ordering::SeqCst) + 1;
        let state = state.clone();
        let handler = handler.clone();
        let service = service_fn(move |req: http::Request<Incoming>| {
            let state = state.clone();
            let handler = handler.clone();
            async move { Ok::<_, Infallible>(serve(req, connection, &state, &*handler).await) }
        });
        connections.spawn(async move {
            let _ = http1::Builder::new()
                .serve_connection(TokioIo::new(stream), service)
                .await;
        });
    }
}

async fn serve(
    req: http::Request<Incoming>,
    connection: usize,
    state: &State,
    handler: &Handler,
) -> http::Response<BoxBody<Bytes, std::io::Error>> {
    let _guard = InFlight::enter(state);
    let (parts, body) = req.into_parts();
    let body = body
        .collect()
        .await
        .map(|b| b.to_bytes())
        .unwrap_or_default();
    let recorded = Recorded {
        method: parts.method,
        target: parts
            .uri
            .path_and_query()
            .map(|p| p.as_str().to_owned())
            .unwrap_or_default(),
        headers: parts.headers,
        body,
        connection,
    };
    lock(&state.requests).push(recorded.clone());
    let reply = handler(recorded).await;
    if let Some(delay) = reply.delay {
        tokio::time::sleep(delay).await;
    }
    let mut response = http::Response::new(reply.body);
    *response.status_mut() = reply.status;
    *response.headers_mut() = reply.headers;
    response
}

/// Counts a request as in flight until dropped (also when the client goes
/// away mid-request and hyper drops the handler).
struct InFlight<'a>(&'a State);

impl<'a> InFlight<'a> {
    fn enter(state: &'a State) -> Self {
        let now = state.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
        state.max_in_flight.fetch_max(now, Ordering::SeqCst);
        InFlight(state)
    }
}

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        self.0.in_flight.fetch_sub(1, Ordering::SeqCst);
    }
}
