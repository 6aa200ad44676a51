//! Paged list endpoints as lazy streams, against a real server: Link
//! header, cursor in the body, Stripe's has_more, page numbers.

mod support;

use futures::{StreamExt, TryStreamExt};
use restrait::__private::{Method, RequestBuilder, ResourceClient};
use restrait::{Error, Pagination, Paginator};
use restrait_tests::helpers::resource_without_retries as resource;
use serde_json::json;
use support::{Recorded, Reply, TestServer};

#[derive(Debug, serde::Deserialize, PartialEq)]
struct Item {
    id: u64,
}

fn query(r: &Recorded, name: &str) -> Option<u64> {
    r.query()?
        .split('&')
        .find_map(|pair| pair.strip_prefix(&format!("{name}=")))
        .and_then(|v| v.parse().ok())
}

/// 25 items, `per_page` (default 10) at a time.
fn items(from: u64, count: u64) -> Vec<serde_json::Value> {
    (from..(from + count).min(25))
        .map(|id| json!({"id": id}))
        .collect()
}

fn list<'a>(rc: &'a ResourceClient, path: &'static str) -> RequestBuilder<'a> {
    let mut req = RequestBuilder::new(rc, Method::GET, "/items");
    req.path(path);
    req.query("per_page", &10);
    req
}

async fn link_server() -> TestServer {
    TestServer::start(|r| async move {
        let page = query(&r, "page").unwrap_or(1);
        let reply = Reply::json(200, &json!(items((page - 1) * 10, 10)));
        let base = format!("http://{}", r.header("host").unwrap_or(""));
        match (r.path(), page) {
            ("/relative", p) if p < 3 => reply.header("link", &format!("</relative?per_page=10&page={}>; rel=\"next\"", p + 1)),
            ("/absolute", p) if p < 3 => reply.header(
                "link",
                &format!("<{base}/absolute?per_page=10&page={}>; rel=\"next\", <{base}/absolute?page=3>; rel=\"last\"", p + 1),
            ),
            ("/elsewhere", _) => reply.header("link", "<http://127.0.0.2:1/steal?page=2>; rel=\"next\""),
            ("/forever", p) => reply.header("link", &format!("</forever?page={}>; rel=\"next\"", p + 1)),
            _ => reply,
        }
    })
    .await
}

#[tokio::test]
async fn link_header_relative_and_absolute() {
    let server = link_server().await;
    let rc = resource(server.url());
    for path in ["/relative", "/absolute"] {
        let all: Vec<Item> = list(&rc, path)
            .paginate(Pagination::link_header())
            .try_collect()
            .await
            .expect("all pages");
        assert_eq!(all.len(), 25, "{path}");
        assert_eq!(all.last(), Some(&Item { id: 24 }));
    }
    assert_eq!(server.request_count(), 6);
}

#[tokio::test]
async fn streams_are_lazy() {
    let server = link_server().await;
    let rc = resource(server.url());
    let first: Vec<Item> = list(&rc, "/relative")
        .paginate(Pagination::link_header())
        .take(10)
        .try_collect()
        .await
        .expect("page 1");
    assert_eq!(first.len(), 10);
    assert_eq!(server.request_count(), 1, "only page 1 was asked for");

    let mut pages = list(&rc, "/relative")
        .paginate::<Item>(Pagination::link_header())
        .pages();
    let page = pages.next().await.expect("a page").expect("ok");
    assert_eq!((page.number, page.items.len()), (1, 10));
    assert_eq!(server.request_count(), 2);
}

#[tokio::test]
async fn next_link_to_another_origin_is_refused() {
    let server = link_server().await;
    let rc = resource(server.url());
    let results: Vec<_> = list(&rc, "/elsewhere")
        .paginate::<Item>(Pagination::link_header())
        .collect()
        .await;
    assert_eq!(
        results.iter().filter(|r| r.is_ok()).count(),
        10,
        "page 1 is delivered"
    );
    let err = results
        .last()
        .expect("an error")
        .as_ref()
        .expect_err("refused");
    assert!(matches!(err, Error::Pagination(_)), "{err:?}");
    assert!(err.to_string().contains("another origin"), "{err}");
    assert_eq!(server.request_count(), 1);
}

#[tokio::test]
async fn page_guard_stops_a_server_that_never_ends() {
    let server = link_server().await;
    let rc = resource(server.url());
    let results: Vec<_> = list(&rc, "/forever")
        .paginate::<Item>(Pagination::link_header().max_pages(5))
        .collect()
        .await;
    assert!(matches!(results.last(), Some(Err(Error::Pagination(_)))));
    assert_eq!(server.request_count(), 5);
    // `max_items` stops quietly where the caller wants.
    let some: Vec<Item> = list(&rc, "/forever")
        .paginate(Pagination::link_header())
        .max_items(12)
        .try_collect()
        .await
        .expect("ok");
    assert_eq!(some.len(), 12);
    assert_eq!(server.request_count(), 7);
}

