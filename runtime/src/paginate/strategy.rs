//! How to find the next page: Link header, cursor in the body, page number.

use std::borrow::Cow;

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

    /// The request for the page after this one, or `None` at the end.
    pub(crate) fn next(
        &self,
        progress: &mut Progress,
        request: &Request,
        response: &Response<Bytes>,
        body: &Value,
        count: usize,
        last: Option<&Value>,
    ) -> Result<Option<Request>> {
        progress.items += count as u64;
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
                Some(cursor) if query_value(request.url(), param).as_deref() == Some(&cursor) => {
                    Err(pagination_error(format!(
                        "the server answered cursor `{param}` with the same cursor; stopping instead of looping"
                    )))
                }
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
                Ok(Some(with_query(request, param, &(current + 1).to_string())))
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
    let mut next = request.clone();
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
