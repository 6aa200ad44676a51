//! What a request sends: nothing, bytes, a file, a one-shot stream or a
//! multipart form, and whether it can be sent again.
//!
//! A [`Body`] describes its content without doing any I/O. [`Body::open`]
//! turns it into a stream of chunks with its final length just before it is
//! sent; a replayable body ([`Body::try_clone`]) can be opened again for a
//! retry and sends identical bytes.
//!
//! ```
//! use restrait::body::Body;
//!
//! let body = Body::from("hello");
//! assert_eq!(body.content_length(), Some(5));
//! assert!(body.is_replayable());
//!
//! let file = Body::file("/var/data/report.csv");   // opened when sent
//! assert!(file.try_clone().is_some());
//! ```

mod file;
pub mod multipart;
mod progress;
mod stream;

#[cfg(test)]
mod tests;

use std::fmt;
use std::path::PathBuf;
use std::pin::Pin;
use std::sync::Arc;

use bytes::Bytes;
use futures::Stream;
use http::HeaderValue;

use crate::error::Result;
use crate::middleware::BoxFuture;

use file::FileBody;
use progress::ProgressFn;
pub use progress::UploadProgress;
use stream::OneShot;

/// The chunks of an opened body, as the transport sends them.
pub type BodyStream = Pin<Box<dyn Stream<Item = Result<Bytes>> + Send + 'static>>;

/// The content of a request: see the [module docs](self).
///
/// `Body` is `Send + Sync`, and cheap to clone when it is replayable
/// (in-memory bytes are reference-counted, a file is its path).
pub struct Body {
    kind: Kind,
    progress: Option<ProgressFn>,
}

enum Kind {
    Empty,
    Bytes(Bytes),
    File(FileBody),
    Stream(OneShot),
    Multipart(multipart::Form),
}

static EMPTY: Bytes = Bytes::new();

impl Body {
    /// A body with no content.
    pub fn empty() -> Body {
        Body::from_kind(Kind::Empty)
    }

    /// The content of the file at `path`.
    ///
    /// The file is opened when the request is sent, not now, and again for
    /// every send, so a file body can be retried. Its length is read from
    /// the file's metadata at that moment and sent as `Content-Length`. If
    /// the file cannot be opened, sending fails with an
    /// [`Error::InvalidRequest`](crate::Error::InvalidRequest) that names the
    /// path; if it changes size while it is sent, the send fails rather than
    /// sending a body that does not match its `Content-Length`.
    pub fn file(path: impl Into<PathBuf>) -> Body {
        Body::from_kind(Kind::File(FileBody::new(path.into())))
    }

    /// A body read from `stream`, once: it cannot be cloned, so a call with a
    /// stream body is never retried. Its length is unknown (the request is
    /// sent chunked) unless given with [`with_length`](Self::with_length).
    ///
    /// ```
    /// use restrait::body::Body;
    /// use restrait::bytes::Bytes;
    ///
    /// let chunks = futures::stream::iter([
    ///     Ok::<_, std::io::Error>(Bytes::from("a,b\n")),
    ///     Ok(Bytes::from("c,d\n")),
    /// ]);
    /// let body = Body::stream(chunks);
    /// assert!(!body.is_replayable());
    /// assert_eq!(body.content_length(), None);
    /// ```
    pub fn stream<S, E>(stream: S) -> Body
    where
        S: Stream<Item = std::result::Result<Bytes, E>> + Send + 'static,
        E: Into<Box<dyn std::error::Error + Send + Sync>>,
    {
        Body::from_kind(Kind::Stream(OneShot::new(stream, None)))
    }

    /// A one-shot stream whose length is known: it is sent as
    /// `Content-Length`, and the send fails if the stream yields more or
    /// fewer bytes than that.
    pub fn sized_stream<S, E>(len: u64, stream: S) -> Body
    where
        S: Stream<Item = std::result::Result<Bytes, E>> + Send + 'static,
        E: Into<Box<dyn std::error::Error + Send + Sync>>,
    {
        Body::from_kind(Kind::Stream(OneShot::new(stream, Some(len))))
    }

