//! The body of a response: in memory, or a stream still being read.

use std::fmt;
use std::pin::Pin;
use std::task::{Context, Poll, ready};
use std::time::Duration;

use bytes::Bytes;
use futures::stream::{BoxStream, Stream, StreamExt};
use sync_wrapper::SyncWrapper;
use tokio::sync::OwnedSemaphorePermit;
use tokio::time::Sleep;

use crate::error::{CallInfo, Error, Result, TimeoutError, TimeoutKind, TransportError};

/// The body of a [`Response`](crate::Response) as middleware sees it: either
/// already in memory (a buffered call: the client read it within the
/// attempt's limits) or a stream still coming from the connection (a
/// streamed call, or a redirect's body nobody read).
///
/// It is a [`Stream`] of chunks. A live body holds the connection, and the
/// client's in-flight slot (see
/// [`ClientBuilder::max_in_flight`](crate::ClientBuilder::max_in_flight)),
/// until it has been read to the end or is dropped; dropping it closes the
/// connection. A live body fails with [`Error::Timeout`] when no bytes arrive
/// for the attempt timeout
/// ([`ClientBuilder::attempt_timeout`](crate::ClientBuilder::attempt_timeout)),
/// if one is set; the call's deadline does not cut a stream that keeps
/// flowing.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")] async fn main() -> restrait::Result<()> {
/// use futures::StreamExt;
/// use restrait::ResponseBody;
///
/// let mut body = ResponseBody::from_stream(futures::stream::iter(
///     ["a", "b"].map(|s| Ok(restrait::bytes::Bytes::from(s))),
/// ));
/// assert_eq!(body.next().await.transpose()?.as_deref(), Some(&b"a"[..]));
/// assert!(ResponseBody::from("in memory").as_bytes().is_some());
/// # Ok(()) }
/// ```
pub struct ResponseBody {
    source: Source,
    /// The body's length, when known in advance (`Content-Length`).
    len: Option<u64>,
    /// Boxed: rarely set, and every layer's future holds a response.
    idle: Option<Box<Idle>>,
    /// The client's in-flight slot, released at the end of the body.
    permit: Option<OwnedSemaphorePermit>,
    /// Read limits for [`Response::bytes`](crate::Response::bytes).
    pub(crate) limits: Limits,
}

/// How much of a body [`Response::bytes`](crate::Response::bytes) reads.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Limits {
    pub(crate) max_body: u64,
    pub(crate) max_error: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_body: crate::DEFAULT_MAX_BODY_SIZE,
            max_error: crate::DEFAULT_MAX_ERROR_BODY,
        }
    }
}

enum Source {
    /// In memory; `None` once taken.
    Full(Option<Bytes>),
    /// From the connection. Only ever touched through `&mut`, so the
    /// wrapper makes the body `Sync` without a lock.
    Live(SyncWrapper<Live>),
    /// Read to the end, failed, or timed out.
    Done,
}

enum Live {
    /// Straight from reqwest: read with `chunk()` on the buffered path.
    /// Boxed: every layer's future holds a response, and reqwest's is
    /// 136 bytes.
    Reqwest(Box<reqwest::Response>),
    /// Straight from hyper (the hyper transport): its frames read in
    /// place, without a boxed stream in between.
    #[cfg(feature = "hyper-transport")]
    Hyper(hyper::body::Incoming),
    Stream(BoxStream<'static, std::result::Result<Bytes, TransportError>>),
}

/// The idle limit of a live body: no chunk for `limit` is an error.
struct Idle {
    limit: Duration,
    sleep: Option<Pin<Box<Sleep>>>,
    call: CallInfo,
}

impl ResponseBody {
    /// A body that is already in memory.
    pub fn full(bytes: impl Into<Bytes>) -> Self {
        let bytes = bytes.into();
        ResponseBody {
            len: Some(bytes.len() as u64),
            source: Source::Full(Some(bytes)),
            idle: None,
            permit: None,
            limits: Limits::default(),
        }
    }

    /// An empty body.
    pub fn empty() -> Self {
        ResponseBody::full(Bytes::new())
    }

    /// A body that arrives as a stream of chunks (what a [`Transport`](crate::Transport)
    /// other than reqwest returns). Its length is unknown; see
    /// [`with_len`](Self::with_len).
    pub fn from_stream(
        stream: impl Stream<Item = std::result::Result<Bytes, TransportError>> + Send + 'static,
    ) -> Self {
        ResponseBody {
            source: Source::Live(SyncWrapper::new(Live::Stream(stream.boxed()))),
            len: None,
            idle: None,
            permit: None,
            limits: Limits::default(),
        }
    }

