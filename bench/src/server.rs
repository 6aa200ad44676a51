//! The loopback API the contenders call: hyper, HTTP/1.1 keep-alive, on a
//! thread and runtime of its own so that its work is not the client's.

use std::convert::Infallible;
use std::fmt::Write as _;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use bytes::Bytes;
use http::{Method, Request, Response, StatusCode, header};
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;

/// How many items `GET /users?cursor=` pages through.
pub(crate) const TOTAL_ITEMS: u64 = 10_000;
/// How long the token endpoint takes to answer, as a real one would.
const TOKEN_LATENCY: Duration = Duration::from_millis(20);

/// Counters the scenarios read.
#[derive(Debug, Default)]
pub(crate) struct Counters {
    /// Requests to `POST /oauth/token`.
    pub(crate) token_requests: AtomicU64,
    /// Requests to the always-503 route.
    pub(crate) unavailable_requests: AtomicU64,
}

/// A running server.
pub(crate) struct Server {
    /// `http://127.0.0.1:<port>`.
    pub(crate) base: String,
    pub(crate) counters: Arc<Counters>,
}

/// Starts the server on a new thread with a single-threaded runtime.
pub(crate) fn start() -> Server {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
    listener
        .set_nonblocking(true)
        .expect("make the listener non-blocking");
    let addr: SocketAddr = listener.local_addr().expect("listener address");
    let counters = Arc::new(Counters::default());
    let shared = counters.clone();
    std::thread::Builder::new()
        .name("bench-server".into())
        .spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("server runtime");
            runtime.block_on(serve(listener, shared));
        })
        .expect("spawn the server thread");
    Server {
        base: format!("http://{addr}"),
        counters,
    }
}

async fn serve(listener: std::net::TcpListener, counters: Arc<Counters>) {
    let listener = tokio::net::TcpListener::from_std(listener).expect("tokio listener");
    loop {
        let Ok((stream, _)) = listener.accept().await else {
            continue;
        };
        let _ = stream.set_nodelay(true);
        let counters = counters.clone();
        tokio::spawn(async move {
            let service = service_fn(move |req| {
                let counters = counters.clone();
                async move { Ok::<_, Infallible>(route(&counters, req).await) }
            });
            let _ = http1::Builder::new()
                .keep_alive(true)
                .serve_connection(TokioIo::new(stream), service)
                .await;
        });
    }
}

type Reply = Response<Full<Bytes>>;

async fn route(counters: &Counters, req: Request<Incoming>) -> Reply {
    let path = req.uri().path();
    match (req.method(), path) {
        (&Method::GET, "/users") => {
            let page = page(req.uri().query().unwrap_or(""));
            json(StatusCode::OK, page)
        }
        (&Method::GET, _) if path.starts_with("/users/") => {
            match path["/users/".len()..].parse::<u64>() {
                Ok(id) => {
                    let mut body = String::with_capacity(96);
                    user(&mut body, id);
                    json(StatusCode::OK, body)
                }
                Err(_) => json(
                    StatusCode::NOT_FOUND,
                    r#"{"message":"no such user"}"#.into(),
                ),
            }
        }
        (&Method::POST, "/users") => {
            let _ = req.into_body().collect().await;
            let mut body = String::with_capacity(96);
            user(&mut body, 10_001);
            json(StatusCode::CREATED, body)
        }
        (&Method::GET, "/unavailable") => {
            counters
                .unavailable_requests
                .fetch_add(1, Ordering::Relaxed);
            json(
                StatusCode::SERVICE_UNAVAILABLE,
                r#"{"message":"try later"}"#.into(),
            )
        }
        (&Method::POST, "/oauth/token") => {
            let n = counters.token_requests.fetch_add(1, Ordering::SeqCst) + 1;
            let _ = req.into_body().collect().await;
            tokio::time::sleep(TOKEN_LATENCY).await;
            json(
                StatusCode::OK,
                format!(r#"{{"access_token":"at-{n}","token_type":"Bearer","expires_in":3600}}"#),
            )
        }
        _ => json(StatusCode::NOT_FOUND, r#"{"message":"no route"}"#.into()),
    }
}

fn json(status: StatusCode, body: String) -> Reply {
    let mut response = Response::new(Full::new(Bytes::from(body)));
    *response.status_mut() = status;
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        header::HeaderValue::from_static("application/json"),
    );
    response
}

/// About 80 bytes: `{"id":42,"email":"user42@example.com","name":"User 42","active":true}`.
fn user(out: &mut String, id: u64) {
    let _ = write!(
        out,
        r#"{{"id":{id},"email":"user{id}@example.com","name":"User {id}","active":true}}"#
    );
}

/// `{"data":[users],"next_cursor":"<n>"|null}` from `cursor=<n>&limit=<k>`.
fn page(query: &str) -> String {
    let mut cursor = 0;
    let mut limit = 100;
    for pair in query.split('&') {
        match pair.split_once('=') {
            Some(("cursor", v)) => cursor = v.parse().unwrap_or(0),
            Some(("limit", v)) => limit = v.parse::<u64>().unwrap_or(100).clamp(1, 1000),
            _ => {}
        }
    }
    let end = (cursor + limit).min(TOTAL_ITEMS);
    let mut body = String::with_capacity(80 * (end.saturating_sub(cursor) as usize) + 40);
    body.push_str(r#"{"data":["#);
    for id in cursor..end {
        if id > cursor {
            body.push(',');
        }
        user(&mut body, id + 1);
    }
    body.push_str(r#"],"next_cursor":"#);
    if end < TOTAL_ITEMS {
        let _ = write!(body, r#""{end}"}}"#);
    } else {
        body.push_str("null}");
    }
    body
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_are_json_and_end() {
        let first: serde_json::Value = serde_json::from_str(&page("limit=3")).expect("json");
        assert_eq!(first["data"].as_array().map(Vec::len), Some(3));
        assert_eq!(first["next_cursor"], "3");
        let last: serde_json::Value =
            serde_json::from_str(&page("cursor=9999&limit=100")).expect("json");
        assert_eq!(last["data"].as_array().map(Vec::len), Some(1));
        assert!(last["next_cursor"].is_null());
        let mut one = String::new();
        user(&mut one, 42);
        assert!((60..=100).contains(&one.len()), "{one}");
    }
}