    /// Declares the length of a stream body (see
    /// [`sized_stream`](Self::sized_stream)). Every other kind knows its own
    /// length, and this leaves them as they are.
    #[must_use]
    pub fn with_length(mut self, len: u64) -> Body {
        if let Kind::Stream(s) = &mut self.kind {
            s.set_length(len);
        }
        self
    }

    /// Calls `callback` as the body is sent, after each chunk, with the bytes
    /// sent so far and the total when it is known. It is kept by
    /// [`try_clone`](Self::try_clone), so a retry reports from zero again.
    ///
    /// ```
    /// use restrait::body::Body;
    ///
    /// let body = Body::file("video.mp4").on_progress(|p| {
    ///     if let Some(total) = p.total {
    ///         println!("{} of {total} bytes", p.bytes);
    ///     }
    /// });
    /// # drop(body);
    /// ```
    #[must_use]
    pub fn on_progress(
        mut self,
        callback: impl Fn(UploadProgress) + Send + Sync + 'static,
    ) -> Body {
        self.progress = Some(Arc::new(callback));
        self
    }

    /// True when the body can be sent again (for a retry or a redirect):
    /// everything but a one-shot stream, or a form with one.
    pub fn is_replayable(&self) -> bool {
        match &self.kind {
            Kind::Empty | Kind::Bytes(_) | Kind::File(_) => true,
            Kind::Stream(_) => false,
            Kind::Multipart(form) => form.is_replayable(),
        }
    }

    /// A copy to send again, or `None` for a one-shot stream. Bytes are
    /// shared, not copied; a file is re-opened and read again when the copy
    /// is sent.
    pub fn try_clone(&self) -> Option<Body> {
        let kind = match &self.kind {
            Kind::Empty => Kind::Empty,
            Kind::Bytes(b) => Kind::Bytes(b.clone()),
            Kind::File(f) => Kind::File(f.clone()),
            Kind::Stream(_) => return None,
            Kind::Multipart(form) => Kind::Multipart(form.try_clone()?),
        };
        Some(Body {
            kind,
            progress: self.progress.clone(),
        })
    }

    /// The length in bytes when it is known without I/O: bytes, a sized
    /// stream, or a form whose parts all have such a length. A file's length
    /// is known only when it is opened ([`OpenBody::content_length`]).
    pub fn content_length(&self) -> Option<u64> {
        match &self.kind {
            Kind::Empty => Some(0),
            Kind::Bytes(b) => Some(len_u64(b.len())),
            Kind::File(_) => None,
            Kind::Stream(s) => s.length(),
            Kind::Multipart(form) => form.content_length(),
        }
    }

    /// The content when it is already in memory (an empty body is empty
    /// bytes), so that a buffered request needs no stream.
    pub fn as_bytes(&self) -> Option<&Bytes> {
        match &self.kind {
            Kind::Empty => Some(&EMPTY),
            Kind::Bytes(b) => Some(b),
            _ => None,
        }
    }

    /// True for [`Body::empty`] and for empty bytes.
    pub fn is_empty(&self) -> bool {
        self.as_bytes().is_some_and(Bytes::is_empty)
    }

    /// The `Content-Type` this body requires, if any: for a multipart form,
    /// `multipart/form-data; boundary=...` with the form's boundary. Other
    /// kinds leave the content type to the request.
    pub fn content_type(&self) -> Option<HeaderValue> {
        match &self.kind {
            Kind::Multipart(form) => Some(form.content_type()),
            _ => None,
        }
    }

    /// True when a progress callback is set.
    pub fn has_progress(&self) -> bool {
        self.progress.is_some()
    }