#[tokio::test]
async fn cursor_in_the_body() {
    let server = TestServer::start(|r| async move {
        let at = r
            .query()
            .and_then(|q| q.split('&').find_map(|p| p.strip_prefix("cursor=")))
            .and_then(|c| c.strip_prefix("c"))
            .and_then(|n| n.parse().ok())
            .unwrap_or(0u64);
        let next = if at + 10 < 25 {
            json!(format!("c{}", at + 10))
        } else {
            json!(null)
        };
        Reply::json(200, &json!({"data": items(at, 10), "next_cursor": next}))
    })
    .await;
    let rc = resource(server.url());
    let all: Vec<Item> = list(&rc, "/cursor")
        .paginate(Pagination::cursor("next_cursor", "cursor").items("data"))
        .try_collect()
        .await
        .expect("all");
    assert_eq!(all.len(), 25);
    let targets: Vec<_> = server.requests().into_iter().map(|r| r.target).collect();
    assert_eq!(
        targets,
        [
            "/cursor?per_page=10",
            "/cursor?per_page=10&cursor=c10",
            "/cursor?per_page=10&cursor=c20"
        ]
    );
}

#[tokio::test]
async fn stripe_has_more_and_starting_after() {
    let server = TestServer::start(|r| async move {
        let after = query(&r, "starting_after").map_or(0, |id| id + 1);
        let page = items(after, 10);
        let has_more = after + 10 < 25;
        Reply::json(
            200,
            &json!({"object": "list", "data": page, "has_more": has_more}),
        )
    })
    .await;
    let rc = resource(server.url());
    let all: Vec<Item> = list(&rc, "/v1/customers")
        .paginate(Pagination::has_more("has_more", "starting_after", "id").items("data"))
        .try_collect()
        .await
        .expect("all");
    assert_eq!(
        all.iter().map(|i| i.id).collect::<Vec<_>>(),
        (0..25).collect::<Vec<_>>()
    );
    assert_eq!(query(&server.last(), "starting_after"), Some(19));
}

#[tokio::test]
async fn page_numbers_stop_at_a_short_page_or_the_total() {
    let server = TestServer::start(|r| async move {
        let page = query(&r, "page").unwrap_or(1);
        let reply = Reply::json(200, &json!(items((page - 1) * 10, 10)));
        if r.path() == "/counted" {
            reply.header("x-total-count", "20")
        } else {
            reply
        }
    })
    .await;
    let rc = resource(server.url());
    let all: Vec<Item> = list(&rc, "/numbered")
        .paginate(Pagination::page_number("page").page_size("per_page"))
        .try_collect()
        .await
        .expect("all");
    assert_eq!(all.len(), 25);
    assert_eq!(server.request_count(), 3, "page 3 was short: no page 4");

    let all: Vec<Item> = list(&rc, "/counted")
        .paginate(Pagination::page_number("page"))
        .try_collect()
        .await
        .expect("all");
    assert_eq!(all.len(), 20);
    assert_eq!(
        server.request_count(),
        5,
        "X-Total-Count reached after page 2"
    );
}

#[tokio::test]
async fn an_error_mid_stream_ends_it_with_the_typed_error() {
    let server = TestServer::start(|r| async move {
        match query(&r, "page").unwrap_or(1) {
            1 => Reply::json(200, &json!(items(0, 10)))
                .header("link", "</broken?page=2>; rel=\"next\""),
            2 => Reply::json(200, &json!([{"id": 10}, {"id": "eleven"}]))
                .header("link", "</broken?page=3>; rel=\"next\""),
            _ => Reply::json(404, &json!({"message": "gone"})),
        }
    })
    .await;
    let rc = resource(server.url());
    let results: Vec<_> = list(&rc, "/broken")
        .paginate::<Item>(Pagination::link_header())
        .collect()
        .await;
    assert_eq!(results.len(), 11, "10 items, then the error, then the end");
    match results.last() {
        Some(Err(Error::Decode(d))) => assert_eq!(d.path(), "[1].id"),
        other => panic!("expected a decode error, got {other:?}"),
    }
    let server_seen = server.request_count();
    assert_eq!(server_seen, 2, "nothing after the error");
}

