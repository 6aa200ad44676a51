//! Compressed response bodies: `Accept-Encoding` for the codings this
//! build decodes (crate features `gzip`, `brotli`, `zstd`), and the body
//! of a response in one of them decoded as it streams, in restrait's own
//! response layer, so that every transport gets it.
//!
//! The decoded body is what the client's limits apply to: a body is read
//! under `max_body_size` as it comes out of the decoder, so a small
//! compressed body that expands past the limit (a decompression bomb) is
//! cut with [`Error::BodyTooLarge`](crate::Error::BodyTooLarge) after at
//! most the limit's worth of output, never held whole.

use http::header::{ACCEPT_ENCODING, CONTENT_ENCODING, CONTENT_LENGTH};
use http::{HeaderMap, HeaderValue, Method, StatusCode};

use super::ResponseBody;

/// The codings this build decodes, as an `Accept-Encoding` value; `None`
/// when it decodes none.
const ACCEPTED: Option<&str> = accepted();

const fn accepted() -> Option<&'static str> {
    let (gzip, br, zstd) = (
        cfg!(feature = "gzip"),
        cfg!(feature = "brotli"),
        cfg!(feature = "zstd"),
    );
    match (gzip, br, zstd) {
        (true, true, true) => Some("gzip, br, zstd"),
        (true, true, false) => Some("gzip, br"),
        (true, false, true) => Some("gzip, zstd"),
        (true, false, false) => Some("gzip"),
        (false, true, true) => Some("br, zstd"),
        (false, true, false) => Some("br"),
        (false, false, true) => Some("zstd"),
        (false, false, false) => None,
    }
}

/// Asks for the codings this build decodes, unless the request names its
/// own `Accept-Encoding` (then the caller decides, and gets what it asked
/// for decoded if it is one of ours).
pub(crate) fn accept(headers: &mut HeaderMap) {
    if let Some(value) = ACCEPTED {
        // One lookup, not `contains_key` then `insert`: this runs on every attempt.
        headers
            .entry(ACCEPT_ENCODING)
            .or_insert_with(|| HeaderValue::from_static(value));
    }
}

/// A coding this build decodes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Coding {
    #[cfg(feature = "gzip")]
    Gzip,
    #[cfg(feature = "brotli")]
    Brotli,
    #[cfg(feature = "zstd")]
    Zstd,
}

#[cfg_attr(
    not(any(feature = "gzip", feature = "brotli", feature = "zstd")),
    allow(unused_variables, dead_code)
)]
impl Coding {
    fn of(value: &HeaderValue) -> Option<Coding> {
        let name = value.to_str().ok()?.trim();
        match () {
            #[cfg(feature = "gzip")]
            () if name.eq_ignore_ascii_case("gzip") || name.eq_ignore_ascii_case("x-gzip") => {
                Some(Coding::Gzip)
            }
            #[cfg(feature = "brotli")]
            () if name.eq_ignore_ascii_case("br") => Some(Coding::Brotli),
            #[cfg(feature = "zstd")]
            () if name.eq_ignore_ascii_case("zstd") => Some(Coding::Zstd),
            () => None,
        }
    }

    fn name(self) -> &'static str {
        match self {
            #[cfg(feature = "gzip")]
            Coding::Gzip => "gzip",
            #[cfg(feature = "brotli")]
            Coding::Brotli => "br",
            #[cfg(feature = "zstd")]
            Coding::Zstd => "zstd",
        }
    }
}

/// The body decoded, when the response is in one coding this build
/// decodes: `Content-Encoding` and `Content-Length` (which described the
/// compressed bytes) are removed from `headers`. Any other response (no
/// coding, `identity`, a coding we do not know, several codings, a body
/// that cannot have content) is left as it is.
pub(crate) fn decode(
    method: &Method,
    status: StatusCode,
    headers: &mut HeaderMap,
    body: ResponseBody,
) -> ResponseBody {
    let mut values = headers.get_all(CONTENT_ENCODING).iter();
    let (Some(value), None) = (values.next(), values.next()) else {
        return body;
    };
    let Some(coding) = Coding::of(value) else {
        return body;
    };
    let no_content = *method == Method::HEAD
        || status == StatusCode::NO_CONTENT
        || status == StatusCode::NOT_MODIFIED
        || body.content_length() == Some(0);
    if no_content {
        return body;
    }
    headers.remove(CONTENT_ENCODING);
    headers.remove(CONTENT_LENGTH);
    stream::decoded(coding, body)
}

