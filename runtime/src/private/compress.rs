//! `#[body(gzip)]`: a request body compressed before it is sent.

use http::HeaderValue;
use http::header::{CONTENT_ENCODING, CONTENT_LENGTH};

use crate::error::{Error, Result};
use crate::request::Request;

/// Compresses the request's body (in memory) with gzip and says so in
/// `Content-Encoding`; an empty body is left as it is.
pub(crate) fn gzip_body(request: &mut Request) -> Result<()> {
    let Some(bytes) = request.parts.body.as_bytes() else {
        return Err(Error::invalid_request(
            "`#[body(gzip)]` compresses a body in memory; this one is a file or a stream",
        ));
    };
    if bytes.is_empty() {
        return Ok(());
    }
    let compressed = gzip(bytes)?;
    request.parts.headers.remove(CONTENT_LENGTH);
    request
        .parts
        .headers
        .insert(CONTENT_ENCODING, HeaderValue::from_static("gzip"));
    request.parts.body = crate::Body::from(compressed);
    Ok(())
}

#[cfg(feature = "gzip")]
fn gzip(bytes: &[u8]) -> Result<bytes::Bytes> {
    use std::io::Write as _;
    let mut encoder = flate2::write::GzEncoder::new(
        Vec::with_capacity(bytes.len() / 2 + 32),
        flate2::Compression::default(),
    );
    encoder
        .write_all(bytes)
        .and_then(|()| encoder.finish())
        .map(bytes::Bytes::from)
        .map_err(|e| Error::invalid_request(format!("cannot gzip the request body: {e}")))
}

#[cfg(not(feature = "gzip"))]
fn gzip(_: &[u8]) -> Result<bytes::Bytes> {
    Err(Error::invalid_request(
        "`#[body(gzip)]` needs restrait's `gzip` feature, which this build leaves out",
    ))
}

#[cfg(all(test, feature = "gzip"))]
mod tests {
    use super::*;
    use std::io::Read as _;

    #[test]
    fn the_body_is_gzipped_and_marked() {
        let text = "hello ".repeat(100);
        let mut request = Request::new(
            http::Method::POST,
            "https://api.test/x".parse().expect("url"),
        );
        request.set_body(text.clone());
        request
            .headers_mut()
            .insert(CONTENT_LENGTH, HeaderValue::from(text.len()));
        gzip_body(&mut request).expect("gzips");
        assert_eq!(request.headers()[CONTENT_ENCODING], "gzip");
        assert!(request.headers().get(CONTENT_LENGTH).is_none());
        let sent = request.body().as_bytes().expect("in memory").clone();
        assert!(sent.len() < text.len());
        let mut back = String::new();
        flate2::read::GzDecoder::new(&sent[..])
            .read_to_string(&mut back)
            .expect("gunzips");
        assert_eq!(back, text);
    }
}