#[tokio::test]
async fn a_decode_error_inside_an_array_item_names_both_indexes() {
    // Items that are arrays themselves: the error's path is `[1][1]`, an
    // index after an index, with no `.` between them.
    let server = TestServer::fixed(200, json!([[1, "one"], [2, 3]])).await;
    let rc = resource(server.url());
    let results: Vec<_> = list(&rc, "/pairs")
        .paginate::<(u32, String)>(Pagination::link_header())
        .collect()
        .await;
    assert_eq!(results.len(), 1, "the page fails as a whole: {results:?}");
    match results.last() {
        Some(Err(Error::Decode(d))) => assert_eq!(d.path(), "[1][1]"),
        other => panic!("expected a decode error, got {other:?}"),
    }
}

#[tokio::test]
async fn debug_shows_the_strategy_and_how_far_the_stream_got() {
    let server = TestServer::fixed(200, json!(items(0, 3))).await;
    let rc = resource(server.url());
    let paginator = list(&rc, "/debug")
        .paginate::<Item>(Pagination::page_number("page"))
        .max_items(5);
    let shown = format!("{paginator:?}");
    assert!(shown.starts_with("Paginator {"), "{shown}");
    assert!(shown.contains("pagination: "), "{shown}");
    assert!(shown.contains("buffered: 0"), "{shown}");
    assert!(shown.contains("items_left: Some(5)"), "{shown}");
    let mut pages = paginator.pages();
    let first = pages.next().await.expect("a page").expect("ok");
    assert_eq!(first.items.len(), 3);
    let shown = format!("{pages:?}");
    assert!(shown.starts_with("Pages {"), "{shown}");
    assert!(shown.contains("pages_fetched: 1"), "{shown}");
}

#[tokio::test]
async fn paginator_is_send_and_can_be_spawned() {
    let server = link_server().await;
    let rc = resource(server.url());
    let stream: Paginator<Item> = list(&rc, "/relative").paginate(Pagination::link_header());
    let count = tokio::spawn(async move { stream.try_collect::<Vec<_>>().await.map(|v| v.len()) })
        .await
        .expect("task")
        .expect("ok");
    assert_eq!(count, 25);
}

/// Collects a stream that should end in a pagination error at a cycle.
async fn cycle_error(rc: &ResourceClient, path: &'static str, pagination: Pagination) -> String {
    let results: Vec<_> = list(rc, path).paginate::<Item>(pagination).collect().await;
    match results.last() {
        Some(Err(Error::Pagination(e))) => e.message().to_owned(),
        other => panic!("{path}: expected a pagination error, got {other:?}"),
    }
}

#[tokio::test]
async fn links_that_cycle_end_at_the_first_repeat() {
    let server = TestServer::start(|r| async move {
        let reply = Reply::json(200, &json!(items(0, 10)));
        match r.path() {
            "/self" => reply.header("link", "</self?per_page=10>; rel=\"next\""),
            "/a" => reply.header("link", "</b?per_page=10&api_key=hunter2>; rel=\"next\""),
            "/b" => reply.header("link", "</a?per_page=10>; rel=\"next\""),
            _ => reply,
        }
    })
    .await;
    let rc = resource(server.url());

    let message = cycle_error(&rc, "/self", Pagination::link_header()).await;
    assert!(message.contains("cycle"), "{message}");
    assert_eq!(server.request_count(), 1, "a link to itself is not fetched");

    let message = cycle_error(&rc, "/a", Pagination::link_header()).await;
    assert!(
        message.contains("cycle") && message.contains("/a"),
        "{message}"
    );
    assert!(!message.contains("hunter2"), "{message}");
    let targets: Vec<_> = server.requests().into_iter().map(|r| r.target).collect();
    assert_eq!(
        targets[1..],
        ["/a?per_page=10", "/b?per_page=10&api_key=hunter2"],
        "A, B, then the link back to A ends the stream"
    );
}

#[tokio::test]
async fn cursors_that_cycle_end_at_the_first_repeat() {
    let server = TestServer::start(|r| async move {
        let cursor = r
            .query()
            .and_then(|q| q.split('&').find_map(|p| p.strip_prefix("cursor=")))
            .map(str::to_owned);
        let next = match cursor.as_deref() {
            None | Some("B-secret") => "A-secret",
            Some(_) => "B-secret",
        };
        Reply::json(200, &json!({"data": items(0, 10), "next_cursor": next}))
    })
    .await;
    let rc = resource(server.url());
    let message = cycle_error(
        &rc,
        "/cursor",
        Pagination::cursor("next_cursor", "cursor").items("data"),
    )
    .await;
    assert!(message.contains("cycle"), "{message}");
    assert!(!message.contains("secret"), "{message}");
    let targets: Vec<_> = server.requests().into_iter().map(|r| r.target).collect();
    assert_eq!(
        targets,
        [
            "/cursor?per_page=10",
            "/cursor?per_page=10&cursor=A-secret",
            "/cursor?per_page=10&cursor=B-secret",
        ]
    );
}
