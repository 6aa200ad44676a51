//! Generated clients against a real HTTP server on 127.0.0.1: each test calls
//! a `#[resource]` method and checks the exact request line, headers and body
//! that arrive, and what the method returns.
// The declarations mirror DESIGN.md verbatim, without doc comments.
#![allow(missing_docs)]

mod support;

use bytes::Bytes;
use restrait::{Client, Response, Result, resource};
use restrait_tests::client_builder;
use serde::{Deserialize, Serialize};
use serde_json::json;
use support::{Recorded, Reply, TestServer};

// ---------------------------------------------------------------------------
// The `Users` trait of DESIGN.md, exactly as written there.

#[derive(Debug, Deserialize)]
pub struct User {
    pub id: u64,
    pub email: String,
    pub name: String,
}

#[derive(Serialize)]
pub struct NewUser<'a> {
    pub email: &'a str,
    pub name: &'a str,
}

#[resource]
pub trait Users {
    #[get("/users/<id>")]
    async fn get(&self, id: u64) -> Result<User>;

    #[get("/users")]
    async fn list(
        &self,
        #[query] page: Option<u32>,
        #[query] per_page: Option<u32>,
    ) -> Result<Vec<User>>;

    #[post("/users")]
    #[idempotent] // retried safely: same Idempotency-Key on every attempt
    async fn create(&self, #[body] user: &NewUser<'_>) -> Result<User>;

    #[delete("/users/<id>")]
    async fn delete(&self, id: u64) -> Result<()>;
}

fn ada() -> serde_json::Value {
    json!({"id": 42, "email": "ada@example.com", "name": "Ada"})
}

async fn users_server() -> TestServer {
    TestServer::start(|r: Recorded| async move {
        match (r.method.as_str(), r.path()) {
            ("GET", "/v1/users") => Reply::json(200, &json!([ada(), ada()])),
            ("DELETE", _) => Reply::status(204),
            ("POST", _) => Reply::json(201, &ada()),
            _ => Reply::json(200, &ada()),
        }
    })
    .await
}

fn client(server: &TestServer, base_path: &str) -> Client {
    client_builder(format!("{}{base_path}", server.url()))
        .build()
        .expect("client")
}

#[tokio::test]
async fn design_get_sends_the_path_and_decodes_json() {
    let server = users_server().await;
    let users = UsersClient::new(client(&server, "/v1"));

    let user = users.get(42).await.expect("get");
    assert_eq!(
        (user.id, user.email.as_str(), user.name.as_str()),
        (42, "ada@example.com", "Ada")
    );

    let seen = server.last();
    assert_eq!(seen.request_line(), "GET /v1/users/42 HTTP/1.1");
    assert_eq!(seen.header("accept"), Some("application/json"));
    assert!(seen.body.is_empty());
}

#[tokio::test]
async fn design_list_leaves_out_none_queries() {
    let server = users_server().await;
    let users = UsersClient::new(client(&server, "/v1"));

    let all = users.list(None, None).await.expect("list");
    assert_eq!(all.len(), 2);
    assert_eq!(server.last().request_line(), "GET /v1/users HTTP/1.1");

    users.list(Some(2), None).await.expect("list");
    assert_eq!(
        server.last().request_line(),
        "GET /v1/users?page=2 HTTP/1.1"
    );

    users.list(Some(2), Some(50)).await.expect("list");
    assert_eq!(
        server.last().request_line(),
        "GET /v1/users?page=2&per_page=50 HTTP/1.1"
    );
}

#[tokio::test]
async fn design_create_sends_a_json_body() {
    let server = users_server().await;
    let users = UsersClient::new(client(&server, "/v1"));

    let new = NewUser {
        email: "ada@example.com",
        name: "Ada",
    };
    let created = users.create(&new).await.expect("create");
    assert_eq!(created.id, 42);

    let seen = server.last();
    assert_eq!(seen.request_line(), "POST /v1/users HTTP/1.1");
    assert_eq!(seen.header("content-type"), Some("application/json"));
    let body: serde_json::Value = serde_json::from_slice(&seen.body).expect("json body");
    assert_eq!(body, json!({"email": "ada@example.com", "name": "Ada"}));
}

#[tokio::test]
async fn design_delete_ignores_the_body() {
    let server = users_server().await;
    let users = UsersClient::new(client(&server, "/v1"));

    users.delete(7).await.expect("delete");
    assert_eq!(server.last().request_line(), "DELETE /v1/users/7 HTTP/1.1");
}

#[tokio::test]
async fn design_errors_are_typed() {
    let server = TestServer::fixed(404, json!({"error": "no such user"})).await;
    let users = UsersClient::new(client(&server, "/v1"));
    let error = users.get(1).await.expect_err("404");
    assert!(matches!(error, restrait::Error::NotFound(_)), "{error:?}");
}

// ---------------------------------------------------------------------------
// The other forms of "Declaring endpoints".

#[derive(Serialize)]
pub struct Filter {
    pub status: &'static str,
    pub team: Option<u32>,
}

#[derive(Serialize)]
pub struct Login<'a> {
    pub user: &'a str,
    pub password: &'a str,
}

