//! Every status becomes the right `restrait::Error` variant, with the
//! message taken from the body, against a real HTTP server.

mod support;

use restrait::__private::{Json, Method, RequestBuilder, ResourceClient, Text, Unit, WithResponse};
use restrait::Error;
use restrait_tests::helpers::resource_without_retries as resource;
use serde_json::json;
use support::{Reply, TestServer};

/// Answers `/status/<code>` with that status and the body in `?body=`.
async fn status_server() -> TestServer {
    TestServer::start(|r| async move {
        let code = r
            .path()
            .trim_start_matches("/status/")
            .parse()
            .unwrap_or(500);
        let reply = Reply::json(code, &json!({"message": format!("status {code}")}));
        if code == 429 {
            reply.header("retry-after", "7")
        } else {
            reply.header("x-request-id", "abc")
        }
    })
    .await
}

async fn get_status(rc: &ResourceClient, code: u16) -> Error {
    let mut req = RequestBuilder::new(rc, Method::GET, "/status/<code>");
    req.path("/status/");
    req.segment("code", &code);
    req.send::<Json<serde_json::Value>>()
        .await
        .expect_err("an error status")
}

#[tokio::test]
async fn every_status_maps_to_its_variant() {
    let server = status_server().await;
    let rc = resource(server.url());
    type Check = fn(&Error) -> bool;
    let checks: &[(u16, Check)] = &[
        (400, |e| matches!(e, Error::Validation(_))),
        (422, |e| matches!(e, Error::Validation(_))),
        (401, |e| matches!(e, Error::Unauthorized(_))),
        (403, |e| matches!(e, Error::Forbidden(_))),
        (404, |e| matches!(e, Error::NotFound(_))),
        (409, |e| matches!(e, Error::Conflict(_))),
        (
            429,
            |e| matches!(e, Error::RateLimited { retry_after: Some(d), .. } if d.as_secs() == 7),
        ),
        (500, |e| matches!(e, Error::Server(_))),
        (502, |e| matches!(e, Error::Server(_))),
        (503, |e| matches!(e, Error::Server(_))),
        (504, |e| matches!(e, Error::Server(_))),
        (418, |e| matches!(e, Error::Api(_))),
        (410, |e| matches!(e, Error::Api(_))),
        (302, |e| matches!(e, Error::Api(_))),
    ];
    for (code, check) in checks {
        let err = get_status(&rc, *code).await;
        assert!(check(&err), "{code} became {err:?}");
        let api = err.api().expect("an API error");
        assert_eq!(api.status().as_u16(), *code);
        assert_eq!(api.message(), format!("status {code}"));
        assert_eq!(api.method(), Method::GET);
        assert_eq!(api.path_template(), "/status/<code>");
        assert_eq!(api.attempts(), 1);
        assert!(!api.body().is_empty());
        if *code != 429 {
            assert_eq!(api.headers()["x-request-id"], "abc");
        }
    }
}

#[tokio::test]
async fn messages_come_from_common_error_bodies() {
    let server = TestServer::start(|r| async move {
        match r.path() {
            "/stripe" => Reply::json(402, &json!({"error": {"type": "card_error", "message": "Your card was declined."}})),
            "/oauth" => Reply::json(400, &json!({"error": "invalid_grant", "error_description": "Token expired"})),
            "/github" => Reply::json(404, &json!({"message": "Not Found", "documentation_url": "https://docs"})),
            "/problem" => Reply::json(403, &json!({"type": "about:blank", "title": "Out of credit", "detail": "Balance is 30"}))
                .header("content-type", "application/problem+json"),
            "/html" => Reply::text(502, "<html><body>Bad gateway</body></html>"),
            "/empty" => Reply::status(503),
            "/binary" => Reply::status(500).body(&b"\xff\xfe\x00garbage"[..]),
            _ => Reply::status(500),
        }
    })
    .await;
    let rc = resource(server.url());
    let cases = [
        ("/stripe", "Your card was declined."),
        ("/oauth", "invalid_grant: Token expired"),
        ("/github", "Not Found"),
        ("/problem", "Out of credit: Balance is 30"),
        ("/html", "Bad Gateway"),
        ("/empty", "Service Unavailable"),
        ("/binary", "Internal Server Error"),
    ];
    for (path, want) in cases {
        let mut req = RequestBuilder::new(&rc, Method::GET, "/errors");
        req.path(path);
        let err = req.send::<Unit>().await.expect_err("an error");
        assert_eq!(err.api().expect("api error").message(), want, "{path}");
        assert!(err.to_string().contains(want), "{path}: {err}");
    }
}

