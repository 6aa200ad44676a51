//! Lazy streams over paged list endpoints.

pub(crate) mod decode;
pub(crate) mod link;
mod strategy;

use std::collections::VecDeque;
use std::fmt;
use std::marker::PhantomData;
use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::Bytes;
use futures::Stream;
use http::{HeaderMap, StatusCode};
use serde::de::DeserializeOwned;
use serde_json::Value;

pub use strategy::{DEFAULT_MAX_PAGES, Pagination};

use crate::client::Client;
use crate::error::{DecodeError, Error, Result};
use crate::middleware::BoxFuture;
use crate::redact::Excerpt;
use crate::request::Request;
use crate::response::Response;
use strategy::{Progress, pagination_error};

/// One page of a paged list.
#[derive(Debug)]
pub struct Page<T> {
    /// The items of this page.
    pub items: Vec<T>,
    /// The page's status.
    pub status: StatusCode,
    /// The page's headers.
    pub headers: HeaderMap,
    /// 1 for the first page.
    pub number: u32,
}

/// A page, and the request for the next one (or why there is none).
type Fetched<T> = (Page<T>, Option<Result<Request>>);

/// A lazy [`Stream`] of the items of a paged list endpoint.
///
/// It asks for a page only when the items of the previous one have been
/// consumed, stops after the last page, and guards against servers that
/// never stop (see [`Pagination::max_pages`]). Every page request goes through
/// the client's middleware, so retry and auth apply to each; an error ends
/// the stream after it is yielded. [`pages`](Paginator::pages) gives whole
/// pages instead of items.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")] async fn main() -> restrait::Result<()> {
/// use futures::TryStreamExt;
/// use restrait::testing::{MockResponse, MockTransport};
/// use restrait::{http::Method, Client, Pagination, Paginator, Request};
///
/// let mock = MockTransport::from_fn(|req| {
///     let page: u32 = req.url().query_pairs().find(|(k, _)| k == "page")
///         .and_then(|(_, v)| v.parse().ok()).unwrap_or(1);
///     let items: Vec<u32> = if page <= 3 { vec![page * 10, page * 10 + 1] } else { vec![] };
///     MockResponse::json(200, &items)
/// });
/// let client = Client::builder("https://api.test").transport(mock).build()?;
/// let first = Request::new(Method::GET, "https://api.test/numbers?page=1".parse().expect("url"));
/// let all: Vec<u32> = Paginator::<u32>::new(client, first, Pagination::page_number("page"))
///     .try_collect()
///     .await?;
/// assert_eq!(all, [10, 11, 20, 21, 30, 31]);
/// # Ok(()) }
/// ```
pub struct Paginator<T> {
    pages: Pages<T>,
    buffer: VecDeque<T>,
    items_left: Option<u64>,
}

/// A lazy [`Stream`] of whole pages; made by [`Paginator::pages`].
pub struct Pages<T> {
    client: Client,
    pagination: Pagination,
    next: Option<Result<Request>>,
    fetching: Option<BoxFuture<'static, (Result<Fetched<T>>, Progress)>>,
    progress: Progress,
    _items: PhantomData<fn() -> T>,
}

impl<T> Unpin for Pages<T> {}
impl<T> Unpin for Paginator<T> {}

impl<T: DeserializeOwned + Send + 'static> Paginator<T> {
    /// A stream that starts with `first` and pages as `pagination` says.
    pub fn new(client: Client, first: Request, pagination: Pagination) -> Self {
        Self::from_result(client, Ok(first), pagination)
    }

    /// A stream whose first request could not be built: it yields the error.
    pub(crate) fn from_result(
        client: Client,
        first: Result<Request>,
        pagination: Pagination,
    ) -> Self {
        Paginator {
            pages: Pages {
                client,
                pagination,
                next: Some(first),
                fetching: None,
                progress: Progress::default(),
                _items: PhantomData,
            },
            buffer: VecDeque::new(),
            items_left: None,
        }
    }

    /// Ends the stream after `items` items, without asking for more pages.
    pub fn max_items(mut self, items: u64) -> Self {
        self.items_left = Some(items);
        self
    }

    /// Guards against endless paging: asking for more than `pages` pages ends
    /// the stream with [`Error::Pagination`].
    pub fn max_pages(mut self, pages: u32) -> Self {
        self.pages.pagination.max_pages = pages;
        self
    }

    /// The same stream, page by page.
    pub fn pages(self) -> Pages<T> {
        self.pages
    }
}

