//! API-specific error types (issue 20, item 1): `#[resource(error = T)]`
//! decodes error bodies into the user's type, and `#[resource(ok_field =
//! "ok")]` turns a 200 that reports a failure into a typed error.

mod support;

use restrait::{Error, Result, resource};
use restrait_tests::client_builder;
use serde::Deserialize;
use serde_json::json;
use support::{Reply, TestServer};

/// Stripe's error body: `{"error": {"type": .., "code": .., "message": ..}}`.
#[derive(Debug, Deserialize, PartialEq)]
pub struct StripeError {
    /// The error object.
    pub error: StripeErrorBody,
}

/// The inside of a Stripe error.
#[derive(Debug, Deserialize, PartialEq)]
pub struct StripeErrorBody {
    /// `card_error`, `invalid_request_error`, ..
    #[serde(rename = "type")]
    pub kind: String,
    /// `card_declined`, ..
    pub code: Option<String>,
    /// For people.
    pub message: String,
}

/// A charge.
#[derive(Debug, Deserialize)]
pub struct Charge {
    /// Its id.
    pub id: String,
}

/// Part of Stripe's API.
#[resource(error = StripeError)]
pub trait Stripe {
    /// One charge.
    #[get("/v1/charges/<id>")]
    async fn charge(&self, id: &str) -> Result<Charge>;

    /// Charges, streamed as JSON Lines (to see errors of a streamed call).
    #[get("/v1/charges/export")]
    async fn export(&self) -> Result<restrait::JsonLines<Charge>>;
}

async fn stripe(reply: fn() -> Reply) -> (TestServer, StripeClient) {
    let server = TestServer::start(move |_| async move { reply() }).await;
    let client = client_builder(server.url())
        .retry(restrait::RetryPolicy::never())
        .build()
        .expect("client");
    (server, StripeClient::new(client))
}

fn declined() -> Reply {
    Reply::json(
        402,
        &json!({"error": {"type": "card_error", "code": "card_declined", "message": "Your card was declined."}}),
    )
}

#[tokio::test]
async fn an_error_body_is_decoded_into_the_declared_type() {
    let (_server, stripe) = stripe(declined).await;
    let e = stripe.charge("ch_1").await.expect_err("402");
    assert_eq!(e.status().map(|s| s.as_u16()), Some(402));
    let typed = e.api_error::<StripeError>().expect("decoded");
    assert_eq!(typed.error.kind, "card_error");
    assert_eq!(typed.error.code.as_deref(), Some("card_declined"));
    // Everything an API error had is still there.
    let api = e.api().expect("api error");
    assert_eq!(api.message(), "Your card was declined.");
    assert!(
        std::str::from_utf8(api.body())
            .expect("utf-8")
            .contains("card_declined")
    );
    // Another type is not the declared one.
    assert!(e.api_error::<serde_json::Value>().is_none());
    assert!(format!("{e:?}").contains("StripeError"), "{e:?}");
}

#[tokio::test]
async fn the_typed_error_can_be_taken_owned() {
    let (_server, stripe) = stripe(|| {
        Reply::json(
            404,
            &json!({"error": {"type": "invalid_request_error", "message": "No such charge: 'ch_x'"}}),
        )
    })
    .await;
    let Err(Error::NotFound(mut api)) = stripe.charge("ch_x").await else {
        panic!("a 404 is NotFound");
    };
    assert!(api.take_api_error::<String>().is_none());
    let owned: StripeError = api.take_api_error().expect("decoded");
    assert_eq!(owned.error.kind, "invalid_request_error");
    assert!(api.api_error::<StripeError>().is_none(), "taken");
}

#[tokio::test]
async fn a_body_that_is_not_the_declared_type_keeps_the_http_error() {
    let (_server, client) = stripe(|| {
        Reply::status(502)
            .header("content-type", "text/html")
            .body("<html>Bad gateway</html>")
    })
    .await;
    let e = client.charge("ch_1").await.expect_err("502");
    assert!(matches!(e, Error::Server(_)), "{e:?}");
    assert!(e.api_error::<StripeError>().is_none());
    assert_eq!(
        e.api().map(|a| a.body().clone()).as_deref(),
        Some(&b"<html>Bad gateway</html>"[..])
    );

    let (_server, client) = stripe(|| Reply::json(400, &json!({"error": "flat string"}))).await;
    let e = client.charge("ch_1").await.expect_err("400");
    assert!(matches!(e, Error::Validation(_)), "{e:?}");
    assert!(e.api_error::<StripeError>().is_none(), "another shape");
    assert_eq!(e.api().map(|a| a.message()), Some("flat string"));
}

