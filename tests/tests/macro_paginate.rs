//! `#[paginate(..)]` methods against a real server on 127.0.0.1, one per
//! strategy: every item over several pages, no page fetched before it is
//! needed, and the method's path, query and header values on every page.
#![allow(missing_docs)]

mod support;

use futures::{StreamExt, TryStreamExt};
use restrait::{CallOptions, Error, Paginator, resource};
use restrait_tests::client_builder;
use serde::Deserialize;
use serde_json::{Value, json};
use support::{Recorded, Reply, TestServer};

/// Items the server holds for every list.
const TOTAL: usize = 25;

#[derive(Debug, Deserialize, PartialEq)]
pub struct Issue {
    pub number: u64,
}

#[derive(Debug, Deserialize, PartialEq)]
pub struct Customer {
    pub id: String,
}

#[derive(Debug, Deserialize, PartialEq)]
pub struct Item {
    pub id: u64,
}

#[resource]
#[headers("Accept: application/vnd.github+json")]
pub trait Lists {
    #[get("/repos/<owner>/<repo>/issues")]
    #[paginate(link)]
    fn issues(
        &self,
        owner: &str,
        repo: &str,
        #[query] state: Option<&str>,
        #[query] per_page: Option<u32>,
        #[header("X-Request-Id")] request_id: &str,
    ) -> Paginator<Issue>;

    #[get("/v1/customers")]
    #[paginate(
        has_more = "has_more",
        param = "starting_after",
        id = "id",
        items = "data"
    )]
    fn customers(
        &self,
        #[query] limit: Option<u32>,
        #[header("Stripe-Account")] account: Option<&str>,
    ) -> Paginator<Customer>;

    #[get("/items/<kind>")]
    #[paginate(
        cursor = "next_cursor",
        param = "cursor",
        items = "data",
        max_pages = 100
    )]
    fn items(&self, kind: &str, #[query] sort: &str) -> restrait::Paginator<Item>;

    #[get("/users")]
    #[paginate(page = "page", per_page = "per_page", total = "total", items = "data")]
    fn users(&self, #[query] per_page: Option<u32>) -> Paginator<Item>;

    #[get("/forever")]
    #[paginate(
        cursor = "next_cursor",
        param = "cursor",
        items = "data",
        max_pages = 3
    )]
    fn forever(&self) -> Paginator<Item>;
}

/// A query parameter of a recorded request.
fn param(r: &Recorded, name: &str) -> Option<String> {
    r.query()?.split('&').find_map(|pair| {
        let (k, v) = pair.split_once('=')?;
        (k == name).then(|| v.to_owned())
    })
}

fn number(r: &Recorded, name: &str) -> Option<usize> {
    param(r, name).and_then(|v| v.parse().ok())
}

/// The ids `from..from + count`, cut at [`TOTAL`].
fn ids(from: usize, count: usize) -> std::ops::Range<usize> {
    from.min(TOTAL)..(from + count).min(TOTAL)
}

/// One server for every list, each paged the way its API pages.
fn answer(r: &Recorded) -> Reply {
    let path = r.path().to_owned();
    let size = number(r, "per_page")
        .or_else(|| number(r, "limit"))
        .unwrap_or(10);
    if path.starts_with("/repos/") {
        // GitHub: the body is the array; `Link` carries the next page's URL
        // with the same query, as GitHub's does.
        let page = number(r, "page").unwrap_or(1);
        let body: Vec<Value> = ids((page - 1) * size, size)
            .map(|n| json!({"number": n}))
            .collect();
        let reply = Reply::json(200, &Value::Array(body));
        if page * size >= TOTAL {
            return reply;
        }
        let kept: Vec<&str> = r
            .query()
            .unwrap_or("")
            .split('&')
            .filter(|p| !p.is_empty() && !p.starts_with("page="))
            .collect();
        let host = r.header("host").unwrap_or("");
        let next = format!("http://{host}{path}?{}&page={}", kept.join("&"), page + 1);
        return reply.header("link", &format!("<{next}>; rel=\"next\""));
    }
    if path == "/v1/customers" {
        // Stripe: `starting_after` the last id; `has_more` says whether to go on.
        let start = param(r, "starting_after")
            .and_then(|id| id.strip_prefix("cus_")?.parse::<usize>().ok())
            .map_or(0, |n| n + 1);
        let data: Vec<Value> = ids(start, size)
            .map(|n| json!({"id": format!("cus_{n:03}"), "object": "customer"}))
            .collect();
        let body = json!({"object": "list", "url": "/v1/customers", "data": data, "has_more": start + size < TOTAL});
        return Reply::json(200, &body);
    }
    if let Some(kind) = path.strip_prefix("/items/") {
        // An opaque cursor in the body, sent back as `?cursor=`.
        let start = param(r, "cursor")
            .and_then(|c| c.strip_prefix("c")?.parse().ok())
            .unwrap_or(0);
        if kind == "broken" && start > 0 {
            return Reply::json(500, &json!({"error": {"message": "page 2 is on fire"}}));
        }
        let data: Vec<Value> = ids(start, size).map(|n| json!({"id": n})).collect();
        let next = (start + size < TOTAL).then(|| format!("c{}", start + size));
        return Reply::json(200, &json!({"data": data, "next_cursor": next}));
    }
    if path == "/users" {
        // Page numbers, with the total in the body.
        let page = number(r, "page").unwrap_or(1);
        let data: Vec<Value> = ids((page - 1) * size, size)
            .map(|n| json!({"id": n}))
            .collect();
        return Reply::json(200, &json!({"data": data, "total": TOTAL}));
    }
    if path == "/forever" {
        let n = number(r, "cursor").unwrap_or(0);
        return Reply::json(200, &json!({"data": [{"id": n}], "next_cursor": n + 1}));
    }
    Reply::status(404)
}

