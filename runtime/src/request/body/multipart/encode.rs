//! The `multipart/form-data` wire format (RFC 7578 over RFC 2046 framing):
//! part heads, the closing delimiter, escaping and content-type guesses.
//!
//! A form is sent as, for each part, `--boundary CRLF`, its headers, a blank
//! line, its content and `CRLF`; then `--boundary-- CRLF`.

use std::borrow::Cow;
use std::path::Path;

use bytes::{BufMut, Bytes, BytesMut};
use http::{HeaderMap, HeaderValue};

/// What ends each part's content.
pub(super) const PART_END: &[u8] = b"\r\n";

/// A fresh random boundary: 128 random bits, which no content can be
/// expected to contain.
pub(super) fn boundary() -> String {
    format!(
        "restrait-{:016x}{:016x}",
        fastrand::u64(..),
        fastrand::u64(..)
    )
}

/// The delimiter and headers that start a part, up to and including the
/// blank line before its content.
pub(super) fn part_head(
    boundary: &str,
    name: &str,
    file_name: Option<&str>,
    content_type: Option<&HeaderValue>,
    headers: &HeaderMap,
) -> Bytes {
    let mut buf = BytesMut::with_capacity(boundary.len() + name.len() + 96);
    buf.put_slice(b"--");
    buf.put_slice(boundary.as_bytes());
    buf.put_slice(b"\r\nContent-Disposition: form-data; name=\"");
    buf.put_slice(escape(name).as_bytes());
    buf.put_u8(b'"');
    if let Some(file_name) = file_name {
        buf.put_slice(b"; filename=\"");
        buf.put_slice(escape(file_name).as_bytes());
        buf.put_u8(b'"');
    }
    buf.put_slice(b"\r\n");
    if let Some(content_type) = content_type {
        buf.put_slice(b"Content-Type: ");
        buf.put_slice(content_type.as_bytes());
        buf.put_slice(b"\r\n");
    }
    for (key, value) in headers {
        buf.put_slice(key.as_str().as_bytes());
        buf.put_slice(b": ");
        buf.put_slice(value.as_bytes());
        buf.put_slice(b"\r\n");
    }
    buf.put_slice(b"\r\n");
    buf.freeze()
}

/// The delimiter that closes the form.
pub(super) fn closing(boundary: &str) -> Bytes {
    let mut buf = BytesMut::with_capacity(boundary.len() + 6);
    buf.put_slice(b"--");
    buf.put_slice(boundary.as_bytes());
    buf.put_slice(b"--\r\n");
    buf.freeze()
}

/// Escapes a field name or file name for a quoted `Content-Disposition`
/// parameter as browsers do (the WHATWG HTML "multipart/form-data encoding
/// algorithm", which RFC 7578 section 4.2 defers to): `"` becomes `%22`, CR
/// `%0D` and LF `%0A`; everything else, non-ASCII included, is sent as UTF-8.
/// RFC 7578 forbids the RFC 5987 `filename*=` form, so it is not used.
pub(super) fn escape(value: &str) -> Cow<'_, str> {
    if !value.contains(['"', '\r', '\n']) {
        return Cow::Borrowed(value);
    }
    let mut out = String::with_capacity(value.len().saturating_add(8));
    for c in value.chars() {
        match c {
            '"' => out.push_str("%22"),
            '\r' => out.push_str("%0D"),
            '\n' => out.push_str("%0A"),
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// The content type for a file, from its extension (a few common types), or
/// `application/octet-stream`.
pub(super) fn guess_content_type(path: &Path) -> HeaderValue {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    let mime = match ext.as_deref() {
        Some("txt" | "text" | "log") => "text/plain",
        Some("csv") => "text/csv",
        Some("html" | "htm") => "text/html",
        Some("css") => "text/css",
        Some("js" | "mjs") => "text/javascript",
        Some("md" | "markdown") => "text/markdown",
        Some("json") => "application/json",
        Some("jsonl" | "ndjson") => "application/x-ndjson",
        Some("xml") => "application/xml",
        Some("yaml" | "yml") => "application/yaml",
        Some("pdf") => "application/pdf",
        Some("zip") => "application/zip",
        Some("gz" | "tgz") => "application/gzip",
        Some("tar") => "application/x-tar",
        Some("wasm") => "application/wasm",
        Some("png") => "image/png",
        Some("jpg" | "jpeg") => "image/jpeg",
        Some("gif") => "image/gif",
        Some("webp") => "image/webp",
        Some("svg") => "image/svg+xml",
        Some("ico") => "image/x-icon",
        Some("mp3") => "audio/mpeg",
        Some("wav") => "audio/wav",
        Some("ogg") => "audio/ogg",
        Some("mp4") => "video/mp4",
        Some("webm") => "video/webm",
        _ => "application/octet-stream",
    };
    HeaderValue::from_static(mime)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_quotes_and_line_breaks_like_browsers() {
        assert_eq!(escape("plain"), "plain");
        assert_eq!(escape("a\"b\r\nc"), "a%22b%0D%0Ac");
        assert_eq!(escape("résumé \\ é"), "résumé \\ é");
    }

    #[test]
    fn head_is_framed_and_escaped() {
        let mut headers = HeaderMap::new();
        headers.insert("x-id", HeaderValue::from_static("7"));
        let ct = HeaderValue::from_static("text/csv");
        let head = part_head("B", "f\"x", Some("a\r\n.csv"), Some(&ct), &headers);
        assert_eq!(
            &head[..],
            b"--B\r\nContent-Disposition: form-data; name=\"f%22x\"; filename=\"a%0D%0A.csv\"\r\n\
              Content-Type: text/csv\r\nx-id: 7\r\n\r\n"
        );
        assert_eq!(&closing("B")[..], b"--B--\r\n");
    }

    #[test]
    fn guesses_a_few_types() {
        assert_eq!(guess_content_type(Path::new("a/b.PNG")), "image/png");
        assert_eq!(guess_content_type(Path::new("x.json")), "application/json");
        assert_eq!(
            guess_content_type(Path::new("noext")),
            "application/octet-stream"
        );
        assert_eq!(
            guess_content_type(Path::new("x.weird")),
            "application/octet-stream"
        );
    }

    #[test]
    fn boundaries_differ() {
        assert_ne!(boundary(), boundary());
        assert!(boundary().len() >= 32);
    }
}
