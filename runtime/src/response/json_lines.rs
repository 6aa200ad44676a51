//! `JsonLines<T>`: a body of newline-delimited JSON, one `T` per line.

use std::fmt;
use std::marker::PhantomData;
use std::pin::Pin;
use std::task::{Context, Poll, ready};

use futures::Stream;
use serde::de::DeserializeOwned;

use super::byte_stream::ByteStream;
use super::json::{Origin, decode};
use super::lines::{LineSplitter, LineTooLong};
use crate::error::{BodyTooLarge, Error, Result};

/// A [JSON Lines](https://jsonlines.org) body as a [`Stream`] of `T`, one
/// per line that is not blank. Declare a resource method as returning
/// `Result<JsonLines<T>>`.
///
/// A line that does not decode yields an [`Error::Decode`] whose
/// [`line`](crate::DecodeError::line) is its 1-based number, and the stream
/// goes on with the next line. A line longer than the limit yields
/// [`Error::BodyTooLarge`] and ends the stream, as does an error reading
/// the body. Lazy; dropping it closes the connection.
///
/// ```
/// use futures::TryStreamExt;
///
/// #[derive(serde::Deserialize)]
/// struct LogLine { level: String, msg: String }
///
/// async fn errors(lines: restrait::JsonLines<LogLine>) -> restrait::Result<Vec<String>> {
///     lines
///         .try_filter(|l| std::future::ready(l.level == "error"))
///         .map_ok(|l| l.msg)
///         .try_collect()
///         .await
/// }
/// ```
pub struct JsonLines<T> {
    body: Option<ByteStream>,
    lines: LineSplitter,
    /// Set after an error that ends the stream: nothing more is yielded.
    ended: bool,
    status: http::StatusCode,
    call: crate::error::CallInfo,
    _item: PhantomData<fn() -> T>,
}

impl<T> JsonLines<T> {
    /// The lines of `body`, none longer than `max_line` bytes.
    pub(crate) fn new(body: ByteStream, max_line: usize) -> Self {
        JsonLines {
            status: body.status(),
            call: body.call().clone(),
            body: Some(body),
            lines: LineSplitter::new(max_line),
            ended: false,
            _item: PhantomData,
        }
    }

    fn too_long(&self, e: LineTooLong) -> Error {
        Error::BodyTooLarge(Box::new(BodyTooLarge {
            limit: u64::try_from(e.limit).unwrap_or(u64::MAX),
            call: self.call.clone(),
        }))
    }
}

impl<T: DeserializeOwned> Stream for JsonLines<T> {
    type Item = Result<T>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Result<T>>> {
        let this = self.get_mut();
        loop {
            if this.ended {
                return Poll::Ready(None);
            }
            let line = match this.lines.next_line() {
                Ok(Some(line)) => Some(line),
                Ok(None) => None,
                Err(e) => {
                    this.body = None;
                    this.ended = true;
                    return Poll::Ready(Some(Err(this.too_long(e))));
                }
            };
            if let Some((number, text)) = line {
                let origin = Origin {
                    status: this.status,
                    call: &this.call,
                    line: Some(number),
                };
                return Poll::Ready(Some(decode(&text, origin)));
            }
            let Some(body) = this.body.as_mut() else {
                return Poll::Ready(None);
            };
            match ready!(Pin::new(body).poll_next(cx)) {
                Some(Ok(chunk)) => this.lines.push(chunk),
                Some(Err(e)) => {
                    this.body = None;
                    this.ended = true;
                    return Poll::Ready(Some(Err(e)));
                }
                None => {
                    this.body = None;
                    let Some((number, text)) = this.lines.end_of_stream() else {
                        return Poll::Ready(None);
                    };
                    let origin = Origin {
                        status: this.status,
                        call: &this.call,
                        line: Some(number),
                    };
                    return Poll::Ready(Some(decode(&text, origin)));
                }
            }
        }
    }
}

impl<T> fmt::Debug for JsonLines<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JsonLines")
            .field("call", &self.call)
            .field("done", &self.body.is_none())
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use futures::StreamExt;
    use serde::Deserialize;

    use super::super::byte_stream::tests::{body, broken};
    use super::*;

    #[derive(Debug, Deserialize, PartialEq)]
    struct Item {
        id: u32,
    }

    async fn collect(lines: JsonLines<Item>) -> Vec<Result<Item>> {
        lines.collect().await
    }

    #[tokio::test]
    async fn one_item_per_line_across_chunks_with_a_last_line_unterminated() {
        let items = collect(JsonLines::new(
            body(&[b"{\"id\":1}\n{\"i", b"d\":2}\r\n\n{\"id\":3}"]),
            64,
        ))
        .await;
        let ids: Vec<u32> = items.into_iter().map(|i| i.expect("ok").id).collect();
        assert_eq!(ids, [1, 2, 3]);
    }

    #[tokio::test]
    async fn a_bad_line_is_a_decode_error_with_its_number_and_the_stream_goes_on() {
        let items = collect(JsonLines::new(
            body(&[b"{\"id\":1}\n\n{\"id\":\"x\"}\n{\"id\":3}\n"]),
            64,
        ))
        .await;
        assert_eq!(items.len(), 3);
        let Err(Error::Decode(e)) = &items[1] else {
            panic!("{:?}", items[1]);
        };
        assert_eq!((e.line(), e.path()), (Some(3), "id"));
        assert!(e.to_string().contains("line 3 of"), "{e}");
        assert_eq!(items[2].as_ref().expect("ok").id, 3);
    }

    #[tokio::test]
    async fn a_line_over_the_limit_ends_the_stream() {
        let items = collect(JsonLines::new(
            body(&[b"{\"id\":1}\n{\"id\":22222}\n{\"id\":3}\n"]),
            8,
        ))
        .await;
        assert_eq!(items.len(), 2);
        assert!(
            matches!(&items[1], Err(Error::BodyTooLarge(e)) if e.limit() == 8),
            "{:?}",
            items[1]
        );
    }

    #[tokio::test]
    async fn a_body_error_ends_the_stream() {
        let chunks = vec![
            Ok(bytes::Bytes::from_static(b"{\"id\":1}\n")),
            Err(broken()),
        ];
        let stream = ByteStream::new(futures::stream::iter(chunks), None);
        let items = collect(JsonLines::new(stream, 64)).await;
        assert_eq!(items.len(), 2);
        assert!(matches!(items[1], Err(Error::Transport(_))));
    }

    #[test]
    fn json_lines_are_send() {
        fn send<T: Send>() {}
        send::<JsonLines<Item>>();
        send::<JsonLines<std::rc::Rc<u8>>>();
    }
}