async fn setup() -> (TestServer, ListsClient) {
    let server = TestServer::start(|r| async move { answer(&r) }).await;
    let client = client_builder(server.url()).build().expect("client");
    let lists = ListsClient::new(client).with_options(CallOptions::new().max_retries(0));
    (server, lists)
}

#[tokio::test]
async fn link_header_streams_every_issue_with_the_same_path_query_and_headers() {
    let (server, lists) = setup().await;
    let issues: Vec<Issue> = lists
        .issues("rust-lang", "rust", Some("open"), None, "req-1")
        .try_collect()
        .await
        .expect("every page");
    assert_eq!(issues.len(), TOTAL);
    assert_eq!(issues.last(), Some(&Issue { number: 24 }));
    let requests = server.requests();
    assert_eq!(requests.len(), 3);
    for (i, r) in requests.iter().enumerate() {
        assert_eq!(r.path(), "/repos/rust-lang/rust/issues");
        assert_eq!(param(r, "state").as_deref(), Some("open"), "page {}", i + 1);
        assert_eq!(r.header("x-request-id"), Some("req-1"));
        assert_eq!(r.header("accept"), Some("application/vnd.github+json"));
    }
    assert_eq!(number(&requests[0], "page"), None);
    assert_eq!(number(&requests[2], "page"), Some(3));
}

#[tokio::test]
async fn link_header_is_lazy() {
    let (server, lists) = setup().await;
    let first: Vec<Issue> = lists
        .issues("o", "r", None, Some(10), "req-2")
        .take(10)
        .try_collect()
        .await
        .expect("page 1");
    assert_eq!(first.len(), 10);
    assert_eq!(server.request_count(), 1, "only page 1 was asked for");

    // One item more needs page 2, and still not page 3.
    let eleven: Vec<Issue> = lists
        .issues("o", "r", None, Some(10), "req-2")
        .take(11)
        .try_collect()
        .await
        .expect("pages 1 and 2");
    assert_eq!(eleven.len(), 11);
    let requests = server.requests();
    assert_eq!(requests.len(), 3);
    assert!(requests.iter().all(|r| number(r, "page") != Some(3)));
}

#[tokio::test]
async fn link_header_pages_view() {
    let (_server, lists) = setup().await;
    let pages: Vec<(u32, usize)> = lists
        .issues("o", "r", None, Some(10), "req-3")
        .pages()
        .map_ok(|page| (page.number, page.items.len()))
        .try_collect()
        .await
        .expect("pages");
    assert_eq!(pages, [(1, 10), (2, 10), (3, 5)]);
}

#[tokio::test]
async fn has_more_sends_the_last_id_and_the_same_query_and_headers() {
    let (server, lists) = setup().await;
    let customers: Vec<Customer> = lists
        .customers(Some(10), Some("acct_1"))
        .try_collect()
        .await
        .expect("every page");
    assert_eq!(customers.len(), TOTAL);
    assert_eq!(customers[0].id, "cus_000");
    assert_eq!(customers[24].id, "cus_024");
    let requests = server.requests();
    let after: Vec<Option<String>> = requests
        .iter()
        .map(|r| param(r, "starting_after"))
        .collect();
    assert_eq!(
        after,
        [None, Some("cus_009".into()), Some("cus_019".into())]
    );
    for r in &requests {
        assert_eq!(number(r, "limit"), Some(10));
        assert_eq!(r.header("stripe-account"), Some("acct_1"));
    }
}

