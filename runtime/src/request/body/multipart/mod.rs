//! `multipart/form-data` request bodies (RFC 7578): a [`Form`] of named
//! [`Part`]s, streamed without reading files into memory.
//!
//! ```
//! use restrait::body::{Body, multipart::{Form, Part}};
//!
//! # fn main() -> restrait::Result<()> {
//! let form = Form::new()
//!     .text("title", "Holiday")
//!     .part("photo", Part::file("beach.jpg"))          // image/jpeg, filename="beach.jpg"
//!     .part("meta", Part::json(&serde_json::json!({"tags": ["sea"]}))?);
//! let body = Body::from(form);
//! assert!(body.is_replayable());
//! assert!(body.content_type().is_some());              // multipart/form-data; boundary=...
//! # Ok(()) }
//! ```
//!
//! The encoder is a small one of our own over `futures` streams: the
//! multipart crates we looked at either do not escape field and file names
//! (`mpart-async`, `common-multipart-rfc7578`), read files with blocking I/O,
//! or tie the encoding to one transport and keep the length private
//! (`reqwest::multipart`).

mod encode;
#[cfg(test)]
mod tests;

use std::fmt;
use std::path::PathBuf;

use bytes::Bytes;
use futures::{Stream, StreamExt};
use http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use http::{HeaderMap, HeaderName, HeaderValue};

use super::{Body, BodyStream, len_u64};
use crate::error::{Error, Result};

/// A `multipart/form-data` form: named parts in order, with a random
/// boundary chosen when the form is made.
pub struct Form {
    boundary: String,
    parts: Vec<(String, Part)>,
}

impl Form {
    /// An empty form with a fresh random boundary.
    pub fn new() -> Form {
        Form {
            boundary: encode::boundary(),
            parts: Vec::new(),
        }
    }

    /// Adds a text field.
    #[must_use]
    pub fn text(self, name: impl Into<String>, value: impl Into<String>) -> Form {
        self.part(name, Part::text(value))
    }

    /// Adds a file field: see [`Part::file`].
    #[must_use]
    pub fn file(self, name: impl Into<String>, path: impl Into<PathBuf>) -> Form {
        self.part(name, Part::file(path))
    }

    /// Adds a part under `name`. Names may repeat (several files under one
    /// field).
    #[must_use]
    pub fn part(mut self, name: impl Into<String>, part: Part) -> Form {
        self.parts.push((name.into(), part));
        self
    }

    /// The boundary between parts.
    pub fn boundary(&self) -> &str {
        &self.boundary
    }

    /// `multipart/form-data; boundary=...`, the `Content-Type` to send.
    pub fn content_type(&self) -> HeaderValue {
        // The boundary is ASCII letters, digits and `-`, so this cannot
        // fail; fall back to the bare type rather than panic.
        HeaderValue::try_from(format!("multipart/form-data; boundary={}", self.boundary))
            .unwrap_or_else(|_| HeaderValue::from_static("multipart/form-data"))
    }

    /// The number of parts.
    pub fn len(&self) -> usize {
        self.parts.len()
    }

    /// True when the form has no parts.
    pub fn is_empty(&self) -> bool {
        self.parts.is_empty()
    }

    /// True when every part can be sent again (no one-shot stream part).
    pub fn is_replayable(&self) -> bool {
        self.parts.iter().all(|(_, p)| p.body.is_replayable())
    }

    /// A copy with the same boundary, or `None` when a part is a one-shot
    /// stream.
    pub fn try_clone(&self) -> Option<Form> {
        let parts = self
            .parts
            .iter()
            .map(|(name, part)| Some((name.clone(), part.try_clone()?)))
            .collect::<Option<Vec<_>>>()?;
        Some(Form {
            boundary: self.boundary.clone(),
            parts,
        })
    }

    /// The encoded length when every part's length is known without I/O
    /// (not for file parts: their length is read when the form is opened).
    pub fn content_length(&self) -> Option<u64> {
        let mut total = len_u64(encode::closing(&self.boundary).len());
        for (name, part) in &self.parts {
            let head = len_u64(self.head(name, part).len());
            let framed = head
                .checked_add(part.body.content_length()?)?
                .checked_add(len_u64(encode::PART_END.len()))?;
            total = total.checked_add(framed)?;
        }
        Some(total)
    }

    /// The form as a request body.
    pub fn into_body(self) -> Body {
        Body::from(self)
    }

    fn head(&self, name: &str, part: &Part) -> Bytes {
        encode::part_head(
            &self.boundary,
            name,
            part.file_name.as_deref(),
            part.content_type.as_ref(),
            &part.headers,
        )
    }

    /// Opens every part (files are opened and measured now) and chains
    /// them into one stream; the length is known when every part's is.
    pub(super) async fn open(self) -> Result<(Option<u64>, BodyStream)> {
        let Form { boundary, parts } = self;
        let mut total = Some(0u64);
        let mut add = |n: Option<u64>| total = total.zip(n).and_then(|(t, n)| t.checked_add(n));
        let mut pieces: Vec<BodyStream> = Vec::with_capacity(parts.len().saturating_mul(3) + 1);
        for (name, part) in parts {
            let head = encode::part_head(
                &boundary,
                &name,
                part.file_name.as_deref(),
                part.content_type.as_ref(),
                &part.headers,
            );
            add(Some(len_u64(head.len())));
            pieces.push(once(head));
            // A part's body never has a progress callback of its own: the
            // form's body reports for the whole.
            let (len, stream) = part.body.open().await?.into_parts();
            add(len);
            pieces.push(stream);
            add(Some(len_u64(encode::PART_END.len())));
            pieces.push(once(Bytes::from_static(encode::PART_END)));
        }
        let closing = encode::closing(&boundary);
        add(Some(len_u64(closing.len())));
        pieces.push(once(closing));
        Ok((total, Box::pin(futures::stream::iter(pieces).flatten())))
    }
}

