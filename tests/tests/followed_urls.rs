//! URLs the API hands back (issue 20, item 3): `#[url]` parameters and
//! `Client::get_url`, outside the base path and to other origins, with
//! credentials only for the client's own origin. The `#[url]` request
//! shape itself is tested in `macro_requests.rs`.

mod support;

use restrait::url::Url;
use restrait::{Client, Error, Result, resource};
use restrait_tests::client_builder;
use restrait_tests::helpers::credential_headers as credentials;
use serde::Deserialize;
use serde_json::json;
use support::{Recorded, Reply, TestServer};

/// A comment.
#[derive(Debug, Deserialize, PartialEq)]
pub struct Comment {
    /// Its id.
    pub id: u64,
}

/// An issue, with the link to its comments.
#[derive(Debug, Deserialize)]
pub struct Issue {
    /// Where its comments are.
    pub comments_url: String,
}

/// GitHub-style: an issue names its comments by URL.
#[resource]
pub trait Issues {
    /// One issue.
    #[get("/repos/<owner>/<repo>/issues/<number>")]
    async fn get(&self, owner: &str, repo: &str, number: u64) -> Result<Issue>;

    /// The comments behind a `comments_url`.
    #[get("/comments")]
    async fn comments(&self, #[url] url: &Url) -> Result<Vec<Comment>>;
}

async fn server() -> TestServer {
    TestServer::start(|r: Recorded| async move {
        if r.path().starts_with("/api/v3/repos/") {
            // A link outside the base path, as GitHub Enterprise gives them.
            let host = r.header("host").unwrap_or("").to_owned();
            Reply::json(
                200,
                &json!({"comments_url": format!("http://{host}/elsewhere/issues/1/comments")}),
            )
        } else {
            Reply::json(200, &json!([{"id": 7}]))
        }
    })
    .await
}

/// A client with a base path and a token, as GitHub Enterprise's.
fn home_client(api: &TestServer) -> Client {
    client_builder(format!("{}/api/v3", api.url()))
        .bearer_token("ghp_home")
        .build()
        .expect("client")
}

#[tokio::test]
async fn a_link_outside_the_base_path_is_followed_with_credentials_at_home() {
    let api = server().await;
    let client = home_client(&api);
    let issues = IssuesClient::new(client.clone());
    let issue = issues.get("o", "r", 1).await.expect("issue");
    assert!(issue.comments_url.ends_with("/elsewhere/issues/1/comments"));

    let url = Url::parse(&issue.comments_url).expect("url");
    assert_eq!(
        issues.comments(&url).await.expect("comments"),
        [Comment { id: 7 }]
    );
    let followed: Vec<Comment> = client.get_url(&issue.comments_url).await.expect("get_url");
    assert_eq!(followed, [Comment { id: 7 }]);

    let seen = api.requests();
    assert_eq!(seen.len(), 3);
    for r in &seen[1..] {
        assert_eq!(
            r.request_line(),
            "GET /elsewhere/issues/1/comments HTTP/1.1"
        );
        // The same origin as the base URL: the token goes along.
        assert_eq!(r.header("authorization"), Some("Bearer ghp_home"));
    }
    assert_eq!(seen[2].header("accept"), Some("application/json"));
}

#[tokio::test]
async fn a_link_to_another_origin_gets_no_credentials_of_any_kind() {
    let api = server().await;
    let cdn = server().await;
    let link = format!("{}/c/1?page=2", cdn.url());
    for client in [
        client_builder(api.url()).bearer_token("ghp_home"),
        client_builder(api.url()).api_key("x-api-key", "k_home"),
        client_builder(api.url()).api_key_query("api_key", "k_home"),
        // Default headers meant for the API are credentials too.
        client_builder(api.url()).default_header("authorization", "Token home"),
        client_builder(api.url()).default_header("cookie", "session=home"),
    ] {
        let client = client.build().expect("client");
        let issues = IssuesClient::new(client.clone());
        issues
            .comments(&Url::parse(&link).expect("url"))
            .await
            .expect("#[url]");
        let _: Vec<Comment> = client.get_url(&link).await.expect("get_url");
    }
    assert_eq!(api.request_count(), 0);
    let seen = cdn.requests();
    assert_eq!(seen.len(), 10);
    for r in &seen {
        assert_eq!(r.request_line(), "GET /c/1?page=2 HTTP/1.1", "{r:?}");
        assert_eq!(credentials(r), Vec::<&str>::new(), "{r:?}");
    }
}

#[tokio::test]
async fn a_default_header_that_is_no_credential_still_goes_everywhere() {
    let api = server().await;
    let cdn = server().await;
    let client = client_builder(api.url())
        .default_header("x-trace", "t1")
        .build()
        .expect("client");
    let _: Vec<Comment> = client
        .get_url(format!("{}/c", cdn.url()))
        .await
        .expect("get_url");
    assert_eq!(cdn.last().header("x-trace"), Some("t1"));
}

#[tokio::test]
async fn get_url_resolves_relative_links_and_refuses_other_schemes() {
    let api = server().await;
    let client = home_client(&api);
    // Stripe gives list URLs relative to the host: `/v1/customers/cus_1/sources`.
    let _: Vec<Comment> = client
        .get_url("/v1/customers/cus_1/sources?limit=3")
        .await
        .expect("relative");
    let seen = api.last();
    assert_eq!(
        seen.request_line(),
        "GET /v1/customers/cus_1/sources?limit=3 HTTP/1.1"
    );
    assert_eq!(seen.header("authorization"), Some("Bearer ghp_home"));

    let e = client
        .get_url::<Vec<Comment>>("file:///etc/passwd")
        .await
        .expect_err("not http");
    assert!(matches!(e, Error::InvalidRequest(_)), "{e:?}");
    assert_eq!(api.request_count(), 1, "nothing sent");
}

#[tokio::test]
async fn a_followed_url_that_fails_is_a_typed_error() {
    let api = TestServer::fixed(404, json!({"message": "Not Found"})).await;
    let client = client_builder(api.url()).build().expect("client");
    let e = client
        .get_url::<Vec<Comment>>(format!("{}/gone", api.url()))
        .await
        .expect_err("404");
    assert!(matches!(e, Error::NotFound(_)), "{e:?}");
    assert_eq!(e.api().map(|a| a.message()), Some("Not Found"));
}