    /// Opens the body for sending: opens a file and reads its length, opens
    /// every part of a form. The stream yields the content in chunks (files
    /// in chunks of 64 KiB) and reports upload progress if a callback is set.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidRequest`](crate::Error::InvalidRequest) naming the
    /// path when a file cannot be opened or its metadata read. Errors while
    /// the stream is read (a failing user stream, a file read error, a length
    /// that does not match) are
    /// [`Error::Transport`](crate::Error::Transport) items of the stream.
    ///
    /// The future is boxed because a form opens its parts' bodies.
    pub fn open(self) -> BoxFuture<'static, Result<OpenBody>> {
        Box::pin(self.open_inner())
    }

    async fn open_inner(self) -> Result<OpenBody> {
        let Body { kind, progress } = self;
        let (content_length, stream): (Option<u64>, BodyStream) = match kind {
            Kind::Empty => (Some(0), Box::pin(futures::stream::empty())),
            Kind::Bytes(b) => {
                let len = len_u64(b.len());
                let s: BodyStream = if b.is_empty() {
                    Box::pin(futures::stream::empty())
                } else {
                    Box::pin(futures::stream::once(std::future::ready(Ok(b))))
                };
                (Some(len), s)
            }
            Kind::File(f) => f.open().await?,
            Kind::Stream(s) => s.open(),
            Kind::Multipart(form) => form.open().await?,
        };
        let stream = match progress {
            Some(callback) => progress::report(stream, content_length, callback),
            None => stream,
        };
        Ok(OpenBody {
            content_length,
            stream,
        })
    }

    fn from_kind(kind: Kind) -> Body {
        Body {
            kind,
            progress: None,
        }
    }

    fn kind_name(&self) -> &'static str {
        match &self.kind {
            Kind::Empty => "empty",
            Kind::Bytes(_) => "bytes",
            Kind::File(_) => "file",
            Kind::Stream(_) => "stream",
            Kind::Multipart(_) => "multipart",
        }
    }
}

/// A body ready to send: its final length and its chunks.
pub struct OpenBody {
    content_length: Option<u64>,
    stream: BodyStream,
}

impl OpenBody {
    /// The `Content-Length` to send, or `None` to send the body chunked.
    pub fn content_length(&self) -> Option<u64> {
        self.content_length
    }

    /// The chunks.
    pub fn into_stream(self) -> BodyStream {
        self.stream
    }

    /// The length and the chunks.
    pub fn into_parts(self) -> (Option<u64>, BodyStream) {
        (self.content_length, self.stream)
    }
}

impl fmt::Debug for OpenBody {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OpenBody")
            .field("content_length", &self.content_length)
            .finish_non_exhaustive()
    }
}

impl Default for Body {
    fn default() -> Body {
        Body::empty()
    }
}

impl fmt::Debug for Body {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("Body");
        d.field("kind", &self.kind_name());
        match &self.kind {
            Kind::File(file) => {
                d.field("path", &file.path());
            }
            Kind::Multipart(form) => {
                d.field("form", form);
            }
            _ => {}
        }
        d.field("len", &self.content_length());
        if self.progress.is_some() {
            d.field("progress", &true);
        }
        d.finish()
    }
}

impl From<Bytes> for Body {
    fn from(bytes: Bytes) -> Body {
        Body::from_kind(Kind::Bytes(bytes))
    }
}

impl From<Vec<u8>> for Body {
    fn from(bytes: Vec<u8>) -> Body {
        Body::from(Bytes::from(bytes))
    }
}

impl From<String> for Body {
    fn from(text: String) -> Body {
        Body::from(Bytes::from(text))
    }
}

impl From<&'static str> for Body {
    fn from(text: &'static str) -> Body {
        Body::from(Bytes::from_static(text.as_bytes()))
    }
}

impl From<&'static [u8]> for Body {
    fn from(bytes: &'static [u8]) -> Body {
        Body::from(Bytes::from_static(bytes))
    }
}

impl From<multipart::Form> for Body {
    fn from(form: multipart::Form) -> Body {
        Body::from_kind(Kind::Multipart(form))
    }
}

/// A length in bytes as `u64`, saturating on a (theoretical) platform where
/// `usize` is wider.
pub(crate) fn len_u64(len: usize) -> u64 {
    u64::try_from(len).unwrap_or(u64::MAX)
}
