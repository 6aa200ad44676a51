//! An HTTPS server on 127.0.0.1 with the test certificate of `tests/tls/`,
//! offering the ALPN protocols it is given, that answers every request with
//! the HTTP version it arrived in (`HTTP/2.0`, `HTTP/1.1`) and counts
//! connections.

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

/// A running HTTPS server; it stops when dropped.
pub struct TlsServer {
    addr: std::net::SocketAddr,
    connections: Arc<AtomicUsize>,
    task: JoinHandle<()>,
}

impl TlsServer {
    /// Starts a server that offers `alpn` (e.g. `[b"h2", b"http/1.1"]`).
    pub async fn start(alpn: &[&[u8]]) -> TlsServer {
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
        let acceptor = TlsAcceptor::from(Arc::new(config));
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind a loopback port");
        let addr = listener.local_addr().expect("local address");
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
            addr,
            connections,
            task,
        }
    }

    /// `https://127.0.0.1:<port>` (the certificate names the address).
    pub fn url(&self) -> String {
        format!("https://{}", self.addr)
    }

    /// How many TCP connections were accepted.
    pub fn connections(&self) -> usize {
        self.connections.load(Ordering::SeqCst)
    }
}

impl Drop for TlsServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}