#[derive(Debug, Deserialize, PartialEq)]
pub struct Item {
    pub id: u32,
}

#[resource(prefix = "/v2", client = "Api")]
#[headers("Accept: application/vnd.api+json", "X-Client: restrait")]
pub trait Everything {
    #[get("/items/{id}")]
    async fn braces(&self, id: &str) -> Result<Item>;

    #[get("/files/<bucket>/<path..>")]
    async fn tail(&self, bucket: &str, path: &str) -> Result<String>;

    #[get("/search")]
    async fn queries(
        &self,
        #[query("per-page")] per_page: u32,
        #[query] tag: Vec<&str>,
        #[query] filter: &Filter,
        #[query] missing: Option<u32>,
    ) -> Result<()>;

    #[get("/me")]
    #[headers("Cache-Control: no-cache")]
    async fn headers(
        &self,
        #[header("X-Request-Id")] request_id: &str,
        #[header("X-Trace")] trace: Option<u64>,
        #[header("X-Absent")] absent: Option<&str>,
    ) -> Result<()>;

    #[post("/login")]
    async fn form(&self, #[form] login: &Login<'_>) -> Result<()>;

    #[put("/blobs/<name>")]
    async fn raw(&self, name: &str, data: Bytes) -> Result<()>;

    #[patch("/items/<id>")]
    async fn patch(&self, id: u32, #[body] changes: &serde_json::Value) -> Result<Response<Item>>;

    #[head("/items/<id>")]
    async fn head(&self, id: u32) -> Result<()>;

    #[options("/items")]
    async fn options(&self) -> Result<()>;

    #[get("/blob")]
    async fn bytes(&self) -> Result<Bytes>;

    #[get("/text")]
    #[timeout(secs = 5)]
    #[retry(never)]
    async fn text(&self) -> Result<String>;
}

async fn echo_server() -> TestServer {
    TestServer::start(|r: Recorded| async move {
        match r.path() {
            "/v2/blob" => Reply::status(200).body(&b"\x00\x01raw"[..]),
            "/v2/text" => Reply::text(200, "plain text"),
            p if p.starts_with("/v2/files/") => Reply::text(200, p.to_owned()),
            p if p.starts_with("/v2/items/") && r.method == "PATCH" => {
                Reply::json(200, &json!({"id": 5})).header("etag", "\"v2\"")
            }
            p if p.starts_with("/v2/items/") && r.method == "GET" => {
                Reply::json(200, &json!({"id": 1}))
            }
            _ => Reply::status(204),
        }
    })
    .await
}

#[tokio::test]
async fn prefix_braces_and_trait_headers() {
    let server = echo_server().await;
    let api = Api::new(client(&server, ""));

    assert_eq!(api.braces("a b/c").await.expect("braces"), Item { id: 1 });
    let seen = server.last();
    // One segment: `/` and space are encoded.
    assert_eq!(seen.request_line(), "GET /v2/items/a%20b%2Fc HTTP/1.1");
    assert_eq!(seen.header("accept"), Some("application/vnd.api+json"));
    assert_eq!(seen.header("x-client"), Some("restrait"));
}

#[tokio::test]
async fn tail_keeps_slashes() {
    let server = echo_server().await;
    let api = Api::new(client(&server, ""));

    let echoed = api.tail("b1", "docs/read me.txt").await.expect("tail");
    assert_eq!(echoed, "/v2/files/b1/docs/read%20me.txt");
    assert_eq!(
        server.last().request_line(),
        "GET /v2/files/b1/docs/read%20me.txt HTTP/1.1"
    );
}

#[tokio::test]
async fn queries_rename_repeat_flatten_and_skip_none() {
    let server = echo_server().await;
    let api = Api::new(client(&server, ""));

    let filter = Filter {
        status: "open",
        team: None,
    };
    api.queries(20, vec!["a", "b c"], &filter, None)
        .await
        .expect("queries");
    assert_eq!(
        server.last().request_line(),
        "GET /v2/search?per-page=20&tag=a&tag=b+c&status=open HTTP/1.1"
    );
}

#[tokio::test]
async fn header_parameters_and_method_headers() {
    let server = echo_server().await;
    let api = Api::new(client(&server, ""));

    api.headers("req-1", Some(7), None).await.expect("headers");
    let seen = server.last();
    assert_eq!(seen.request_line(), "GET /v2/me HTTP/1.1");
    assert_eq!(seen.header("x-request-id"), Some("req-1"));
    assert_eq!(seen.header("x-trace"), Some("7"));
    assert_eq!(seen.header("x-absent"), None);
    assert_eq!(seen.header("cache-control"), Some("no-cache"));
    assert_eq!(seen.header("accept"), Some("application/vnd.api+json"));

    api.headers("req-2", None, Some("here"))
        .await
        .expect("headers");
    let seen = server.last();
    assert_eq!(seen.header("x-trace"), None);
    assert_eq!(seen.header("x-absent"), Some("here"));
}

#[tokio::test]
async fn form_body() {
    let server = echo_server().await;
    let api = Api::new(client(&server, ""));

    api.form(&Login {
        user: "ada",
        password: "p&ss word",
    })
    .await
    .expect("form");
    let seen = server.last();
    assert_eq!(seen.request_line(), "POST /v2/login HTTP/1.1");
    assert_eq!(
        seen.header("content-type"),
        Some("application/x-www-form-urlencoded")
    );
    assert_eq!(seen.text(), "user=ada&password=p%26ss+word");
}

#[tokio::test]
async fn raw_body() {
    let server = echo_server().await;
    let api = Api::new(client(&server, ""));

    api.raw("b.bin", Bytes::from_static(b"\x00\x01\x02"))
        .await
        .expect("raw");
    let seen = server.last();
    assert_eq!(seen.request_line(), "PUT /v2/blobs/b.bin HTTP/1.1");
    assert_eq!(
        seen.header("content-type"),
        Some("application/octet-stream")
    );
    assert_eq!(&seen.body[..], b"\x00\x01\x02");
}

#[tokio::test]
async fn patch_returns_status_headers_and_body() {
    let server = echo_server().await;
    let api = Api::new(client(&server, ""));

    let response = api.patch(5, &json!({"name": "new"})).await.expect("patch");
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["etag"], "\"v2\"");
    assert_eq!(response.body(), &Item { id: 5 });
    let seen = server.last();
    assert_eq!(seen.request_line(), "PATCH /v2/items/5 HTTP/1.1");
    assert_eq!(seen.text(), r#"{"name":"new"}"#);
}

#[tokio::test]
async fn head_options_bytes_and_text() {
    let server = echo_server().await;
    let api = Api::new(client(&server, ""));

    api.head(3).await.expect("head");
    assert_eq!(server.last().request_line(), "HEAD /v2/items/3 HTTP/1.1");

    api.options().await.expect("options");
    assert_eq!(server.last().request_line(), "OPTIONS /v2/items HTTP/1.1");

    assert_eq!(
        api.bytes().await.expect("bytes"),
        Bytes::from_static(b"\x00\x01raw")
    );
    assert_eq!(api.text().await.expect("text"), "plain text");
    assert_eq!(server.last().request_line(), "GET /v2/text HTTP/1.1");
}

#[tokio::test]
async fn with_options_keeps_the_same_endpoints() {
    let server = echo_server().await;
    let api = Api::new(client(&server, ""));
    let strict = api.with_options(restrait::CallOptions::new());
    strict.options().await.expect("options");
    assert_eq!(server.last().request_line(), "OPTIONS /v2/items HTTP/1.1");
    assert!(format!("{api:?}").contains("Everything"));
}

#[tokio::test]
async fn calls_spawn_from_generic_code() {
    fn spawn_it<T: Users + Clone + 'static>(t: T) -> tokio::task::JoinHandle<Result<User>> {
        tokio::spawn(async move { t.get(42).await })
    }
    let server = users_server().await;
    let users = UsersClient::new(client(&server, "/v1"));
    let user = spawn_it(users).await.expect("join").expect("get");
    assert_eq!(user.id, 42);
}

// ---------------------------------------------------------------------------
// `#[url]`: an absolute URL the API handed back, used instead of base + path.

#[derive(Debug, Deserialize, PartialEq)]
pub struct Comment {
    pub id: u64,
}

#[resource(prefix = "/v3")]
#[headers("Accept: application/vnd.github+json")]
pub trait Comments {
    /// The template only names the endpoint (traces, errors): the request
    /// goes to `next`.
    #[get("/comments")]
    async fn page(
        &self,
        #[url] next: &restrait::url::Url,
        #[query] per_page: Option<u32>,
    ) -> Result<Vec<Comment>>;

