//! How to find the next page: Link header, cursor in the body, page number.

use std::borrow::Cow;
use std::collections::HashSet;
use std::hash::{BuildHasher, RandomState};

use bytes::Bytes;
use serde_json::Value;
use url::Url;

use crate::error::{Error, Result};
use crate::request::Request;
use crate::response::Response;

/// The default guard on the number of pages one stream may fetch.
pub const DEFAULT_MAX_PAGES: u32 = 10_000;

/// How a list endpoint is paged. Declared on a method with
/// `#[paginate(..)]`, or built by hand for [`Paginator::new`](super::Paginator::new).
///
/// ```
/// use restrait::Pagination;
/// // GitHub: `Link: <..?page=2>; rel="next"`, items are the body (an array).
/// let github = Pagination::link_header();
/// // Cursor APIs: `{"data": [..], "next_cursor": "abc"}`, sent back as `?cursor=abc`.
/// let cursor = Pagination::cursor("next_cursor", "cursor").items("data");
/// // Stripe: `{"data": [..], "has_more": true}`, next page `?starting_after=<last id>`.
/// let stripe = Pagination::has_more("has_more", "starting_after", "id").items("data");
/// // Page numbers: `?page=1`, `?page=2`, ... until a short or empty page.
/// let pages = Pagination::page_number("page").page_size("per_page").max_pages(50);
/// ```
#[derive(Clone, Debug)]
pub struct Pagination {
    pub(crate) kind: Kind,
    pub(crate) items: Option<Cow<'static, str>>,
    pub(crate) max_pages: u32,
}

#[derive(Clone, Debug)]
pub(crate) enum Kind {
    Link,
    Cursor {
        field: Cow<'static, str>,
        param: Cow<'static, str>,
    },
    HasMore {
        field: Cow<'static, str>,
        param: Cow<'static, str>,
        id: Cow<'static, str>,
    },
    PageNumber {
        param: Cow<'static, str>,
        size_param: Option<Cow<'static, str>>,
        total: Option<Cow<'static, str>>,
    },
}

impl Pagination {
    fn of(kind: Kind) -> Self {
        Pagination {
            kind,
            items: None,
            max_pages: DEFAULT_MAX_PAGES,
        }
    }

    /// Follows `Link: <url>; rel="next"` (RFC 8288), relative or absolute,
    /// within the same origin.
    pub fn link_header() -> Self {
        Self::of(Kind::Link)
    }

    /// Reads the next cursor from the body field `field` and sends it back
    /// as the query parameter `param`; a missing, `null` or empty cursor
    /// ends the stream.
    pub fn cursor(
        field: impl Into<Cow<'static, str>>,
        param: impl Into<Cow<'static, str>>,
    ) -> Self {
        Self::of(Kind::Cursor {
            field: field.into(),
            param: param.into(),
        })
    }

    /// Stripe style: continues while the body field `field` is `true`,
    /// sending the last item's `id` field as the query parameter `param`.
    pub fn has_more(
        field: impl Into<Cow<'static, str>>,
        param: impl Into<Cow<'static, str>>,
        id: impl Into<Cow<'static, str>>,
    ) -> Self {
        Self::of(Kind::HasMore {
            field: field.into(),
            param: param.into(),
            id: id.into(),
        })
    }

    /// Counts pages in the query parameter `param` (the first request's
    /// value, or 1), until a page is empty, shorter than the page size, or
    /// the total (an `X-Total-Count` header, or the body field set with
    /// [`total`](Self::total)) is reached.
    pub fn page_number(param: impl Into<Cow<'static, str>>) -> Self {
        Self::of(Kind::PageNumber {
            param: param.into(),
            size_param: None,
            total: None,
        })
    }

    /// For page numbers: the query parameter that holds the page size. Without
    /// it the first page's length is taken as the page size.
    pub fn page_size(mut self, param: impl Into<Cow<'static, str>>) -> Self {
        if let Kind::PageNumber { size_param, .. } = &mut self.kind {
            *size_param = Some(param.into());
        }
        self
    }

    /// For page numbers: the body field with the total number of items.
    pub fn total(mut self, field: impl Into<Cow<'static, str>>) -> Self {
        if let Kind::PageNumber { total, .. } = &mut self.kind {
            *total = Some(field.into());
        }
        self
    }

