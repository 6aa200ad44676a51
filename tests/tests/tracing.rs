//! The tracing middleware: one span per call with OpenTelemetry HTTP names.

mod support;

use restrait::__private::{Method, RequestBuilder, ResourceClient, Unit};
use restrait::CallOptions;
use restrait_tests::client_builder;
use serde_json::json;
use support::TestServer;

#[tokio::test]
async fn a_span_per_call_with_otel_fields() {
    let (capture, _guard) = restrait_tests::LogCapture::install(tracing::Level::TRACE);

    let server = TestServer::fixed(404, json!({"message": "nope"})).await;
    let client = client_builder(server.url())
        .default_header("authorization", "Bearer sk_live_secret")
        .build()
        .expect("valid");
    let rc = ResourceClient::new(client, "Users").with_options(CallOptions::new().max_retries(0));
    let mut req = RequestBuilder::new(&rc, Method::GET, "/users/<id>");
    req.operation("get");
    req.path("/users/");
    req.segment("id", &42);
    let err = req.send::<Unit>().await.expect_err("404");
    let _ = format!("{err} {err:?} {rc:?}");

    let logs = capture.text();
    for field in [
        "http.request.method=GET",
        "url.template=/users/<id>",
        "server.address=\"127.0.0.1\"",
        "http.response.status_code=404",
        "http.request.resend_count=0",
        "code.function.name=Users::get",
    ] {
        assert!(logs.contains(field), "missing {field} in:\n{logs}");
    }
    assert!(
        !logs.contains("/users/42"),
        "the concrete URL is not logged:\n{logs}"
    );
    assert!(!logs.contains("sk_live_secret"), "a secret leaked:\n{logs}");
}