    #[get("/comments")]
    async fn by_text(&self, #[url] next: &str) -> Result<()>;
}

async fn comments_server() -> TestServer {
    TestServer::start(|_r: Recorded| async move { Reply::json(200, &json!([{"id": 1}])) }).await
}

#[tokio::test]
async fn url_parameter_replaces_base_and_path_and_keeps_its_query() {
    let server = comments_server().await;
    let client = client_builder(format!("{}/api", server.url()))
        .bearer_token("sk_test")
        .build()
        .expect("client");
    let comments = CommentsClient::new(client);

    let next = restrait::url::Url::parse(&format!(
        "{}/repos/o/r/issues/1/comments?sort=asc",
        server.url()
    ))
    .expect("url");
    let page = comments.page(&next, Some(5)).await.expect("page");
    assert_eq!(page, vec![Comment { id: 1 }]);
    let seen = server.last();
    // No base path, no prefix, no template: the URL as handed back, plus the query.
    assert_eq!(
        seen.request_line(),
        "GET /repos/o/r/issues/1/comments?sort=asc&per_page=5 HTTP/1.1"
    );
    assert_eq!(seen.header("accept"), Some("application/vnd.github+json"));
    // The client's own origin: credentials are attached.
    assert_eq!(seen.header("authorization"), Some("Bearer sk_test"));
}

#[tokio::test]
async fn url_parameter_to_another_origin_gets_no_credentials() {
    let api = comments_server().await;
    let elsewhere = comments_server().await;
    let client = client_builder(api.url())
        .bearer_token("sk_test")
        .build()
        .expect("client");
    let comments = CommentsClient::new(client);

    let next = restrait::url::Url::parse(&format!("{}/c?page=2", elsewhere.url())).expect("url");
    comments.page(&next, None).await.expect("page");
    let seen = elsewhere.last();
    assert_eq!(seen.request_line(), "GET /c?page=2 HTTP/1.1");
    assert_eq!(seen.header("authorization"), None);
    assert_eq!(api.request_count(), 0);
}

#[tokio::test]
async fn url_parameter_that_is_not_a_url_is_an_invalid_request() {
    let server = comments_server().await;
    let comments = CommentsClient::new(client(&server, ""));

    let error = comments
        .by_text("/relative/only")
        .await
        .expect_err("not absolute");
    assert!(
        matches!(error, restrait::Error::InvalidRequest(_)),
        "got {error:?}"
    );
    assert!(error.to_string().contains("#[url]"), "{error}");
    assert_eq!(server.request_count(), 0);
    comments
        .by_text(&format!("{}/ok", server.url()))
        .await
        .expect("a URL given as text");
    assert_eq!(server.last().request_line(), "GET /ok HTTP/1.1");
}