    /// The body field that holds the page's items (default: the body is the
    /// array of items).
    pub fn items(mut self, field: impl Into<Cow<'static, str>>) -> Self {
        self.items = Some(field.into());
        self
    }

    /// The most pages one stream fetches; asking for more ends the stream with
    /// [`Error::Pagination`]. Default [`DEFAULT_MAX_PAGES`].
    pub fn max_pages(mut self, pages: u32) -> Self {
        self.max_pages = pages;
        self
    }

    /// True when the strategy reads the last item of a page.
    pub(crate) fn needs_last_item(&self) -> bool {
        matches!(self.kind, Kind::HasMore { .. })
    }

    /// The items of a page body, as JSON values.
    pub(crate) fn take_items(&self, body: &mut Value) -> Result<Vec<Value>> {
        let items = match &self.items {
            None => body.take(),
            Some(field) => body
                .get_mut(field.as_ref())
                .map(Value::take)
                .unwrap_or(Value::Null),
        };
        match items {
            Value::Array(items) => Ok(items),
            Value::Null => Ok(Vec::new()),
            other => Err(pagination_error(format!(
                "the page's {} is {}, not an array of items",
                self.items
                    .as_deref()
                    .map_or("body".to_owned(), |f| format!("field `{f}`")),
                kind_of(&other)
            ))),
        }
    }

    /// The request for the page after this one, or `None` at the end. A
    /// request for a URL this stream has already asked for is a cycle: it
    /// ends the stream with [`Error::Pagination`] instead of fetching the same
    /// pages again until `max_pages`.
    pub(crate) fn next(
        &self,
        progress: &mut Progress,
        request: &Request,
        response: &Response<Bytes>,
        body: &Value,
        count: usize,
        last: Option<&Value>,
    ) -> Result<Option<Request>> {
        // The first page's URL; every later one was remembered as a next.
        progress.remember(request.url());
        let Some(next) = self.find_next(progress, request, response, body, count, last)? else {
            return Ok(None);
        };
        if progress.remember(next.url()) {
            Ok(Some(next))
        } else {
            Err(self.cycle_error(next.url(), progress.pages))
        }
    }

    /// Says where the pages loop, without the values of the query, which
    /// may be secret (signed cursors, keys).
    fn cycle_error(&self, repeated: &Url, page: u32) -> Error {
        let what = match &self.kind {
            Kind::Link => format!("the next link after page {page}"),
            Kind::Cursor { field, param } => {
                format!("the cursor `{field}` of page {page}, sent as `{param}`,")
            }
            Kind::HasMore { param, id, .. } => {
                format!("the `{id}` of page {page}'s last item, sent as `{param}`,")
            }
            Kind::PageNumber { param, .. } => {
                format!("the page number `{param}` after page {page}")
            }
        };
        pagination_error(format!(
            "{what} leads back to {}, already fetched in this stream: the pages form a cycle",
            without_query_values(repeated)
        ))
    }