    /// Sets the length known in advance (from `Content-Length`), which
    /// progress reports and the size check use.
    #[must_use]
    pub fn with_len(mut self, len: Option<u64>) -> Self {
        self.len = len;
        self
    }

    pub(crate) fn from_reqwest(response: reqwest::Response) -> Self {
        ResponseBody {
            len: response.content_length(),
            source: Source::Live(SyncWrapper::new(Live::Reqwest(Box::new(response)))),
            idle: None,
            permit: None,
            limits: Limits::default(),
        }
    }

    #[cfg(feature = "hyper-transport")]
    pub(crate) fn from_hyper(body: hyper::body::Incoming) -> Self {
        use http_body::Body as _;
        ResponseBody {
            len: body.size_hint().exact(),
            source: Source::Live(SyncWrapper::new(Live::Hyper(body))),
            idle: None,
            permit: None,
            limits: Limits::default(),
        }
    }

    /// The body's length if known in advance (`Content-Length`, or the
    /// length of a body in memory).
    pub fn content_length(&self) -> Option<u64> {
        match &self.source {
            Source::Full(b) => Some(b.as_ref().map_or(0, |b| b.len() as u64)),
            _ => self.len,
        }
    }

    /// The whole body, if it is in memory (a buffered call's).
    pub fn as_bytes(&self) -> Option<&Bytes> {
        match &self.source {
            Source::Full(Some(bytes)) => Some(bytes),
            _ => None,
        }
    }

    /// True when the body is in memory, nothing left to read from a connection.
    pub fn is_in_memory(&self) -> bool {
        matches!(self.source, Source::Full(_) | Source::Done)
    }

    /// Takes the whole body if it is in memory.
    pub(crate) fn take_bytes(&mut self) -> Option<Bytes> {
        match &mut self.source {
            Source::Full(b) => Some(b.take().unwrap_or_default()),
            Source::Done => Some(Bytes::new()),
            _ => None,
        }
    }

    /// Makes the body hold the in-flight slot until it is read or dropped.
    pub(crate) fn hold(&mut self, permit: Option<OwnedSemaphorePermit>) {
        if !self.is_in_memory() {
            self.permit = permit;
        }
    }

    /// Fails the body with a timeout when no bytes come for `limit`.
    pub(crate) fn idle_after(&mut self, limit: Option<Duration>, call: CallInfo) {
        self.idle = limit.map(|limit| {
            Box::new(Idle {
                limit,
                sleep: None,
                call,
            })
        });
    }

    /// The next chunk, `None` at the end. The buffered path reads reqwest
    /// directly, without a boxed stream in between.
    pub(crate) async fn chunk(&mut self) -> Option<Result<Bytes>> {
        if let (Source::Live(live), None) = (&mut self.source, &self.idle)
            && let Live::Reqwest(r) = live.get_mut()
        {
            let next = r
                .chunk()
                .await
                .map_err(|e| Error::Transport(crate::transport::body_error(e)))
                .transpose();
            if !matches!(next, Some(Ok(_))) {
                self.finish();
            }
            return next;
        }
        self.next().await
    }

    fn finish(&mut self) {
        self.source = Source::Done;
        self.permit = None;
        if let Some(idle) = &mut self.idle {
            idle.sleep = None;
        }
    }
}

/// The next data frame of a hyper body; trailers are skipped.
#[cfg(feature = "hyper-transport")]
fn poll_hyper(
    body: &mut hyper::body::Incoming,
    cx: &mut Context<'_>,
) -> Poll<Option<std::result::Result<Bytes, TransportError>>> {
    use http_body::Body as _;
    loop {
        return match ready!(Pin::new(&mut *body).poll_frame(cx)) {
            Some(Ok(frame)) => match frame.into_data() {
                Ok(data) => Poll::Ready(Some(Ok(data))),
                Err(_) => continue,
            },
            Some(Err(e)) => Poll::Ready(Some(Err(crate::transport::hyper_body_error(e)))),
            None => Poll::Ready(None),
        };
    }
}

impl Stream for ResponseBody {
    type Item = Result<Bytes>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        let polled = match &mut this.source {
            Source::Done => return Poll::Ready(None),
            Source::Full(b) => {
                let next = b.take();
                this.finish();
                return Poll::Ready(next.map(Ok));
            }
            Source::Live(live) => {
                let live = live.get_mut();
                if let Live::Reqwest(_) = live {
                    // Streamed from here on: reqwest's own byte stream.
                    let Live::Reqwest(r) = std::mem::replace(live, Live::Stream(empty())) else {
                        return Poll::Ready(None);
                    };
                    let stream = r
                        .bytes_stream()
                        .map(|c| c.map_err(crate::transport::body_error));
                    *live = Live::Stream(stream.boxed());
                }
                match live {
                    Live::Stream(s) => s.poll_next_unpin(cx),
                    #[cfg(feature = "hyper-transport")]
                    Live::Hyper(body) => poll_hyper(body, cx),
                    Live::Reqwest(_) => Poll::Ready(None),
                }
            }
        };
        match polled {
            Poll::Ready(Some(Ok(chunk))) => {
                if let Some(idle) = &mut this.idle {
                    idle.sleep = None;
                }
                Poll::Ready(Some(Ok(chunk)))
            }
            Poll::Ready(Some(Err(e))) => {
                this.finish();
                Poll::Ready(Some(Err(Error::Transport(e))))
            }
            Poll::Ready(None) => {
                this.finish();
                Poll::Ready(None)
            }
            Poll::Pending => {
                let Some(idle) = &mut this.idle else {
                    return Poll::Pending;
                };
                let sleep = idle
                    .sleep
                    .get_or_insert_with(|| Box::pin(tokio::time::sleep(idle.limit)));
                ready!(sleep.as_mut().poll(cx));
                let error = Error::Timeout(Box::new(TimeoutError {
                    kind: TimeoutKind::Idle,
                    after: idle.limit,
                    call: idle.call.clone(),
                    attempts: 1,
                    not_retried: None,
                }));
                this.finish();
                Poll::Ready(Some(Err(error)))
            }
        }
    }
}

