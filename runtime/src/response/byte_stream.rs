//! `ByteStream`: a response body read chunk by chunk.

use std::fmt;
use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::Bytes;
use futures::{Stream, StreamExt};
use http::{Method, StatusCode};
use tokio::io::{AsyncBufRead, AsyncWrite, AsyncWriteExt};

use crate::error::{CallInfo, Error, Result, TransportError, TransportErrorKind};

/// The boxed byte stream every stream kind reads from.
pub(crate) type BoxBytes = Pin<Box<dyn Stream<Item = Result<Bytes>> + Send>>;

/// How much of a body has arrived, for [`ByteStream::on_progress`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Progress {
    /// Bytes received so far.
    pub bytes: u64,
    /// The whole size, from `Content-Length`, when the server sent it.
    pub total: Option<u64>,
}

/// A response body as a [`Stream`] of chunks, for downloads that should not
/// be held in memory whole. Declare a resource method as returning
/// `Result<ByteStream>`.
///
/// It is lazy: nothing is read until it is polled, and dropping it closes
/// the connection.
///
/// ```
/// use futures::StreamExt;
///
/// async fn count(mut body: restrait::ByteStream) -> restrait::Result<usize> {
///     let mut n = 0;
///     while let Some(chunk) = body.next().await {
///         n += chunk?.len();
///     }
///     Ok(n)
/// }
/// ```
pub struct ByteStream {
    inner: BoxBytes,
    content_length: Option<u64>,
    received: u64,
    progress: Option<Box<dyn FnMut(Progress) + Send>>,
    status: StatusCode,
    call: CallInfo,
}

impl ByteStream {
    /// A body over `inner`, whose size is `content_length` when known.
    pub(crate) fn new<S, E>(inner: S, content_length: Option<u64>) -> Self
    where
        S: Stream<Item = std::result::Result<Bytes, E>> + Send + 'static,
        E: Into<Error>,
    {
        ByteStream {
            inner: Box::pin(inner.map(|chunk| chunk.map_err(Into::into))),
            content_length,
            received: 0,
            progress: None,
            status: StatusCode::OK,
            call: CallInfo::new(Method::GET, ""),
        }
    }

    /// Names the response the body belongs to, for the errors of the
    /// streams decoded from it.
    pub(crate) fn for_call(mut self, status: StatusCode, call: CallInfo) -> Self {
        self.status = status;
        self.call = call;
        self
    }

    pub(crate) fn status(&self) -> StatusCode {
        self.status
    }

    pub(crate) fn call(&self) -> &CallInfo {
        &self.call
    }

    /// The body's size from `Content-Length`, when the server sent it.
    ///
    /// ```
    /// fn describe(body: &restrait::ByteStream) -> String {
    ///     match body.content_length() {
    ///         Some(n) => format!("{n} bytes"),
    ///         None => "unknown size".to_owned(),
    ///     }
    /// }
    /// ```
    pub fn content_length(&self) -> Option<u64> {
        self.content_length
    }

    /// Calls `f` after each chunk with the bytes received so far and the
    /// total size when known.
    ///
    /// ```
    /// fn with_bar(body: restrait::ByteStream) -> restrait::ByteStream {
    ///     body.on_progress(|p| match p.total {
    ///         Some(total) => eprintln!("{}/{total} bytes", p.bytes),
    ///         None => eprintln!("{} bytes", p.bytes),
    ///     })
    /// }
    /// ```
    #[must_use]
    pub fn on_progress(mut self, f: impl FnMut(Progress) + Send + 'static) -> Self {
        self.progress = Some(Box::new(f));
        self
    }

    /// Writes the whole body to `writer` (a file, a socket, a `Vec<u8>`)
    /// and flushes it; returns the number of bytes written.
    ///
    /// A failure to write is an [`Error::Transport`] of kind `Body` whose
    /// source is the `io::Error`.
    ///
    /// ```
    /// async fn save(body: restrait::ByteStream) -> restrait::Result<Vec<u8>> {
    ///     let mut out = Vec::new();
    ///     let written = body.copy_to(&mut out).await?;
    ///     assert_eq!(written, out.len() as u64);
    ///     Ok(out)
    /// }
    /// ```
    pub async fn copy_to<W>(mut self, writer: &mut W) -> Result<u64>
    where
        W: AsyncWrite + Unpin + ?Sized,
    {
        let mut written: u64 = 0;
        while let Some(chunk) = self.next().await {
            let chunk = chunk?;
            writer.write_all(&chunk).await.map_err(write_error)?;
            written = written.saturating_add(chunk.len() as u64);
        }
        writer.flush().await.map_err(write_error)?;
        Ok(written)
    }