fn once(bytes: Bytes) -> BodyStream {
    Box::pin(futures::stream::once(std::future::ready(Ok(bytes))))
}

impl Default for Form {
    fn default() -> Form {
        Form::new()
    }
}

impl fmt::Debug for Form {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Form")
            .field("boundary", &self.boundary)
            .field("parts", &PartsDebug(&self.parts))
            .finish()
    }
}

struct PartsDebug<'a>(&'a [(String, Part)]);

impl fmt::Debug for PartsDebug<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map()
            .entries(self.0.iter().map(|(name, part)| (name, part)))
            .finish()
    }
}

/// One part of a [`Form`]: its content, and optionally a file name, a
/// content type and extra headers.
pub struct Part {
    body: Body,
    file_name: Option<String>,
    content_type: Option<HeaderValue>,
    headers: HeaderMap,
}

impl Part {
    fn new(body: Body) -> Part {
        Part {
            body,
            file_name: None,
            content_type: None,
            headers: HeaderMap::new(),
        }
    }

    /// A text field (sent without a content type, which means
    /// `text/plain` in UTF-8).
    pub fn text(value: impl Into<String>) -> Part {
        Part::new(Body::from(value.into()))
    }

    /// Raw bytes, without a content type or a file name unless given.
    pub fn bytes(bytes: impl Into<Bytes>) -> Part {
        Part::new(Body::from(bytes.into()))
    }

    /// The content of the file at `path`, opened when the form is sent
    /// (and again for a retry). The file name is the path's last component
    /// (see [`file_name`](Self::file_name) to change it); the content type is
    /// guessed from the extension for common types, else
    /// `application/octet-stream`.
    pub fn file(path: impl Into<PathBuf>) -> Part {
        let path = path.into();
        let file_name = path.file_name().map(|n| n.to_string_lossy().into_owned());
        let content_type = encode::guess_content_type(&path);
        Part {
            file_name,
            content_type: Some(content_type),
            ..Part::new(Body::file(path))
        }
    }

    /// `value` as JSON, with content type `application/json`.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidRequest`] if `value`
    /// cannot be serialized.
    pub fn json<T: serde::Serialize + ?Sized>(value: &T) -> Result<Part> {
        let bytes = serde_json::to_vec(value).map_err(|e| {
            Error::invalid_request(format!("cannot serialize a JSON multipart part: {e}"))
        })?;
        Ok(Part {
            content_type: Some(HeaderValue::from_static("application/json")),
            ..Part::new(Body::from(bytes))
        })
    }

    /// A one-shot stream: a form with such a part is sent once and never
    /// retried. Its length is unknown, so the form is sent chunked.
    pub fn stream<S, E>(stream: S) -> Part
    where
        S: Stream<Item = std::result::Result<Bytes, E>> + Send + 'static,
        E: Into<Box<dyn std::error::Error + Send + Sync>>,
    {
        Part::new(Body::stream(stream))
    }

    /// A one-shot stream of known length (so the form's length is known).
    pub fn sized_stream<S, E>(len: u64, stream: S) -> Part
    where
        S: Stream<Item = std::result::Result<Bytes, E>> + Send + 'static,
        E: Into<Box<dyn std::error::Error + Send + Sync>>,
    {
        Part::new(Body::sized_stream(len, stream))
    }

    /// Sets the file name (`filename="..."`), which makes most servers treat
    /// the part as a file upload.
    #[must_use]
    pub fn file_name(mut self, file_name: impl Into<String>) -> Part {
        self.file_name = Some(file_name.into());
        self
    }

    /// Sets the content type.
    #[must_use]
    pub fn content_type(mut self, content_type: HeaderValue) -> Part {
        self.content_type = Some(content_type);
        self
    }

    /// Sets the content type from a string such as `"image/png"`.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidRequest`] if it is not a
    /// valid header value (a line break, say).
    pub fn mime(self, mime: &str) -> Result<Part> {
        let value = HeaderValue::from_str(mime).map_err(|_| {
            Error::invalid_request(format!("invalid multipart content type {mime:?}"))
        })?;
        Ok(self.content_type(value))
    }

    /// Adds a header to the part. `Content-Type` sets the content type;
    /// `Content-Disposition` is made from the name and file name, so it is
    /// refused here.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidRequest`] for
    /// `Content-Disposition`.
    pub fn header(mut self, name: HeaderName, value: HeaderValue) -> Result<Part> {
        if name == CONTENT_DISPOSITION {
            return Err(Error::invalid_request(
                "a multipart part's Content-Disposition is made from its name and file name; \
                 use Form::part and Part::file_name",
            ));
        }
        if name == CONTENT_TYPE {
            return Ok(self.content_type(value));
        }
        self.headers.append(name, value);
        Ok(self)
    }

    /// True unless the part is a one-shot stream.
    pub fn is_replayable(&self) -> bool {
        self.body.is_replayable()
    }

    /// A copy, or `None` for a one-shot stream.
    pub fn try_clone(&self) -> Option<Part> {
        Some(Part {
            body: self.body.try_clone()?,
            file_name: self.file_name.clone(),
            content_type: self.content_type.clone(),
            headers: self.headers.clone(),
        })
    }
}

impl fmt::Debug for Part {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("Part");
        d.field("body", &self.body);
        if let Some(file_name) = &self.file_name {
            d.field("file_name", file_name);
        }
        if let Some(content_type) = &self.content_type {
            d.field("content_type", content_type);
        }
        d.finish()
    }
}