impl From<Bytes> for ResponseBody {
    fn from(bytes: Bytes) -> Self {
        ResponseBody::full(bytes)
    }
}

impl From<&'static str> for ResponseBody {
    fn from(text: &'static str) -> Self {
        ResponseBody::full(text)
    }
}

impl From<String> for ResponseBody {
    fn from(text: String) -> Self {
        ResponseBody::full(text)
    }
}

impl From<Vec<u8>> for ResponseBody {
    fn from(bytes: Vec<u8>) -> Self {
        ResponseBody::full(bytes)
    }
}

fn empty() -> BoxStream<'static, std::result::Result<Bytes, TransportError>> {
    futures::stream::empty().boxed()
}

/// Never the bytes: the length, or that it is a stream.
impl fmt::Debug for ResponseBody {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.source, self.len) {
            (Source::Full(b), _) => write!(f, "<{} bytes>", b.as_ref().map_or(0, Bytes::len)),
            (Source::Done, _) => f.write_str("<read>"),
            (_, Some(len)) => write!(f, "<stream of {len} bytes>"),
            (_, None) => f.write_str("<stream>"),
        }
    }
}

#[allow(dead_code)]
fn _assert_impls() {
    fn assert_send<T: Send + Sync + Unpin + 'static>() {}
    assert_send::<ResponseBody>();
}

#[cfg(test)]
mod tests {
    use super::*;
    use futures::stream;

    #[tokio::test(start_paused = true)]
    async fn a_silent_stream_times_out_and_a_flowing_one_does_not() {
        let slow = stream::unfold(0u32, |n| async move {
            tokio::time::sleep(Duration::from_secs(4)).await;
            (n < 5).then(|| (Ok(Bytes::from_static(b"x")), n + 1))
        });
        let mut body = ResponseBody::from_stream(slow);
        body.idle_after(
            Some(Duration::from_secs(5)),
            CallInfo::new(http::Method::GET, "/"),
        );
        let mut n = 0;
        while let Some(chunk) = body.next().await {
            chunk.expect("flowing");
            n += 1;
        }
        assert_eq!(n, 5, "20 s of chunks 4 s apart pass a 5 s idle limit");

        let silent = stream::pending::<std::result::Result<Bytes, TransportError>>();
        let mut body = ResponseBody::from_stream(silent);
        body.idle_after(
            Some(Duration::from_secs(5)),
            CallInfo::new(http::Method::GET, "/"),
        );
        let e = body.next().await.and_then(|r| r.err()).expect("idle error");
        assert!(e.is_timeout(), "{e}");
        assert!(body.next().await.is_none());
    }

    #[tokio::test]
    async fn a_body_releases_its_slot_at_the_end() {
        let slots = std::sync::Arc::new(tokio::sync::Semaphore::new(1));
        let permit = slots.clone().acquire_owned().await.expect("permit");
        let mut body = ResponseBody::from_stream(stream::iter([Ok(Bytes::from_static(b"x"))]));
        body.hold(Some(permit));
        assert_eq!(slots.available_permits(), 0);
        assert!(body.next().await.is_some());
        assert!(body.next().await.is_none());
        assert_eq!(slots.available_permits(), 1, "read to the end");
        // A body in memory holds nothing.
        let slot = slots.clone().acquire_owned().await.expect("permit");
        let mut full = ResponseBody::full("x");
        full.hold(Some(slot));
        assert_eq!(slots.available_permits(), 1);
    }
}