    fn find_next(
        &self,
        progress: &mut Progress,
        request: &Request,
        response: &Response<Bytes>,
        body: &Value,
        count: usize,
        last: Option<&Value>,
    ) -> Result<Option<Request>> {
        progress.items = progress.items.saturating_add(count as u64);
        match &self.kind {
            Kind::Link => {
                let Some(target) = response
                    .headers()
                    .get_all(http::header::LINK)
                    .iter()
                    .filter_map(|v| v.to_str().ok())
                    .find_map(super::link::next_link)
                else {
                    return Ok(None);
                };
                let url = request.url().join(target).map_err(|e| {
                    pagination_error(format!("the next link `{target}` is not a URL: {e}"))
                })?;
                if url.origin() != request.url().origin() {
                    return Err(pagination_error(format!(
                        "the next link points to another origin ({}); it is not followed",
                        url.origin().ascii_serialization()
                    )));
                }
                Ok(Some(with_url(request, url)))
            }
            Kind::Cursor { field, param } => match scalar(body.get(field.as_ref())) {
                None => Ok(None),
                Some(cursor) => Ok(Some(with_query(request, param, &cursor))),
            },
            Kind::HasMore { field, param, id } => {
                if body.get(field.as_ref()).and_then(Value::as_bool) != Some(true) {
                    return Ok(None);
                }
                let last = last.and_then(|item| scalar(item.get(id.as_ref())));
                match last {
                    Some(last) => Ok(Some(with_query(request, param, &last))),
                    None => Err(pagination_error(format!(
                        "`{field}` is true but the last item has no `{id}` to continue from"
                    ))),
                }
            }
            Kind::PageNumber {
                param,
                size_param,
                total,
            } => {
                if count == 0 {
                    return Ok(None);
                }
                let size = size_param
                    .as_ref()
                    .and_then(|p| query_value(request.url(), p))
                    .and_then(|v| v.parse::<u64>().ok())
                    .unwrap_or(*progress.first_page_len.get_or_insert(count as u64));
                if (count as u64) < size {
                    return Ok(None);
                }
                let total = total
                    .as_ref()
                    .and_then(|f| body.get(f.as_ref()))
                    .and_then(Value::as_u64)
                    .or_else(|| {
                        response
                            .headers()
                            .get("x-total-count")
                            .and_then(|v| v.to_str().ok())
                            .and_then(|v| v.trim().parse().ok())
                    });
                if total.is_some_and(|t| progress.items >= t) {
                    return Ok(None);
                }
                let current = query_value(request.url(), param)
                    .and_then(|v| v.parse::<u64>().ok())
                    .unwrap_or(1);
                let Some(following) = current.checked_add(1) else {
                    return Err(pagination_error(format!(
                        "page `{param}` {current} is full, and there is no page number after it"
                    )));
                };
                Ok(Some(with_query(request, param, &following.to_string())))
            }
        }
    }
}

/// What a stream has fetched so far.
#[derive(Debug, Default)]
pub(crate) struct Progress {
    pub(crate) pages: u32,
    pub(crate) items: u64,
    first_page_len: Option<u64>,
    /// 64-bit hashes of the URLs asked for, to see a cycle: 8 bytes (plus the
    /// set's overhead) a page, and never more than `max_pages + 1` of them.
    /// Randomly keyed per stream, so a server cannot make two URLs collide.
    seen: HashSet<u64>,
    keys: RandomState,
}

impl Progress {
    /// Records `url`; false if this stream has asked for it before.
    fn remember(&mut self, url: &Url) -> bool {
        self.seen.insert(self.keys.hash_one(url.as_str()))
    }
}

/// The URL's path and query names, with every query value elided.
fn without_query_values(url: &Url) -> String {
    let mut shown = url.path().to_owned();
    let mut pairs = url.query_pairs().peekable();
    if pairs.peek().is_some() {
        let names: Vec<String> = pairs.map(|(name, _)| format!("{name}=…")).collect();
        shown.push('?');
        shown.push_str(&names.join("&"));
    }
    shown
}

pub(crate) fn pagination_error(message: String) -> Error {
    Error::Pagination(Box::new(crate::error::PaginationError { message }))
}