#[tokio::test]
async fn a_streamed_call_decodes_its_error_body_too() {
    let (_server, stripe) = stripe(declined).await;
    let Err(e) = stripe.export().await else {
        panic!("a 402 is an error");
    };
    assert_eq!(
        e.api_error::<StripeError>().map(|s| s.error.kind.as_str()),
        Some("card_error")
    );
}

/// Slack's error body, inside a 200.
#[derive(Debug, Deserialize)]
pub struct SlackError {
    /// `invalid_auth`, `channel_not_found`, ..
    pub error: String,
    /// Sometimes present.
    pub warning: Option<String>,
}

/// A channel.
#[derive(Debug, Deserialize)]
pub struct Channel {
    /// Its id.
    pub id: String,
}

/// A Slack answer.
#[derive(Debug, Deserialize)]
pub struct Info {
    /// The channel.
    pub channel: Channel,
}

/// Part of Slack's Web API: every answer is a 200 with `"ok"`.
#[resource(error = SlackError, ok_field = "ok")]
pub trait Slack {
    /// `conversations.info`.
    #[get("/api/conversations.info")]
    async fn info(&self, #[query] channel: &str) -> Result<Info>;

    /// `auth.test`, the body ignored.
    #[post("/api/auth.test")]
    async fn auth_test(&self) -> Result<()>;
}

async fn slack() -> (TestServer, SlackClient) {
    let server = TestServer::start(|r| async move {
        match r.query() {
            Some("channel=C1") => Reply::json(200, &json!({"ok": true, "channel": {"id": "C1"}})),
            _ => Reply::json(
                200,
                &json!({"ok": false, "error": "invalid_auth", "warning": "superfluous_charset"}),
            ),
        }
    })
    .await;
    let client = client_builder(server.url()).build().expect("client");
    (server, SlackClient::new(client))
}

#[tokio::test]
async fn a_200_with_ok_false_is_a_typed_error() {
    let (server, slack) = slack().await;
    assert_eq!(slack.info("C1").await.expect("ok").channel.id, "C1");

    let e = slack.info("C2").await.expect_err("ok: false");
    let Error::Rejected(api) = &e else {
        panic!("expected Rejected, got {e:?}");
    };
    assert_eq!(api.status().as_u16(), 200);
    assert_eq!(api.message(), "invalid_auth");
    assert_eq!(api.path_template(), "/api/conversations.info");
    assert!(e.is_status());
    let typed = e.api_error::<SlackError>().expect("decoded");
    assert_eq!(typed.error, "invalid_auth");
    assert_eq!(typed.warning.as_deref(), Some("superfluous_charset"));
    assert!(e.to_string().contains("rejected by the server"), "{e}");

    // A method that ignores the body is checked too, and not retried.
    let e = slack.auth_test().await.expect_err("ok: false");
    assert!(matches!(e, Error::Rejected(_)), "{e:?}");
    assert_eq!(server.requests().len(), 3);
}

/// An API whose 200s say `{"status": "error", "message": ..}` on failure.
pub fn status_field(response: &restrait::Response<restrait::bytes::Bytes>) -> Option<String> {
    let body: serde_json::Value = serde_json::from_slice(response.body()).ok()?;
    (body["status"] == "error").then(|| body["message"].as_str().unwrap_or("error").to_owned())
}

/// A resource with its own check.
#[resource(check = crate::status_field, error = serde_json::Value)]
pub trait Legacy {
    /// Anything.
    #[get("/legacy/<what>")]
    async fn get(&self, what: &str) -> Result<serde_json::Value>;
}

#[tokio::test]
async fn a_check_function_turns_a_200_into_a_typed_error() {
    let server = TestServer::start(|r| async move {
        if r.path().ends_with("/quota") {
            Reply::json(
                200,
                &json!({"status": "error", "message": "quota exceeded"}),
            )
        } else {
            Reply::json(200, &json!({"status": "ok", "data": 1}))
        }
    })
    .await;
    let legacy = LegacyClient::new(client_builder(server.url()).build().expect("client"));
    assert_eq!(legacy.get("fine").await.expect("ok")["data"], 1);
    let e = legacy.get("quota").await.expect_err("a failure in a 200");
    let Error::Rejected(api) = &e else {
        panic!("expected Rejected, got {e:?}");
    };
    assert_eq!(api.message(), "quota exceeded");
    assert_eq!(
        e.api_error::<serde_json::Value>()
            .map(|v| v["status"].clone()),
        Some(json!("error"))
    );
}
