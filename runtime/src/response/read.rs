//! Reading a response body without ever holding more than a limit.

use bytes::{Bytes, BytesMut};

use super::ResponseBody as Body;
use crate::error::Error;

/// Why a body could not be read.
#[derive(Debug)]
pub(crate) enum ReadError {
    /// The body is longer than the limit.
    TooLarge,
    /// The connection failed (or went idle) while reading.
    Failed(Error),
}

/// Reads the whole body.
///
/// With `truncate` false, a body longer than `limit` is an error (detected
/// from `Content-Length` before reading, or as soon as the chunks pass the
/// limit); with `truncate` true, the first `limit` bytes are kept and the
/// rest is never read. Returns the bytes and whether they were cut.
pub(crate) async fn read_body(
    body: &mut Body,
    limit: u64,
    truncate: bool,
) -> Result<(Bytes, bool), ReadError> {
    if !truncate && body.content_length().is_some_and(|n| n > limit) {
        return Err(ReadError::TooLarge);
    }
    let limit = usize::try_from(limit).unwrap_or(usize::MAX);
    // The common case is a body in one chunk: keep it without copying.
    let first = match body.chunk().await {
        None => return Ok((Bytes::new(), false)),
        Some(chunk) => chunk.map_err(ReadError::Failed)?,
    };
    if first.len() > limit {
        return if truncate {
            Ok((first.slice(..limit), true))
        } else {
            Err(ReadError::TooLarge)
        };
    }
    let second = match body.chunk().await {
        None => return Ok((first, false)),
        Some(chunk) => chunk.map_err(ReadError::Failed)?,
    };
    let mut buf = BytesMut::with_capacity(first.len() + second.len());
    for chunk in [first, second] {
        if push(&mut buf, &chunk, limit, truncate)? {
            return Ok((buf.freeze(), true));
        }
    }
    while let Some(chunk) = body.chunk().await {
        let chunk = chunk.map_err(ReadError::Failed)?;
        if push(&mut buf, &chunk, limit, truncate)? {
            return Ok((buf.freeze(), true));
        }
    }
    Ok((buf.freeze(), false))
}

/// Appends a chunk; true when the buffer is full and reading should stop.
fn push(buf: &mut BytesMut, chunk: &[u8], limit: usize, truncate: bool) -> Result<bool, ReadError> {
    let room = limit - buf.len();
    if chunk.len() <= room {
        buf.extend_from_slice(chunk);
        return Ok(false);
    }
    if !truncate {
        return Err(ReadError::TooLarge);
    }
    buf.extend_from_slice(&chunk[..room]);
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;
    use futures::stream;

    fn chunks(n: usize, size: usize) -> Body {
        Body::from_stream(stream::iter(
            (0..n).map(move |_| Ok(Bytes::from(vec![b'x'; size]))),
        ))
    }

    #[tokio::test]
    async fn limits() {
        let (b, cut) = read_body(&mut chunks(3, 10), 30, false)
            .await
            .expect("fits");
        assert_eq!((b.len(), cut), (30, false));
        assert!(matches!(
            read_body(&mut chunks(4, 10), 30, false).await,
            Err(ReadError::TooLarge)
        ));
        let (b, cut) = read_body(&mut chunks(4, 10), 25, true).await.expect("cut");
        assert_eq!((b.len(), cut), (25, true));
        let (b, cut) = read_body(&mut Body::full("abc"), 2, true)
            .await
            .expect("cut");
        assert_eq!((&b[..], cut), (&b"ab"[..], true));
        assert!(matches!(
            read_body(&mut Body::full("abc"), 2, false).await,
            Err(ReadError::TooLarge)
        ));
        let (b, _) = read_body(&mut Body::empty(), 0, false)
            .await
            .expect("empty");
        assert!(b.is_empty());
    }
}
