//! Proxies, against a loopback stand-in for one: the environment cannot be
//! set in a test (other threads read it), so the matcher is handed in.

use std::sync::Arc;

use futures::StreamExt;
use http::Method;
use hyper_util::client::proxy::matcher::Matcher;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

use super::HyperTransport;
use crate::error::TransportErrorKind;
use crate::request::Request;
use crate::transport::Transport;

/// A proxy that answers one connection with `reply` and hands back the
/// request head it read.
async fn proxy(reply: &'static str) -> (String, tokio::task::JoinHandle<String>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let url = format!(
        "http://u%40x:p%3Aw@{}",
        listener.local_addr().expect("addr")
    );
    let seen = tokio::spawn(async move {
        let (mut conn, _) = listener.accept().await.expect("accept");
        let mut head = Vec::new();
        let mut byte = [0u8; 1];
        while !head.ends_with(b"\r\n\r\n") {
            conn.read_exact(&mut byte).await.expect("read");
            head.push(byte[0]);
        }
        conn.write_all(reply.as_bytes()).await.expect("write");
        String::from_utf8_lossy(&head).into_owned()
    });
    (url, seen)
}

fn through(proxy: &str) -> HyperTransport {
    let matcher = Matcher::builder().http(proxy).https(proxy).build();
    HyperTransport::builder()
        .build_with(Some(Arc::new(matcher)))
        .expect("transport")
}

fn get(url: &str) -> Request {
    Request::new(Method::GET, url.parse().expect("url"))
}

#[tokio::test]
async fn plain_http_goes_to_the_proxy_in_absolute_form_with_its_credentials() {
    let (url, seen) = proxy("HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok").await;
    let transport = through(&url);
    let response = transport
        .send(get("http://api.invalid/users?page=2"))
        .await
        .expect("sent through the proxy");
    assert_eq!(response.status, 200);
    let mut body = response.body;
    let chunk = body.next().await.expect("a chunk").expect("body");
    assert_eq!(&chunk[..], b"ok");
    let head = seen.await.expect("proxy").to_ascii_lowercase();
    assert!(
        head.starts_with("get http://api.invalid/users?page=2 http/1.1\r\n"),
        "{head}"
    );
    // base64("u@x:p:w")
    assert!(
        head.contains("proxy-authorization: basic dub4ona6dw=="),
        "{head}"
    );
}

#[tokio::test]
async fn https_tunnels_through_connect_and_a_refused_tunnel_is_a_connect_error() {
    let (url, seen) = proxy("HTTP/1.1 403 Forbidden\r\ncontent-length: 0\r\n\r\n").await;
    let transport = through(&url);
    let err = transport
        .send(get("https://api.invalid/users"))
        .await
        .expect_err("the proxy refused the tunnel");
    assert_eq!(err.kind(), TransportErrorKind::Connect, "{err}");
    let head = seen.await.expect("proxy").to_ascii_lowercase();
    assert!(
        head.starts_with("connect api.invalid:443 http/1.1\r\n"),
        "{head}"
    );
    assert!(head.contains("proxy-authorization: basic "), "{head}");
    assert!(!err.to_string().contains("p:w"), "{err}");
}

#[tokio::test]
async fn a_proxy_other_than_http_is_refused_before_anything_is_sent() {
    let transport = through("socks5://127.0.0.1:1");
    let err = transport
        .send(get("http://api.invalid/users"))
        .await
        .expect_err("no SOCKS");
    assert_eq!(err.kind(), TransportErrorKind::Connect, "{err}");
    assert!(err.to_string().contains("socks5"), "{err}");
}