impl<T: DeserializeOwned + Send + 'static> Stream for Pages<T> {
    type Item = Result<Page<T>>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = &mut *self;
        if this.fetching.is_none() {
            let request = match this.next.take() {
                None => return Poll::Ready(None),
                Some(Err(e)) => return Poll::Ready(Some(Err(e))),
                Some(Ok(request)) => request,
            };
            if this.progress.pages >= this.pagination.max_pages {
                return Poll::Ready(Some(Err(pagination_error(format!(
                    "{} has more than {} pages; raise `max_pages` if that is expected",
                    request.call_info(),
                    this.pagination.max_pages
                )))));
            }
            let client = this.client.clone();
            let pagination = this.pagination.clone();
            let mut progress = std::mem::take(&mut this.progress);
            progress.pages += 1;
            // The progress travels with the fetch and comes back with its page.
            this.fetching = Some(Box::pin(async move {
                let result = fetch(&client, &pagination, &mut progress, request).await;
                (result, progress)
            }));
        }
        let Some(fetching) = this.fetching.as_mut() else {
            return Poll::Ready(None);
        };
        let (result, progress) = match fetching.as_mut().poll(cx) {
            Poll::Pending => return Poll::Pending,
            Poll::Ready(done) => done,
        };
        this.fetching = None;
        this.progress = progress;
        match result {
            Ok((page, next)) => {
                // A failure to find the next page is yielded after this page's items.
                this.next = next;
                Poll::Ready(Some(Ok(page)))
            }
            // An error ends the stream: `next` stays empty.
            Err(e) => Poll::Ready(Some(Err(e))),
        }
    }
}

impl<T: DeserializeOwned + Send + 'static> Stream for Paginator<T> {
    type Item = Result<T>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = &mut *self;
        loop {
            if this.items_left == Some(0) {
                return Poll::Ready(None);
            }
            if let Some(item) = this.buffer.pop_front() {
                if let Some(left) = &mut this.items_left {
                    *left -= 1;
                }
                return Poll::Ready(Some(Ok(item)));
            }
            match Pin::new(&mut this.pages).poll_next(cx) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(None) => return Poll::Ready(None),
                Poll::Ready(Some(Err(e))) => return Poll::Ready(Some(Err(e))),
                Poll::Ready(Some(Ok(page))) => this.buffer.extend(page.items),
            }
        }
    }
}

/// Fetches one page and works out the request for the next.
async fn fetch<T: DeserializeOwned>(
    client: &Client,
    pagination: &Pagination,
    progress: &mut Progress,
    request: Request,
) -> Result<Fetched<T>> {
    // `#[resource(error = T, ok_field = "..")]` apply to every page.
    let errors = request.parts.errors.unwrap_or_default();
    let response = client
        .execute(request.try_clone().unwrap_or_else(|| request.head_clone()))
        .await?
        .error_for_status()
        .map_err(|e| errors.error(e))?;
    errors.check(&response)?;
    let field = pagination.items.as_deref();
    let page = match decode::fast(response.body(), field, pagination.needs_last_item()) {
        Some(page) => page,
        None => decode_slowly(&response, pagination)?,
    };
    let next = pagination
        .next(
            progress,
            &request,
            &response,
            &page.fields,
            page.items.len(),
            page.last.as_ref(),
        )
        .transpose();
    Ok((
        Page {
            items: page.items,
            status: response.status(),
            headers: response.headers().clone(),
            number: progress.pages,
        },
        next,
    ))
}

/// Decodes through a JSON tree, item by item, so that a failure names the
/// exact field (`data[3].email`). Used when the fast path gave up.
fn decode_slowly<T: DeserializeOwned>(
    response: &Response<Bytes>,
    pagination: &Pagination,
) -> Result<decode::Decoded<T>> {
    let mut body: Value = if response.body().iter().all(u8::is_ascii_whitespace) {
        Value::Null
    } else {
        serde_json::from_slice(response.body())
            .map_err(|e| page_decode_error(response, ".".into(), e))?
    };
    let raw_items = pagination.take_items(&mut body)?;
    let field = pagination.items.as_deref().unwrap_or("");
    let last = raw_items.last().cloned();
    let mut items = Vec::with_capacity(raw_items.len());
    for (i, item) in raw_items.into_iter().enumerate() {
        match serde_path_to_error::deserialize(item) {
            Ok(item) => items.push(item),
            Err(e) => {
                let path = format!("{field}[{i}]{}", join_path(&e.path().to_string()));
                return Err(page_decode_error(response, path, e.into_inner()));
            }
        }
    }
    Ok(decode::Decoded {
        items,
        fields: body,
        last,
    })
}

fn join_path(inner: &str) -> String {
    match inner {
        "." | "" => String::new(),
        p if p.starts_with('[') => p.to_owned(),
        p => format!(".{p}"),
    }
}

fn page_decode_error(response: &Response<Bytes>, path: String, e: serde_json::Error) -> Error {
    Error::Decode(Box::new(DecodeError {
        status: response.status(),
        call: response.call().clone(),
        target: std::any::type_name::<Value>(),
        path,
        message: e.to_string(),
        excerpt: Excerpt(response.body()).to_text(),
        line: None,
        event: None,
        source: Some(e),
    }))
}

impl<T> fmt::Debug for Paginator<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Paginator")
            .field("pagination", &self.pages.pagination)
            .field("buffered", &self.buffer.len())
            .field("items_left", &self.items_left)
            .finish_non_exhaustive()
    }
}

impl<T> fmt::Debug for Pages<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Pages")
            .field("pagination", &self.pagination)
            .field("pages_fetched", &self.progress.pages)
            .finish_non_exhaustive()
    }
}
