//! [`ByteStream`]: a streamed response body as a blocking `std::io::Read`.

use std::fmt;
use std::io::{self, BufRead, Read, Write};
use std::sync::Arc;

use bytes::{Buf, Bytes};
use futures::StreamExt;

use super::runtime::RuntimeThread;
use crate::error::Result;
use crate::response::Progress;

/// A response body read as it arrives, for downloads that should not be
/// held in memory whole: what a `Result<ByteStream>` method of a blocking
/// client returns. It implements [`Read`] and [`BufRead`], and
/// [`copy_to`](Self::copy_to) writes it to any [`Write`].
///
/// Each read waits for the next chunk only when the one before is used up;
/// dropping it closes the connection. An error of the body (a cut
/// connection, a body silent for the attempt timeout) is an `io::Error`
/// whose inner error is the [`Error`](crate::Error).
///
/// ```
/// # fn main() -> restrait::Result<()> {
/// use std::io::Read;
/// use restrait::testing::{MockResponse, MockTransport};
/// use restrait::{http::Method, Request};
///
/// let mock = MockTransport::new().route(Method::GET, "/a", MockResponse::new(200).chunks(["ab", "cd"]));
/// let client = restrait::Client::builder("https://api.test").transport(mock).build_blocking()?;
/// let request = Request::new(Method::GET, "https://api.test/a".parse().expect("url"));
/// let mut body = client.execute_stream(request)?.into_body();
/// let mut text = String::new();
/// body.read_to_string(&mut text).expect("read");
/// assert_eq!(text, "abcd");
/// # Ok(()) }
/// ```
pub struct ByteStream {
    stream: crate::ByteStream,
    /// The rest of the chunk being read.
    chunk: Bytes,
    runtime: Arc<RuntimeThread>,
}

impl ByteStream {
    pub(crate) fn new(stream: crate::ByteStream, runtime: Arc<RuntimeThread>) -> Self {
        ByteStream {
            stream,
            chunk: Bytes::new(),
            runtime,
        }
    }

    /// The body's size from `Content-Length`, when the server sent it.
    pub fn content_length(&self) -> Option<u64> {
        self.stream.content_length()
    }

    /// Calls `f` after each chunk arrives with the bytes received so far and
    /// the total size when known ([`crate::ByteStream::on_progress`]).
    #[must_use]
    pub fn on_progress(mut self, f: impl FnMut(Progress) + Send + 'static) -> Self {
        self.stream = self.stream.on_progress(f);
        self
    }

    /// Writes the rest of the body to `writer` (a file, a socket, a
    /// `Vec<u8>`) chunk by chunk, and flushes it; returns the number of
    /// bytes written. A failure to write is an
    /// [`Error::Transport`](crate::Error::Transport) of kind `Body` whose
    /// source is the `io::Error`.
    pub fn copy_to<W: Write + ?Sized>(mut self, writer: &mut W) -> Result<u64> {
        let write_error = crate::response::write_error;
        let mut written: u64 = 0;
        loop {
            let chunk = match self.chunk.has_remaining() {
                true => std::mem::take(&mut self.chunk),
                false => match self.next_chunk()? {
                    Some(chunk) => chunk,
                    None => break,
                },
            };
            writer.write_all(&chunk).map_err(write_error)?;
            written = written.saturating_add(chunk.len() as u64);
        }
        writer.flush().map_err(write_error)?;
        Ok(written)
    }

    /// The next chunk of the body, waiting for it; `None` at the end.
    fn next_chunk(&mut self) -> Result<Option<Bytes>> {
        self.runtime.block_on(self.stream.next())?.transpose()
    }

    /// The async body inside, for code that wants to `await` it after all
    /// (a chunk already partly read is lost).
    pub fn into_inner(self) -> crate::ByteStream {
        self.stream
    }
}

impl BufRead for ByteStream {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        // Empty chunks are skipped: an empty buffer means the end.
        while !self.chunk.has_remaining() {
            match self.next_chunk().map_err(io::Error::other)? {
                Some(chunk) => self.chunk = chunk,
                None => break,
            }
        }
        Ok(self.chunk.chunk())
    }

    fn consume(&mut self, amount: usize) {
        self.chunk.advance(amount.min(self.chunk.remaining()));
    }
}

impl Read for ByteStream {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let available = self.fill_buf()?;
        let n = available.len().min(buf.len());
        buf[..n].copy_from_slice(&available[..n]);
        self.consume(n);
        Ok(n)
    }
}

impl fmt::Debug for ByteStream {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ByteStream")
            .field("stream", &self.stream)
            .field("buffered", &self.chunk.len())
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Error;

    fn body(chunks: Vec<Result<&'static str>>) -> ByteStream {
        let chunks = chunks
            .into_iter()
            .map(|c| c.map(|s| Bytes::from_static(s.as_bytes())));
        let stream = crate::ByteStream::new(futures::stream::iter(chunks), None);
        let runtime = RuntimeThread::start().expect("runtime thread");
        ByteStream::new(stream, Arc::new(runtime))
    }

    fn cut() -> Error {
        Error::Transport(crate::TransportError::new(
            crate::TransportErrorKind::Body,
            "cut",
            None,
        ))
    }

    #[test]
    fn reads_across_chunks_and_skips_empty_ones() {
        let mut body = body(vec![Ok("ab"), Ok(""), Ok("cde")]);
        let mut two = [0u8; 2];
        body.read_exact(&mut two).expect("read");
        assert_eq!(&two, b"ab");
        let mut rest = String::new();
        body.read_to_string(&mut rest).expect("read");
        assert_eq!(rest, "cde");
        assert_eq!(body.read(&mut two).expect("at the end"), 0);
    }

    #[test]
    fn copy_to_writes_what_is_left_of_a_partly_read_chunk() {
        let mut body = body(vec![Ok("abc"), Ok("def")]);
        let mut one = [0u8; 1];
        body.read_exact(&mut one).expect("read");
        let mut out = Vec::new();
        assert_eq!(body.copy_to(&mut out).expect("copy"), 5);
        assert_eq!(out, b"bcdef");
    }

    #[test]
    fn a_body_error_is_an_io_error_holding_the_error() {
        let mut body = body(vec![Ok("a"), Err(cut())]);
        let mut text = String::new();
        let e = body.read_to_string(&mut text).expect_err("cut");
        let inner = e.get_ref().and_then(|e| e.downcast_ref::<Error>());
        assert!(matches!(inner, Some(Error::Transport(_))), "{e:?}");
    }

    #[test]
    fn a_failing_writer_is_a_transport_error() {
        struct Full;
        impl Write for Full {
            fn write(&mut self, _: &[u8]) -> io::Result<usize> {
                Err(io::Error::new(io::ErrorKind::StorageFull, "disk full"))
            }
            fn flush(&mut self) -> io::Result<()> {
                Ok(())
            }
        }
        let e = body(vec![Ok("abc")]).copy_to(&mut Full).expect_err("full");
        assert!(matches!(e, Error::Transport(_)), "{e:?}");
        assert!(e.to_string().contains("disk full"), "{e}");
    }
}