fn kind_of(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// A cursor or id as text: strings and numbers; anything else ends paging.
fn scalar(value: Option<&Value>) -> Option<String> {
    match value? {
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn query_value(url: &Url, name: &str) -> Option<String> {
    url.query_pairs()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
}

fn with_url(request: &Request, url: Url) -> Request {
    let mut next = request.try_clone().unwrap_or_else(|| request.head_clone());
    *next.url_mut() = url;
    next.set_attempt(0);
    next
}

/// The request with query parameter `name` set to `value` (replacing it).
fn with_query(request: &Request, name: &str, value: &str) -> Request {
    let mut url = request.url().clone();
    let kept: Vec<(String, String)> = url
        .query_pairs()
        .filter(|(k, _)| k != name)
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    url.query_pairs_mut()
        .clear()
        .extend_pairs(kept)
        .append_pair(name, value);
    with_url(request, url)
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::{HeaderMap, Method, StatusCode};

    fn get(url: &str) -> Request {
        Request::new(Method::GET, url.parse().expect("url"))
    }

    fn ok(headers: HeaderMap) -> Response<Bytes> {
        Response::new(StatusCode::OK, headers, Bytes::new())
    }

    /// Asks `pagination` for the page after `request`, as page `page`.
    fn step(
        pagination: &Pagination,
        progress: &mut Progress,
        request: &Request,
        body: &Value,
    ) -> Result<Option<Request>> {
        progress.pages += 1;
        pagination.next(progress, request, &ok(HeaderMap::new()), body, 2, None)
    }

    #[test]
    fn a_page_number_that_cannot_grow_ends_the_stream() {
        let pagination = Pagination::page_number("page");
        let mut progress = Progress::default();
        let request = get(&format!("https://h/items?page={}", u64::MAX));
        match step(&pagination, &mut progress, &request, &Value::Null) {
            Err(Error::Pagination(e)) => assert!(e.message().contains("`page`"), "{e}"),
            other => panic!("expected a pagination error, got {other:?}"),
        }
        let request = get(&format!("https://h/items?page={}", u64::MAX - 1));
        let next = step(
            &pagination,
            &mut Progress::default(),
            &request,
            &Value::Null,
        )
        .expect("ok")
        .expect("a next page");
        assert_eq!(next.url().query(), Some(&*format!("page={}", u64::MAX)));
    }

    #[test]
    fn a_cursor_seen_before_is_a_cycle() {
        let pagination = Pagination::cursor("next", "cursor");
        let mut progress = Progress::default();
        let first = get("https://h/items");
        let a = step(
            &pagination,
            &mut progress,
            &first,
            &serde_json::json!({"next": "A"}),
        )
        .expect("ok")
        .expect("A");
        let b = step(
            &pagination,
            &mut progress,
            &a,
            &serde_json::json!({"next": "B"}),
        )
        .expect("ok")
        .expect("B");
        match step(
            &pagination,
            &mut progress,
            &b,
            &serde_json::json!({"next": "A"}),
        ) {
            Err(Error::Pagination(e)) => {
                let message = e.message();
                assert!(
                    message.contains("cycle") && message.contains("page 3"),
                    "{message}"
                );
                assert!(message.contains("/items?cursor=…"), "{message}");
            }
            other => panic!("expected a cycle, got {other:?}"),
        }
        // The same cursor straight back is a cycle too.
        let mut progress = Progress::default();
        let again = get("https://h/items?cursor=A");
        let result = step(
            &pagination,
            &mut progress,
            &again,
            &serde_json::json!({"next": "A"}),
        );
        assert!(matches!(result, Err(Error::Pagination(_))), "{result:?}");
    }

    #[test]
    fn an_empty_cursor_ends_the_stream() {
        let pagination = Pagination::cursor("next", "cursor");
        let first = get("https://h/items");
        let next = step(
            &pagination,
            &mut Progress::default(),
            &first,
            &serde_json::json!({"next": ""}),
        );
        assert!(matches!(next, Ok(None)), "{next:?}");
        let next = step(
            &pagination,
            &mut Progress::default(),
            &first,
            &serde_json::json!({"next": 7}),
        )
        .expect("ok")
        .expect("a number is a cursor too");
        assert_eq!(next.url().query(), Some("cursor=7"));
    }

    #[test]
    fn items_that_are_not_an_array_are_an_error_naming_what_they_are() {
        let pagination = Pagination::cursor("next", "cursor").items("data");
        for (data, kind) in [
            (serde_json::json!("oops"), "a string"),
            (serde_json::json!({"id": 1}), "an object"),
            (serde_json::json!(3), "a number"),
            (serde_json::json!(true), "a boolean"),
        ] {
            let mut body = serde_json::json!({ "data": data });
            match pagination.take_items(&mut body) {
                Err(Error::Pagination(e)) => assert_eq!(
                    e.message(),
                    format!("the page's field `data` is {kind}, not an array of items")
                ),
                other => panic!("expected a pagination error, got {other:?}"),
            }
        }
        let mut body = serde_json::json!({ "data": null });
        assert!(pagination.take_items(&mut body).expect("null").is_empty());
    }

    #[test]
    fn query_values_are_never_shown() {
        let url: Url = "https://h/a/b?api_key=hunter2&page=2&flag"
            .parse()
            .expect("url");
        assert_eq!(without_query_values(&url), "/a/b?api_key=…&page=…&flag=…");
        let url: Url = "https://h/a".parse().expect("url");
        assert_eq!(without_query_values(&url), "/a");
    }
}
