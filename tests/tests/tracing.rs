//! The tracing middleware: one span per call with OpenTelemetry HTTP names.

mod support;

use std::io::Write;
use std::sync::{Arc, Mutex};

use restrait::__private::{Method, RequestBuilder, ResourceClient, Unit};
use restrait::{CallOptions, Client};
use serde_json::json;
use support::TestServer;

#[derive(Clone, Default)]
struct Capture(Arc<Mutex<Vec<u8>>>);

impl Write for Capture {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn a_span_per_call_with_otel_fields() {
    let capture = Capture::default();
    let writer = capture.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let server = TestServer::fixed(404, json!({"message": "nope"})).await;
    let client = Client::builder(server.url())
        .default_header("authorization", "Bearer sk_live_secret")
        .build()
        .expect("valid");
    let rc = ResourceClient::new(client, "Users").with_options(CallOptions::new().max_retries(0));
    let mut req = RequestBuilder::new(&rc, Method::GET, "/users/<id>");
    req.path("/users/");
    req.segment("id", &42);
    let err = req.send::<Unit>().await.expect_err("404");
    let _ = format!("{err} {err:?} {rc:?}");

    let logs = String::from_utf8_lossy(&capture.0.lock().expect("lock")).into_owned();
    for field in [
        "http.request.method=GET",
        "url.template=/users/<id>",
        "server.address=\"127.0.0.1\"",
        "http.response.status_code=404",
        "http.request.resend_count=0",
    ] {
        assert!(logs.contains(field), "missing {field} in:\n{logs}");
    }
    assert!(
        !logs.contains("/users/42"),
        "the concrete URL is not logged:\n{logs}"
    );
    assert!(!logs.contains("sk_live_secret"), "a secret leaked:\n{logs}");
}