#[tokio::test]
async fn has_more_is_lazy() {
    let (server, lists) = setup().await;
    let first: Vec<Customer> = lists
        .customers(Some(10), None)
        .take(10)
        .try_collect()
        .await
        .expect("page 1");
    assert_eq!(first.len(), 10);
    assert_eq!(server.request_count(), 1);
    assert_eq!(server.last().header("stripe-account"), None);
}

#[tokio::test]
async fn cursor_in_the_body_with_path_and_query_on_every_page() {
    let (server, lists) = setup().await;
    let items: Vec<Item> = lists
        .items("books", "asc")
        .try_collect()
        .await
        .expect("every page");
    assert_eq!(items.len(), TOTAL);
    let requests = server.requests();
    let cursors: Vec<Option<String>> = requests.iter().map(|r| param(r, "cursor")).collect();
    assert_eq!(cursors, [None, Some("c10".into()), Some("c20".into())]);
    for r in &requests {
        assert_eq!(r.path(), "/items/books");
        assert_eq!(param(r, "sort").as_deref(), Some("asc"));
    }

    let first: Vec<Item> = lists
        .items("books", "asc")
        .take(10)
        .try_collect()
        .await
        .expect("page 1");
    assert_eq!(first.len(), 10);
    assert_eq!(
        server.request_count(),
        4,
        "one more request, for page 1 only"
    );
}

#[tokio::test]
async fn page_numbers_stop_at_a_short_page_or_the_total() {
    let (server, lists) = setup().await;
    let users: Vec<Item> = lists.users(Some(10)).try_collect().await.expect("pages");
    assert_eq!(users.len(), TOTAL);
    let pages: Vec<Option<usize>> = server
        .requests()
        .iter()
        .map(|r| number(r, "page"))
        .collect();
    assert_eq!(pages, [None, Some(2), Some(3)], "page 3 is short: the end");
    assert!(
        server
            .requests()
            .iter()
            .all(|r| number(r, "per_page") == Some(10))
    );

    // 5 full pages of 5: the body's total ends it, without a sixth request.
    let (server, lists) = setup().await;
    let users: Vec<Item> = lists.users(Some(5)).try_collect().await.expect("pages");
    assert_eq!(users.len(), TOTAL);
    assert_eq!(server.request_count(), 5);

    let (server, lists) = setup().await;
    let first: Vec<Item> = lists
        .users(Some(10))
        .take(3)
        .try_collect()
        .await
        .expect("page 1");
    assert_eq!(first.len(), 3);
    assert_eq!(server.request_count(), 1);
}

#[tokio::test]
async fn max_pages_from_the_attribute_stops_an_endless_server() {
    let (server, lists) = setup().await;
    let results: Vec<restrait::Result<Item>> = lists.forever().collect().await;
    assert_eq!(
        results.iter().filter(|r| r.is_ok()).count(),
        3,
        "{results:?}"
    );
    let err = results
        .last()
        .expect("an error")
        .as_ref()
        .expect_err("guard");
    assert!(matches!(err, Error::Pagination(_)), "{err:?}");
    assert_eq!(server.request_count(), 3);

    // `.max_pages(n)` on the stream overrides the attribute.
    let results: Vec<restrait::Result<Item>> = lists.forever().max_pages(5).collect().await;
    assert_eq!(results.iter().filter(|r| r.is_ok()).count(), 5);
}

#[tokio::test]
async fn an_error_mid_stream_ends_it_after_the_items_before() {
    let (server, lists) = setup().await;
    let results: Vec<restrait::Result<Item>> = lists.items("broken", "asc").collect().await;
    assert_eq!(results.len(), 11, "page 1's items, then the error");
    match &results[10] {
        Err(Error::Server(e)) => assert_eq!(e.message(), "page 2 is on fire"),
        other => panic!("expected a server error, got {other:?}"),
    }
    assert_eq!(server.request_count(), 2);
}

#[tokio::test]
async fn a_paginator_is_send_and_can_be_spawned() {
    let (_server, lists) = setup().await;
    let stream = lists.customers(Some(7), None);
    let count =
        tokio::spawn(async move { stream.try_fold(0, |n, _| async move { Ok(n + 1) }).await })
            .await
            .expect("task")
            .expect("pages");
    assert_eq!(count, TOTAL);
}
