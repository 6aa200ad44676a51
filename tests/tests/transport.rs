//! The transports themselves: which one a builder picks, and that the
//! builder's pool settings reach the one in use. The rest of the wire
//! suite runs on both through `restrait_tests::client_builder` (see
//! `RESTRAIT_TEST_TRANSPORT` in `.ci/run`).

mod support;

use restrait::__private::{Method, RequestBuilder, ResourceClient, Unit};
use restrait::{Client, HyperTransport};
use restrait_tests::client_builder;
use restrait_tests::transport::TestTransport;
use serde_json::json;
use support::TestServer;

fn transport_of(client: &Client) -> String {
    let shown = format!("{client:?}");
    let start = shown
        .find("transport: ")
        .map_or(0, |i| i + "transport: ".len());
    shown[start..]
        .split([' ', '(', '{'])
        .next()
        .unwrap_or("")
        .to_owned()
}

async fn get(client: Client) {
    let rc = ResourceClient::new(client, "Test");
    let mut req = RequestBuilder::new(&rc, Method::GET, "/t");
    req.path("/t");
    req.send::<Unit>().await.expect("call succeeds");
}

#[tokio::test]
async fn the_support_builder_sends_through_the_transport_under_test() {
    let server = TestServer::fixed(200, json!({})).await;
    let client = client_builder(server.url()).build().expect("client");
    let want = match TestTransport::from_env() {
        TestTransport::Reqwest => "ReqwestTransport",
        TestTransport::Hyper => "HyperTransport",
    };
    assert_eq!(transport_of(&client), want);
    get(client).await;
    assert_eq!(server.request_count(), 1);
}

#[tokio::test]
async fn hyper_is_chosen_by_shortcut_or_by_value_and_reqwest_stays_the_default() {
    let server = TestServer::fixed(200, json!({})).await;
    let default = Client::builder(server.url()).build().expect("client");
    assert_eq!(transport_of(&default), "ReqwestTransport");
    let shortcut = Client::builder(server.url())
        .hyper_transport()
        .build()
        .expect("client");
    assert_eq!(transport_of(&shortcut), "HyperTransport");
    let by_value = Client::builder(server.url())
        .transport(HyperTransport::new().expect("transport"))
        .build()
        .expect("client");
    assert_eq!(transport_of(&by_value), "HyperTransport");
    for client in [default, shortcut, by_value] {
        get(client).await;
    }
    assert_eq!(server.request_count(), 3);
}

#[tokio::test]
async fn the_builders_pool_settings_reach_the_transport() {
    // No idle connection kept: every call opens its own.
    let server = TestServer::fixed(200, json!({})).await;
    let client = client_builder(server.url())
        .pool_max_idle_per_host(0)
        .build()
        .expect("client");
    for _ in 0..3 {
        get(client.clone()).await;
    }
    assert_eq!(server.connections(), 3);

    // The default keeps it for the next call.
    let server = TestServer::fixed(200, json!({})).await;
    let client = client_builder(server.url()).build().expect("client");
    for _ in 0..3 {
        get(client.clone()).await;
    }
    assert_eq!(server.connections(), 1);
}

#[tokio::test]
async fn a_zero_connect_timeout_is_a_config_error() {
    let err = HyperTransport::builder()
        .connect_timeout(std::time::Duration::ZERO)
        .build()
        .expect_err("zero");
    assert!(matches!(err, restrait::Error::Config(_)), "{err:?}");
}

#[tokio::test]
async fn the_connect_timeout_covers_a_tls_handshake_that_never_ends() {
    // A server that accepts and then says nothing: TCP connects, TLS waits.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let port = listener.local_addr().expect("addr").port();
    let silent = tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((conn, _)) = listener.accept().await {
            held.push(conn);
        }
    });
    let client = client_builder(format!("https://127.0.0.1:{port}"))
        .connect_timeout(std::time::Duration::from_millis(200))
        // Were the handshake not covered, this would end the call instead.
        .timeout(std::time::Duration::from_secs(20))
        .retry(restrait::RetryPolicy::never())
        .build()
        .expect("client");
    let rc = ResourceClient::new(client, "Test");
    let mut req = RequestBuilder::new(&rc, Method::GET, "/t");
    req.path("/t");
    let err = req.send::<Unit>().await.expect_err("the handshake stalls");
    match &err {
        restrait::Error::Transport(t) => assert!(t.is_connect(), "{err:?}"),
        other => panic!("expected a connect error, got {other:?}"),
    }
    silent.abort();
}

/// Each request carries the `Host` of its own origin, whether the
/// transport made it once for the base origin or hyper-util wrote it, and
/// a `Host` the request names itself stays.
#[tokio::test]
async fn every_request_carries_the_host_of_its_origin() {
    let base = TestServer::fixed(200, json!({})).await;
    let other = TestServer::fixed(200, json!({})).await;
    let client = client_builder(base.url()).build().expect("client");
    // The first call makes the base origin known; the second uses it.
    get(client.clone()).await;
    get(client.clone()).await;
    let elsewhere = format!("{}/t", other.url()).parse().expect("url");
    let request = restrait::Request::new(Method::GET, elsewhere);
    client.execute(request).await.expect("call elsewhere");
    let mut named = restrait::Request::new(
        Method::GET,
        format!("{}/t", base.url()).parse().expect("url"),
    );
    named.headers_mut().insert(
        "host",
        restrait::http::HeaderValue::from_static("virtual.test"),
    );
    client.execute(named).await.expect("call with its own Host");

    let hosts = |server: &TestServer| -> Vec<String> {
        server
            .requests()
            .iter()
            .map(|r| r.header("host").unwrap_or("(none)").to_owned())
            .collect()
    };
    let base_host = base.addr().to_string();
    assert_eq!(
        hosts(&base),
        [base_host.as_str(), &base_host, "virtual.test"]
    );
    assert_eq!(hosts(&other), [other.addr().to_string()]);
}
