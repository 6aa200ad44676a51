//! Making connections: TCP (with `TCP_NODELAY`), through a proxy from the
//! environment when one applies, then TLS with ALPN, all under the connect
//! timeout.

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use http::Uri;
use http::uri::Scheme;
use hyper::rt::{Read, ReadBufCursor, Write};
use hyper_rustls::{HttpsConnector, HttpsConnectorBuilder, MaybeHttpsStream};
use hyper_util::client::legacy::connect::proxy::Tunnel;
use hyper_util::client::legacy::connect::{Connected, Connection, HttpConnector};
use hyper_util::client::proxy::matcher::Matcher;
use hyper_util::rt::TokioIo;
use tokio::net::TcpStream;
use tower_service::Service;

type BoxError = Box<dyn std::error::Error + Send + Sync>;
type Connecting<T> = Pin<Box<dyn Future<Output = Result<T, BoxError>> + Send>>;

/// The connector the pooled client calls for each new connection.
///
/// One `Arc`: hyper-util's client clones its connector for every request,
/// not only for the few that connect, and the TLS connector is several.
#[derive(Clone)]
pub(super) struct Connector(Arc<Parts>);

struct Parts {
    https: HttpsConnector<Tcp>,
    timeout: Option<Duration>,
}

impl Connector {
    pub(super) fn new(
        tls: rustls::ClientConfig,
        timeout: Option<Duration>,
        proxy: Option<Arc<Matcher>>,
    ) -> Self {
        let mut http = HttpConnector::new();
        http.set_nodelay(true);
        // `https://` URLs come here too: TLS is added on top.
        http.enforce_http(false);
        let https = HttpsConnectorBuilder::new()
            .with_tls_config(tls)
            .https_or_http()
            .enable_http1()
            .enable_http2()
            .wrap_connector(Tcp { http, proxy });
        Connector(Arc::new(Parts { https, timeout }))
    }
}

impl Service<Uri> for Connector {
    type Response = MaybeHttpsStream<Conn>;
    type Error = BoxError;
    type Future = Connecting<Self::Response>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        // Always ready, as the TCP and TLS connectors under it are: each
        // connection is made by a copy of them (see `call`).
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, dst: Uri) -> Self::Future {
        let connecting = self.0.https.clone().call(dst);
        let Some(limit) = self.0.timeout else {
            return connecting;
        };
        Box::pin(async move {
            match tokio::time::timeout(limit, connecting).await {
                Ok(done) => done,
                Err(_) => Err(Box::new(ConnectTimeout(limit)) as BoxError),
            }
        })
    }
}

/// Connecting (TCP and TLS) took longer than the connect timeout.
#[derive(Debug)]
pub(super) struct ConnectTimeout(Duration);

impl std::fmt::Display for ConnectTimeout {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "connecting timed out after {:?}", self.0)
    }
}

impl std::error::Error for ConnectTimeout {}

/// The TCP part: straight to the host, a `CONNECT` tunnel through the proxy
/// for `https://`, or to the proxy itself for `http://` (the request then
/// goes in absolute form).
#[derive(Clone)]
pub(super) struct Tcp {
    http: HttpConnector,
    proxy: Option<Arc<Matcher>>,
}

impl Service<Uri> for Tcp {
    type Response = Conn;
    type Error = BoxError;
    type Future = Connecting<Conn>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.http.poll_ready(cx).map_err(Into::into)
    }

    fn call(&mut self, dst: Uri) -> Self::Future {
        let intercept = self.proxy.as_ref().and_then(|m| m.intercept(&dst));
        let mut http = self.http.clone();
        Box::pin(async move {
            let Some(proxy) = intercept else {
                let io = http.call(dst).await?;
                return Ok(Conn { io, proxied: false });
            };
            if proxy.uri().scheme() != Some(&Scheme::HTTP) {
                return Err(format!(
                    "unsupported proxy scheme `{}`: HyperTransport goes through http:// proxies only",
                    proxy.uri().scheme_str().unwrap_or("")
                )
                .into());
            }
            if dst.scheme() == Some(&Scheme::HTTPS) {
                let mut tunnel = Tunnel::new(proxy.uri().clone(), http);
                if let Some(auth) = proxy.basic_auth() {
                    tunnel = tunnel.with_auth(auth.clone());
                }
                std::future::poll_fn(|cx| tunnel.poll_ready(cx)).await?;
                let io = tunnel.call(dst).await?;
                Ok(Conn { io, proxied: false })
            } else {
                let io = http.call(proxy.uri().clone()).await?;
                Ok(Conn { io, proxied: true })
            }
        })
    }
}

/// A TCP connection that knows whether it goes to a proxy.
pub(super) struct Conn {
    io: TokioIo<TcpStream>,
    proxied: bool,
}

impl Connection for Conn {
    fn connected(&self) -> Connected {
        let connected = self.io.connected();
        if self.proxied {
            connected.proxy(true)
        } else {
            connected
        }
    }
}

impl Read for Conn {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: ReadBufCursor<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().io).poll_read(cx, buf)
    }
}

impl Write for Conn {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().io).poll_write(cx, buf)
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().io).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().io).poll_shutdown(cx)
    }

    fn is_write_vectored(&self) -> bool {
        self.io.is_write_vectored()
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().io).poll_write_vectored(cx, bufs)
    }
}