    /// The body as a tokio [`AsyncBufRead`] (and so `AsyncRead`), for code
    /// that reads from a reader. An error of the stream is an `io::Error`
    /// whose inner error is the [`Error`].
    ///
    /// ```
    /// use tokio::io::AsyncReadExt;
    ///
    /// async fn first_byte(body: restrait::ByteStream) -> std::io::Result<u8> {
    ///     let mut reader = body.into_async_read();
    ///     reader.read_u8().await
    /// }
    /// ```
    pub fn into_async_read(self) -> impl AsyncBufRead + Send + Unpin + 'static {
        tokio_util::io::StreamReader::new(self.map(|chunk| chunk.map_err(io::Error::other)))
    }
}

pub(crate) fn write_error(e: io::Error) -> Error {
    Error::Transport(TransportError::new(
        TransportErrorKind::Body,
        format!("writing the body failed: {e}"),
        Some(Box::new(e)),
    ))
}

impl Stream for ByteStream {
    type Item = Result<Bytes>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        let polled = this.inner.as_mut().poll_next(cx);
        if let Poll::Ready(Some(Ok(chunk))) = &polled {
            this.received = this.received.saturating_add(chunk.len() as u64);
            if let Some(progress) = this.progress.as_mut() {
                progress(Progress {
                    bytes: this.received,
                    total: this.content_length,
                });
            }
        }
        polled
    }
}

impl fmt::Debug for ByteStream {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ByteStream")
            .field("call", &self.call)
            .field("content_length", &self.content_length)
            .field("received", &self.received)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use std::sync::{Arc, Mutex};

    use tokio::io::AsyncReadExt;

    use super::*;

    /// A body made of these chunks.
    pub(crate) fn body(chunks: &[&'static [u8]]) -> ByteStream {
        let items: Vec<Result<Bytes>> = chunks.iter().map(|c| Ok(Bytes::from_static(c))).collect();
        ByteStream::new(futures::stream::iter(items), None)
    }

    pub(crate) fn broken() -> Error {
        Error::Transport(TransportError::new(
            TransportErrorKind::Body,
            "connection reset",
            None,
        ))
    }

    #[tokio::test]
    async fn copy_to_writes_every_chunk_and_counts_them() {
        let mut out = Vec::new();
        let n = body(&[b"ab", b"", b"cde"])
            .copy_to(&mut out)
            .await
            .expect("ok");
        assert_eq!((n, out.as_slice()), (5, b"abcde".as_slice()));
    }

    #[tokio::test]
    async fn copy_to_stops_at_the_first_error() {
        let items = vec![Ok(Bytes::from_static(b"ab")), Err(broken())];
        let stream = ByteStream::new(futures::stream::iter(items), None);
        let mut out = Vec::new();
        let e = stream.copy_to(&mut out).await.expect_err("broken");
        assert!(matches!(e, Error::Transport(_)), "{e:?}");
        assert_eq!(out, b"ab");
    }

    #[tokio::test]
    async fn progress_counts_bytes_against_the_content_length() {
        let seen = Arc::new(Mutex::new(Vec::new()));
        let log = seen.clone();
        let items: Vec<Result<Bytes>> = vec![
            Ok(Bytes::from_static(b"abc")),
            Ok(Bytes::from_static(b"de")),
        ];
        let stream = ByteStream::new(futures::stream::iter(items), Some(5))
            .on_progress(move |p| log.lock().expect("lock").push(p));
        assert_eq!(stream.content_length(), Some(5));
        stream.copy_to(&mut tokio::io::sink()).await.expect("ok");
        let seen = seen.lock().expect("lock").clone();
        assert_eq!(
            seen,
            [
                Progress {
                    bytes: 3,
                    total: Some(5)
                },
                Progress {
                    bytes: 5,
                    total: Some(5)
                }
            ]
        );
    }

    #[tokio::test]
    async fn into_async_read_reads_across_chunks_and_reports_errors() {
        let mut text = String::new();
        body(&[b"hel", b"lo"])
            .into_async_read()
            .read_to_string(&mut text)
            .await
            .expect("ok");
        assert_eq!(text, "hello");

        let items = vec![Ok(Bytes::from_static(b"ab")), Err(broken())];
        let mut reader = ByteStream::new(futures::stream::iter(items), None).into_async_read();
        let mut out = Vec::new();
        let e = reader.read_to_end(&mut out).await.expect_err("broken");
        let inner = e.get_ref().and_then(|e| e.downcast_ref::<Error>());
        assert!(matches!(inner, Some(Error::Transport(_))), "{e:?}");
    }

    #[test]
    fn streams_are_send() {
        fn send<T: Send>() {}
        send::<ByteStream>();
    }
}
