//! HTTPS on both transports against a loopback server with a test CA:
//! HTTP/2 when the server offers it by ALPN, HTTP/1.1 when it does not,
//! an untrusted certificate as a connect error, and an HTTP/2 refused
//! stream sent again whatever the method. This file picks each
//! transport itself (each needs the CA as a root its own way), so it runs
//! once, not once per `RESTRAIT_TEST_TRANSPORT`.

use std::time::Duration;

use restrait::__private::{Method, RequestBuilder, ResourceClient, Text};
use restrait::{Client, ClientBuilder, Error, HyperTransport, RetryPolicy, reqwest};
use restrait_tests::tls::{CA_PEM, RefusingServer, TlsServer};

/// `(name, builder)` for each transport, trusting the test CA when `trust`.
fn builders(base: &str, trust: bool) -> Vec<(&'static str, ClientBuilder)> {
    let mut hyper = HyperTransport::builder();
    let mut reqwest = reqwest::Client::builder();
    if trust {
        hyper = hyper.add_root_certificate(CA_PEM);
        reqwest = reqwest.add_root_certificate(reqwest::Certificate::from_pem(CA_PEM).expect("CA"));
    }
    vec![
        (
            "hyper",
            Client::builder(base).transport(hyper.build().expect("hyper transport")),
        ),
        (
            "reqwest",
            Client::builder(base).reqwest_client_builder(reqwest),
        ),
    ]
}

/// `method path`, read as text.
async fn text(client: Client, method: Method, path: &'static str) -> restrait::Result<String> {
    let rc = ResourceClient::new(client, "Tls");
    let mut req = RequestBuilder::new(&rc, method, path);
    req.path(path);
    req.send::<Text>().await
}

async fn version(client: Client) -> restrait::Result<String> {
    text(client, Method::GET, "/version").await
}

#[tokio::test]
async fn http2_is_negotiated_by_alpn_and_http1_is_the_fallback() {
    for (offered, want) in [
        (&[&b"h2"[..], b"http/1.1"][..], "HTTP/2.0"),
        (&[&b"http/1.1"[..]][..], "HTTP/1.1"),
    ] {
        let server = TlsServer::start(offered).await;
        for (name, builder) in builders(&server.url(), true) {
            let client = builder.build().expect("client");
            for _ in 0..3 {
                let seen = version(client.clone()).await;
                assert_eq!(seen.as_deref().ok(), Some(want), "{name}: {seen:?}");
            }
        }
        // One connection per transport, reused by its three calls.
        assert_eq!(server.connections(), 2, "{offered:?}");
    }
}

/// A refused stream was never processed (RFC 9113, section 8.7): the
/// retry layer sends a POST again, on either transport. With retries off
/// the refusal is the call's error, so the resend is the retry layer's,
/// not one reqwest made on its own.
#[tokio::test]
async fn a_refused_http2_stream_is_sent_again_whatever_the_method() {
    for retried in [true, false] {
        for transport in 0..2 {
            // A server of its own for each client, to count its streams.
            let server = RefusingServer::start(1).await;
            let (name, builder) = builders(&server.url(), true).swap_remove(transport);
            let policy = match retried {
                true => RetryPolicy::default().base_delay(Duration::from_millis(1)),
                false => RetryPolicy::never(),
            };
            let client = builder.retry(policy).build().expect("client");
            // POST: not idempotent.
            let answer = text(client, Method::POST, "/refused").await;
            if retried {
                assert_eq!(answer.as_deref().ok(), Some("ok"), "{name}: {answer:?}");
                assert_eq!(server.streams(), 2, "{name}: refused, then answered");
            } else {
                match answer {
                    Err(Error::Transport(t)) => assert!(t.is_refused(), "{name}: {t}"),
                    other => panic!("{name}: expected a refused stream, got {other:?}"),
                }
                assert_eq!(server.streams(), 1, "{name}: sent once");
            }
        }
    }
}

#[tokio::test]
async fn a_certificate_from_an_unknown_ca_is_a_connect_error() {
    let server = TlsServer::start(&[b"h2", b"http/1.1"]).await;
    for (name, builder) in builders(&server.url(), false) {
        let client = builder.retry(RetryPolicy::never()).build().expect("client");
        match version(client).await {
            Err(Error::Transport(t)) => assert!(t.is_connect(), "{name}: {t}"),
            other => panic!("{name}: expected a connect error, got {other:?}"),
        }
    }
}

#[test]
fn a_root_that_does_not_parse_is_a_config_error() {
    for bad in [
        &b"-----BEGIN CERTIFICATE-----\nnot base64!\n-----END CERTIFICATE-----\n"[..],
        b"-----BEGIN NOTHING",
    ] {
        let err = HyperTransport::builder()
            .add_root_certificate(bad)
            .build()
            .expect_err("bad PEM");
        assert!(matches!(err, Error::Config(_)), "{err:?}");
    }
}
