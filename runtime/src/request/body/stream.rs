//! One-shot stream bodies, and the check that a stream yields exactly the
//! length it declared.

use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, ready};

use bytes::Bytes;
use futures::{Stream, StreamExt};

use super::{BodyStream, len_u64};
use crate::error::{Error, Result, TransportError, TransportErrorKind};

type BoxError = Box<dyn std::error::Error + Send + Sync>;
type UserStream = Pin<Box<dyn Stream<Item = std::result::Result<Bytes, BoxError>> + Send>>;

/// A user's stream, sent once. The mutex only makes the body `Sync` (so a
/// request can be shared by reference); it is never locked, the stream is
/// taken out by value when the body is opened.
pub(super) struct OneShot {
    stream: Mutex<UserStream>,
    length: Option<u64>,
}

impl OneShot {
    pub(super) fn new<S, E>(stream: S, length: Option<u64>) -> OneShot
    where
        S: Stream<Item = std::result::Result<Bytes, E>> + Send + 'static,
        E: Into<BoxError>,
    {
        let stream: UserStream = Box::pin(stream.map(|item| item.map_err(Into::into)));
        OneShot {
            stream: Mutex::new(stream),
            length,
        }
    }

    pub(super) fn length(&self) -> Option<u64> {
        self.length
    }

    pub(super) fn set_length(&mut self, length: u64) {
        self.length = Some(length);
    }

    pub(super) fn open(self) -> (Option<u64>, BodyStream) {
        // A poisoned lock cannot happen (it is never locked); take the
        // stream either way.
        let stream = self
            .stream
            .into_inner()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let stream: BodyStream = Box::pin(stream.map(|item| {
            item.map_err(|e| {
                Error::Transport(TransportError::new(
                    TransportErrorKind::Request,
                    "the request body stream failed",
                    Some(e),
                ))
            })
        }));
        match self.length {
            Some(len) => (Some(len), checked(stream, len, "the request body stream")),
            None => (None, stream),
        }
    }
}

/// Ends `stream` with an error if it yields more or fewer than `expected`
/// bytes, so that a body never contradicts the `Content-Length` sent for it.
/// `what` names the body in the error ("the body file `a.bin`").
pub(super) fn checked(stream: BodyStream, expected: u64, what: impl Into<Arc<str>>) -> BodyStream {
    Box::pin(Checked {
        inner: stream,
        expected,
        seen: 0,
        what: what.into(),
        done: false,
    })
}

struct Checked {
    inner: BodyStream,
    expected: u64,
    seen: u64,
    what: Arc<str>,
    done: bool,
}

impl Checked {
    fn mismatch(&mut self, which: &str) -> Error {
        self.done = true;
        Error::Transport(TransportError::new(
            TransportErrorKind::Request,
            format!(
                "{} yielded {which} bytes than its length of {} (it changed while it was sent?)",
                self.what, self.expected
            ),
            None,
        ))
    }
}

impl Stream for Checked {
    type Item = Result<Bytes>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        if self.done {
            return Poll::Ready(None);
        }
        let item = ready!(self.inner.as_mut().poll_next(cx));
        Poll::Ready(match item {
            Some(Ok(chunk)) => match self.seen.checked_add(len_u64(chunk.len())) {
                Some(seen) if seen <= self.expected => {
                    self.seen = seen;
                    Some(Ok(chunk))
                }
                _ => Some(Err(self.mismatch("more"))),
            },
            Some(Err(e)) => {
                self.done = true;
                Some(Err(e))
            }
            None if self.seen == self.expected => {
                self.done = true;
                None
            }
            None => Some(Err(self.mismatch("fewer"))),
        })
    }
}