#[cfg(any(feature = "gzip", feature = "brotli", feature = "zstd"))]
mod stream {
    use std::io;

    use bytes::Bytes;
    use futures::{Stream, StreamExt, TryStreamExt};
    use tokio_util::io::{ReaderStream, StreamReader};

    use super::{Coding, ResponseBody};
    use crate::error::{Error, TransportError, TransportErrorKind};

    /// The body, decoded chunk by chunk as it is read.
    pub(super) fn decoded(coding: Coding, body: ResponseBody) -> ResponseBody {
        let compressed = StreamReader::new(body.map_err(to_io));
        let name = coding.name();
        let chunks = match coding {
            #[cfg(feature = "gzip")]
            Coding::Gzip => chunks(async_compression::tokio::bufread::GzipDecoder::new(
                compressed,
            ))
            .boxed(),
            #[cfg(feature = "brotli")]
            Coding::Brotli => chunks(async_compression::tokio::bufread::BrotliDecoder::new(
                compressed,
            ))
            .boxed(),
            #[cfg(feature = "zstd")]
            Coding::Zstd => chunks(async_compression::tokio::bufread::ZstdDecoder::new(
                compressed,
            ))
            .boxed(),
        };
        ResponseBody::from_stream(chunks.map_err(move |e| from_io(e, name)))
    }

    fn chunks(
        decoder: impl tokio::io::AsyncRead + Send + 'static,
    ) -> impl Stream<Item = io::Result<Bytes>> + Send {
        ReaderStream::new(decoder)
    }

    /// A failure of the compressed body itself travels through the reader
    /// as an `io::Error` and comes out as it went in.
    fn to_io(e: Error) -> io::Error {
        match e {
            Error::Transport(t) => io::Error::other(t),
            other => io::Error::other(other.to_string()),
        }
    }

    fn from_io(e: io::Error, coding: &'static str) -> TransportError {
        let message = e.to_string();
        match e
            .into_inner()
            .map(|inner| inner.downcast::<TransportError>())
        {
            Some(Ok(transport)) => *transport,
            _ => TransportError::new(
                TransportErrorKind::Body,
                format!("the {coding} response body cannot be decoded: {message}"),
                None,
            ),
        }
    }
}

#[cfg(not(any(feature = "gzip", feature = "brotli", feature = "zstd")))]
mod stream {
    use super::{Coding, ResponseBody};

    /// Not reached: without a coding feature, `Coding` has no values.
    pub(super) fn decoded(coding: Coding, _body: ResponseBody) -> ResponseBody {
        match coding {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accept_encoding_names_what_is_built_in_and_keeps_the_callers() {
        let mut headers = HeaderMap::new();
        accept(&mut headers);
        assert_eq!(
            headers.get(ACCEPT_ENCODING).and_then(|v| v.to_str().ok()),
            ACCEPTED
        );
        let mut own = HeaderMap::new();
        own.insert(ACCEPT_ENCODING, HeaderValue::from_static("identity"));
        accept(&mut own);
        assert_eq!(own[ACCEPT_ENCODING], "identity");
    }

    #[test]
    fn unknown_identity_and_stacked_codings_are_left_alone() {
        for codings in [&["identity"][..], &["compress"], &["gzip", "br"]] {
            let mut headers = HeaderMap::new();
            for c in codings {
                headers.append(CONTENT_ENCODING, HeaderValue::from_static(c));
            }
            let body = decode(
                &Method::GET,
                StatusCode::OK,
                &mut headers,
                ResponseBody::full("plain"),
            );
            assert_eq!(body.as_bytes().map(|b| &b[..]), Some(&b"plain"[..]));
            assert_eq!(
                headers.get_all(CONTENT_ENCODING).iter().count(),
                codings.len()
            );
        }
    }
}