#[tokio::test]
async fn huge_error_bodies_are_cut_not_fatal() {
    let server =
        TestServer::start(|_| async { Reply::status(404).streamed(1024, 64 * 1024) }).await;
    let rc = resource(server.url());
    let mut req = RequestBuilder::new(&rc, Method::GET, "/big-404");
    req.path("/big-404");
    let err = req.send::<Unit>().await.expect_err("404");
    let Error::NotFound(api) = err else {
        panic!("expected NotFound, got {err:?}");
    };
    assert!(api.body_truncated());
    assert_eq!(api.body().len() as u64, restrait::DEFAULT_MAX_ERROR_BODY);
}

#[derive(Debug, serde::Deserialize)]
#[allow(dead_code)]
struct User {
    id: u64,
    email: String,
}

#[derive(Debug, serde::Deserialize)]
#[allow(dead_code)]
struct Page {
    items: Vec<User>,
}

#[tokio::test]
async fn decode_errors_name_the_field_and_show_the_body() {
    let server = TestServer::start(|r| async move {
        match r.path() {
            "/page" => Reply::json(
                200,
                &json!({"items": [{"id": 1, "email": "a@b.c"}, {"id": "two", "email": "x"}]}),
            ),
            "/html" => Reply::text(200, "<html>maintenance</html>"),
            _ => Reply::status(204),
        }
    })
    .await;
    let rc = resource(server.url());
    let mut req = RequestBuilder::new(&rc, Method::GET, "/page");
    req.path("/page");
    let err = req.send::<Json<Page>>().await.expect_err("bad field");
    let Error::Decode(d) = &err else {
        panic!("expected Decode, got {err:?}");
    };
    assert_eq!(d.path(), "items[1].id");
    assert!(d.excerpt().starts_with(r#"{"items":[{"#), "{}", d.excerpt());
    assert_eq!(d.status(), 200);
    assert!(d.target().ends_with("Page"));
    assert!(err.to_string().contains("items[1].id"), "{err}");

    let mut req = RequestBuilder::new(&rc, Method::GET, "/html");
    req.path("/html");
    let err = req.send::<Json<User>>().await.expect_err("not json");
    let Error::Decode(d) = &err else {
        panic!("expected Decode, got {err:?}");
    };
    assert_eq!(d.excerpt(), "<html>maintenance</html>");

    // An empty 204 decodes as `None` for `Option<T>` and is an error for `T`.
    let mut req = RequestBuilder::new(&rc, Method::GET, "/none");
    req.path("/none");
    assert!(
        req.send::<Json<Option<User>>>()
            .await
            .expect("none")
            .is_none()
    );
    let mut req = RequestBuilder::new(&rc, Method::GET, "/none");
    req.path("/none");
    let err = req.send::<Json<User>>().await.expect_err("empty");
    assert!(matches!(err, Error::Decode(_)), "{err:?}");
}

#[tokio::test]
async fn response_wrapper_and_text_bodies() {
    let server = TestServer::start(|_| async {
        Reply::json(201, &json!({"id": 7, "email": "n@b.c"})).header("location", "/users/7")
    })
    .await;
    let rc = resource(server.url());
    let mut req = RequestBuilder::new(&rc, Method::POST, "/users");
    req.path("/users");
    let response = req
        .send::<WithResponse<Json<User>>>()
        .await
        .expect("created");
    assert_eq!(response.status(), 201);
    assert_eq!(response.headers()["location"], "/users/7");
    assert_eq!(response.value().id, 7);
    assert_eq!(server.last().header("accept"), Some("application/json"));

    let mut req = RequestBuilder::new(&rc, Method::GET, "/users");
    req.path("/users");
    let text = req.send::<Text>().await.expect("text");
    let value: serde_json::Value = serde_json::from_str(&text).expect("the text is the JSON body");
    assert_eq!(value["id"], 7);
    assert_ne!(
        server.last().header("accept"),
        Some("application/json"),
        "text calls do not ask for JSON"
    );
}
