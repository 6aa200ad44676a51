//! HTTPS servers on 127.0.0.1 with the test certificate of `tests/tls/`:
//! [`TlsServer`] offers the ALPN protocols it is given, answers every
//! request with the HTTP version it arrived in (`HTTP/2.0`, `HTTP/1.1`) and
//! counts connections; [`RefusingServer`] speaks HTTP/2 only and refuses
//! the first streams it is sent (`REFUSED_STREAM`).

use std::convert::Infallible;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use bytes::Bytes;
use http_body_util::Full;
use hyper::service::service_fn;
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use tokio::net::TcpListener;
use tokio::task::JoinHandle;
use tokio_rustls::TlsAcceptor;

/// The CA that signed the server's certificate, as PEM: what a client adds
/// as a root to trust the server.
pub const CA_PEM: &[u8] = include_bytes!("../tls/ca.pem");
const CERT_PEM: &[u8] = include_bytes!("../tls/localhost.pem");
const KEY_PEM: &[u8] = include_bytes!("../tls/localhost.key");

/// A server's address and accept loop, which stops when this is dropped.
struct Running {
    addr: std::net::SocketAddr,
    task: JoinHandle<()>,
}

impl Running {
    /// `https://127.0.0.1:<port>` (the certificate names the address).
    fn url(&self) -> String {
        format!("https://{}", self.addr)
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// A running HTTPS server; it stops when dropped.
pub struct TlsServer {
    running: Running,
    connections: Arc<AtomicUsize>,
}

impl TlsServer {
    /// Starts a server that offers `alpn` (e.g. `[b"h2", b"http/1.1"]`).
    pub async fn start(alpn: &[&[u8]]) -> TlsServer {
        let (acceptor, listener, addr) = listen(alpn).await;
        let connections = Arc::new(AtomicUsize::new(0));
        let counted = connections.clone();
        let task = tokio::spawn(async move {
            while let Ok((tcp, _)) = listener.accept().await {
                counted.fetch_add(1, Ordering::SeqCst);
                let acceptor = acceptor.clone();
                tokio::spawn(async move {
                    let Ok(tls) = acceptor.accept(tcp).await else {
                        return;
                    };
                    let service =
                        service_fn(|req: http::Request<hyper::body::Incoming>| async move {
                            let version = format!("{:?}", req.version());
                            Ok::<_, Infallible>(http::Response::new(Full::new(Bytes::from(
                                version,
                            ))))
                        });
                    let _ = auto::Builder::new(TokioExecutor::new())
                        .serve_connection(TokioIo::new(tls), service)
                        .await;
                });
            }
        });
        TlsServer {
            running: Running { addr, task },
            connections,
        }
    }

    /// `https://127.0.0.1:<port>` (the certificate names the address).
    pub fn url(&self) -> String {
        self.running.url()
    }

    /// How many TCP connections were accepted.
    pub fn connections(&self) -> usize {
        self.connections.load(Ordering::SeqCst)
    }
}

/// The test certificate's acceptor, offering `alpn`, and a loopback
/// listener.
async fn listen(alpn: &[&[u8]]) -> (TlsAcceptor, TcpListener, std::net::SocketAddr) {
    let cert = CertificateDer::from_pem_slice(CERT_PEM).expect("test certificate");
    let key = PrivateKeyDer::from_pem_slice(KEY_PEM).expect("test key");
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .expect("TLS versions")
        .with_no_client_auth()
        .with_single_cert(vec![cert], key)
        .expect("server certificate");
    config.alpn_protocols = alpn.iter().map(|p| p.to_vec()).collect();
    let listener = TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind a loopback port");
    let addr = listener.local_addr().expect("local address");
    (TlsAcceptor::from(Arc::new(config)), listener, addr)
}

/// An HTTPS server that speaks only HTTP/2 and resets the first `refusals`
/// streams it is sent with `REFUSED_STREAM`, then answers `200 ok`; it
/// stops when dropped.
pub struct RefusingServer {
    running: Running,
    streams: Arc<AtomicUsize>,
}

impl RefusingServer {
    /// Starts a server that refuses the first `refusals` streams.
    pub async fn start(refusals: usize) -> RefusingServer {
        let (acceptor, listener, addr) = listen(&[b"h2"]).await;
        let streams = Arc::new(AtomicUsize::new(0));
        let counted = streams.clone();
        let task = tokio::spawn(async move {
            while let Ok((tcp, _)) = listener.accept().await {
                let acceptor = acceptor.clone();
                let counted = counted.clone();
                tokio::spawn(async move {
                    let Ok(tls) = acceptor.accept(tcp).await else {
                        return;
                    };
                    let Ok(mut connection) = h2::server::handshake(tls).await else {
                        return;
                    };
                    while let Some(Ok((_request, mut respond))) = connection.accept().await {
                        if counted.fetch_add(1, Ordering::SeqCst) < refusals {
                            respond.send_reset(h2::Reason::REFUSED_STREAM);
                            continue;
                        }
                        let Ok(mut body) = respond.send_response(http::Response::new(()), false)
                        else {
                            continue;
                        };
                        let _ = body.send_data(Bytes::from_static(b"ok"), true);
                    }
                });
            }
        });
        RefusingServer {
            running: Running { addr, task },
            streams,
        }
    }

    /// `https://127.0.0.1:<port>` (the certificate names the address).
    pub fn url(&self) -> String {
        self.running.url()
    }

    /// How many streams (requests) the server was sent, refused or not.
    pub fn streams(&self) -> usize {
        self.streams.load(Ordering::SeqCst)
    }
}
