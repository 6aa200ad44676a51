//! `#[paginate(..)]` with each strategy: plain `fn`s returning a `Paginator`
//! that is `Send`, `'static` and a `Stream` of the items.
#![deny(warnings)]

use restrait::{Client, Paginator, resource};
use serde::Deserialize;

#[derive(Debug, Deserialize)]
pub struct Issue {
    pub number: u64,
}

#[resource]
#[headers("Accept: application/vnd.github+json")]
pub trait Github {
    #[get("/repos/<owner>/<repo>/issues")]
    #[paginate(link)]
    fn issues(&self, owner: &str, repo: &str, #[query] state: Option<&str>) -> Paginator<Issue>;

    #[get("/v1/customers")]
    #[paginate(
        has_more = "has_more",
        param = "starting_after",
        id = "id",
        items = "data"
    )]
    fn customers(&self, #[query] limit: Option<u32>) -> restrait::Paginator<Issue>;

    #[get("/items")]
    #[paginate(
        cursor = "next_cursor",
        param = "cursor",
        items = "data",
        max_pages = 100
    )]
    #[timeout(secs = 5)]
    #[retry(max = 1)]
    fn items(&self, #[header("X-Tenant")] tenant: &str) -> ::restrait::Paginator<Issue>;

    #[get("/users")]
    #[paginate(page = "page", per_page = "per_page", total = "total")]
    fn users(&self, #[query] per_page: Option<u32>) -> Paginator<Issue>;

    #[get("/issue/<number>")]
    async fn issue(&self, number: u64) -> restrait::Result<Issue>;
}

fn assert_stream<S: futures::Stream<Item = restrait::Result<Issue>> + Send + 'static>(_: S) {}

fn main() {
    let client = Client::builder("http://127.0.0.1:1")
        .build()
        .expect("client");
    let github = GithubClient::new(client);
    let owner = String::from("rust-lang");
    let stream = github.issues(&owner, "rust", Some("open"));
    drop(owner);
    assert_stream(stream);
    assert_stream(github.customers(Some(100)).max_items(10));
    assert_stream(github.items("acme"));
    assert_stream(github.users(None));
}
