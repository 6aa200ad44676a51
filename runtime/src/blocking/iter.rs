//! [`Iter`]: any of restrait's streams as a blocking [`Iterator`].

use std::fmt;
use std::sync::Arc;

use futures::{Stream, StreamExt};
use serde::de::DeserializeOwned;

use super::runtime::RuntimeThread;
use crate::error::Result;

/// A stream of `Result<T>` (a [`Paginator`](crate::Paginator), a
/// [`JsonLines`](crate::JsonLines), an [`EventStream`](crate::EventStream),
/// a page stream, any `Stream + Unpin`)
/// read as a blocking [`Iterator`]: each [`next`](Iterator::next) waits for
/// the next item on the client's runtime.
///
/// It is lazy as the stream is (a paginator asks for a page only when the
/// items before it are used up) and holds the runtime while it lives.
/// Called inside an async runtime, it yields one
/// [`Error::Blocking`](crate::Error::Blocking) and ends. Made by the
/// blocking client's methods or by [`Client::iter`](super::Client::iter).
///
/// ```
/// # fn main() -> restrait::Result<()> {
/// use restrait::testing::{MockResponse, MockTransport};
/// use restrait::{http::Method, Pagination, Paginator, Request};
///
/// let mock = MockTransport::new().route(Method::GET, "/numbers", MockResponse::json(200, &[1, 2, 3]));
/// let client = restrait::Client::builder("https://api.test").transport(mock).build_blocking()?;
/// let first = Request::new(Method::GET, "https://api.test/numbers".parse().expect("url"));
/// // No `Link: <..>; rel="next"` header: one page.
/// let stream = Paginator::<u32>::new(client.async_client().clone(), first, Pagination::link_header());
/// let numbers: Vec<u32> = client.iter(stream).collect::<restrait::Result<_>>()?;
/// assert_eq!(numbers, [1, 2, 3]);
/// # Ok(()) }
/// ```
pub struct Iter<S> {
    stream: S,
    runtime: Arc<RuntimeThread>,
    done: bool,
}

impl<S> Iter<S> {
    pub(crate) fn new(stream: S, runtime: Arc<RuntimeThread>) -> Self {
        Iter {
            stream,
            runtime,
            done: false,
        }
    }

    /// The stream inside, for code that wants to `await` it after all.
    pub fn into_inner(self) -> S {
        self.stream
    }

    /// Maps the stream inside, keeping the runtime.
    fn map_stream<U>(self, f: impl FnOnce(S) -> U) -> Iter<U> {
        Iter {
            stream: f(self.stream),
            runtime: self.runtime,
            done: self.done,
        }
    }
}

impl<S, T> Iterator for Iter<S>
where
    S: Stream<Item = Result<T>> + Unpin,
{
    type Item = Result<T>;

    fn next(&mut self) -> Option<Result<T>> {
        if self.done {
            return None;
        }
        match self.runtime.block_on(self.stream.next()) {
            Ok(item) => {
                self.done = item.is_none();
                item
            }
            // Inside an async runtime: say so once, then end, so that a
            // `for` loop over it does not spin.
            Err(e) => {
                self.done = true;
                Some(Err(e))
            }
        }
    }
}

impl<S, T> std::iter::FusedIterator for Iter<S> where S: Stream<Item = Result<T>> + Unpin {}

/// The items of a paged list endpoint, page by page on demand: what a
/// `#[paginate]` method of a blocking client returns.
pub type Paginator<T> = Iter<crate::Paginator<T>>;

/// One `T` per line of a JSON Lines body: what a `Result<JsonLines<T>>`
/// method of a blocking client returns.
pub type JsonLines<T> = Iter<crate::JsonLines<T>>;

/// Server-sent events, each data decoded into `T`, resuming with
/// `Last-Event-ID` after a dropped connection: what a
/// `Result<EventStream<T>>` method of a blocking client returns.
pub type EventStream<T> = Iter<crate::EventStream<T>>;

impl<T: DeserializeOwned + Send + 'static> Iter<crate::Paginator<T>> {
    /// Ends after `items` items, without asking for more pages
    /// ([`Paginator::max_items`](crate::Paginator::max_items)).
    #[must_use]
    pub fn max_items(self, items: u64) -> Self {
        self.map_stream(|s| s.max_items(items))
    }

    /// Overrides the guard on the number of pages
    /// ([`Paginator::max_pages`](crate::Paginator::max_pages)).
    #[must_use]
    pub fn max_pages(self, pages: u32) -> Self {
        self.map_stream(|s| s.max_pages(pages))
    }

    /// The same list, a whole [`Page`](crate::Page) at a time.
    pub fn pages(self) -> Iter<crate::Pages<T>> {
        self.map_stream(crate::Paginator::pages)
    }
}

impl<S> fmt::Debug for Iter<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Iter")
            .field("stream", &std::any::type_name::<S>())
            .field("done", &self.done)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Error;

    fn iter(
        items: Vec<Result<u32>>,
    ) -> Iter<futures::stream::Iter<std::vec::IntoIter<Result<u32>>>> {
        let runtime = RuntimeThread::start().expect("runtime thread");
        Iter::new(futures::stream::iter(items), Arc::new(runtime))
    }

    #[test]
    fn the_streams_own_errors_do_not_end_it() {
        let bad = Error::invalid_request("line 2");
        let items: Vec<_> = iter(vec![Ok(1), Err(bad), Ok(3)]).collect();
        assert!(
            matches!(
                items.as_slice(),
                [Ok(1), Err(Error::InvalidRequest(_)), Ok(3)]
            ),
            "{items:?}"
        );
    }

    #[test]
    fn inside_a_runtime_it_yields_one_error_and_ends() {
        let mut items = iter(vec![Ok(1), Ok(2)]);
        let outer = tokio::runtime::Builder::new_current_thread()
            .build()
            .expect("runtime");
        let inside: Vec<_> = outer.block_on(async { items.by_ref().collect() });
        assert!(
            matches!(inside.as_slice(), [Err(Error::Blocking(_))]),
            "{inside:?}"
        );
        assert!(items.next().is_none(), "fused");
    }
}
