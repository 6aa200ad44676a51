//! Turning a successful response into a resource method's return value.

use std::marker::PhantomData;

use bytes::Bytes;
use serde::de::DeserializeOwned;

use crate::error::{DecodeError, Error, Result};
use crate::redact::Excerpt;
use crate::response::Response;

/// How a response body becomes the value a method returns. The macro picks
/// the decoder from the declared return type.
pub trait Decode {
    /// The decoded value.
    type Output;
    /// The `Accept` header sent when the method does not set one.
    const ACCEPT: Option<&'static str>;
    /// True for a kind that reads the body as a stream (`ByteStream`,
    /// `JsonLines<T>`, `EventStream<T>`): the request is sent streamed and
    /// [`decode_stream`](Decode::decode_stream) gets the live response.
    const STREAM: bool = false;
    /// Decodes a 2xx response (a buffered kind). The response is handed
    /// over by value, so a decoder can keep its body and headers without
    /// copying them.
    fn decode(response: Response<Bytes>) -> Result<Self::Output>;
    /// Decodes a 2xx response and hands its head back, for
    /// [`WithResponse`]. A kind whose value keeps nothing of the head
    /// gives it back as it came; by default the head is copied first.
    fn decode_keeping_head(response: Response<Bytes>) -> Result<(Self::Output, Response<()>)> {
        let head = head_copy(&response);
        Ok((Self::decode(response)?, head))
    }
    /// Turns a 2xx streamed response into the value (a streamed kind);
    /// `request` is a copy of the request for a stream that reconnects
    /// (`None` when its body cannot be sent again).
    fn decode_stream(
        response: Response,
        client: crate::Client,
        request: Option<crate::Request>,
    ) -> Result<Self::Output> {
        let _ = (response, client, request);
        Err(Error::invalid_request(
            "this return kind is not decoded from a stream",
        ))
    }
}

/// A JSON body decoded into `T`.
pub struct Json<T>(PhantomData<fn() -> T>);
/// The body as UTF-8 text.
pub struct Text;
/// The body as bytes.
pub struct Raw;
/// The body ignored.
pub struct Unit;
/// The decoded body with the status and headers.
pub struct WithResponse<D>(PhantomData<fn() -> D>);

impl<T: DeserializeOwned> Decode for Json<T> {
    type Output = T;
    const ACCEPT: Option<&'static str> = Some("application/json");
    fn decode(response: Response<Bytes>) -> Result<T> {
        decode_json(&response)
    }
    fn decode_keeping_head(response: Response<Bytes>) -> Result<(T, Response<()>)> {
        let value = decode_json(&response)?;
        Ok((value, response.map(drop)))
    }
}

fn decode_json<T: DeserializeOwned>(response: &Response<Bytes>) -> Result<T> {
    let body = &response.body;
    // An empty body (204, or a 200 without content) reads as `null`, so that
    // `Option<T>` decodes to `None`.
    let blank = body.iter().all(u8::is_ascii_whitespace);
    let text: &[u8] = if blank { b"null" } else { body };
    let origin = super::json::Origin {
        status: response.status,
        call: &response.head.call,
        line: None,
    };
    super::json::decode(text, origin).map_err(|mut e| {
        if let (true, Error::Decode(d)) = (blank, &mut e) {
            if body.is_empty() {
                d.message = format!("the body is empty ({})", d.message);
            }
            d.excerpt = Excerpt(body).to_text();
        }
        e
    })
}

impl Decode for Text {
    type Output = String;
    const ACCEPT: Option<&'static str> = None;
    fn decode(response: Response<Bytes>) -> Result<String> {
        Self::decode_keeping_head(response).map(|(text, _)| text)
    }
    fn decode_keeping_head(response: Response<Bytes>) -> Result<(String, Response<()>)> {
        let (body, head) = take_body(response);
        // `Vec::from` reuses the buffer when this is its only handle.
        match String::from_utf8(Vec::from(body)) {
            Ok(text) => Ok((text, head)),
            Err(e) => Err(Error::Decode(Box::new(DecodeError {
                status: head.status,
                message: format!("the body is not valid UTF-8: {}", e.utf8_error()),
                excerpt: Excerpt(e.as_bytes()).to_text(),
                call: head.head.call,
                target: "String",
                path: ".".into(),
                line: None,
                event: None,
                source: None,
            }))),
        }
    }
}

impl Decode for Raw {
    type Output = Bytes;
    const ACCEPT: Option<&'static str> = None;
    fn decode(response: Response<Bytes>) -> Result<Bytes> {
        Ok(response.body)
    }
    fn decode_keeping_head(response: Response<Bytes>) -> Result<(Bytes, Response<()>)> {
        Ok(take_body(response))
    }
}

impl Decode for Unit {
    type Output = ();
    const ACCEPT: Option<&'static str> = None;
    fn decode(_: Response<Bytes>) -> Result<()> {
        Ok(())
    }
    fn decode_keeping_head(response: Response<Bytes>) -> Result<((), Response<()>)> {
        Ok(((), response.map(drop)))
    }
}

impl<D: Decode> Decode for WithResponse<D> {
    type Output = Response<D::Output>;
    const ACCEPT: Option<&'static str> = D::ACCEPT;
    fn decode(response: Response<Bytes>) -> Result<Response<D::Output>> {
        let (value, head) = D::decode_keeping_head(response)?;
        Ok(head.map(|()| value))
    }
}

/// The body of `response`, and the rest of it.
fn take_body(response: Response<Bytes>) -> (Bytes, Response<()>) {
    let mut body = Bytes::new();
    let head = response.map(|b| body = b);
    (body, head)
}

/// A copy of `response` without its body.
fn head_copy(response: &Response<Bytes>) -> Response<()> {
    Response {
        status: response.status,
        head: response.head.clone(),
        body: (),
        attempts: response.attempts,
        body_truncated: response.body_truncated,
        not_retried: response.not_retried,
    }
}

/// `Result<ByteStream>`: the body as a stream of chunks.
pub struct Streamed;
/// `Result<JsonLines<T>>`: one `T` per line of the body.
pub struct Lines<T>(PhantomData<fn() -> T>);

impl Decode for Streamed {
    type Output = crate::ByteStream;
    const ACCEPT: Option<&'static str> = None;
    const STREAM: bool = true;
    fn decode(response: Response<Bytes>) -> Result<crate::ByteStream> {
        let body = response.body;
        let len = u64::try_from(body.len()).ok();
        let chunks = futures::stream::iter([Ok::<_, Error>(body)]);
        Ok(crate::ByteStream::new(chunks, len).for_call(response.status, response.head.call))
    }
    fn decode_stream(
        response: Response,
        _client: crate::Client,
        _request: Option<crate::Request>,
    ) -> Result<crate::ByteStream> {
        Ok(byte_stream(response))
    }
}

impl<T: DeserializeOwned> Decode for Lines<T> {
    type Output = crate::JsonLines<T>;
    const ACCEPT: Option<&'static str> =
        Some("application/x-ndjson, application/jsonl, application/json");
    const STREAM: bool = true;
    fn decode(response: Response<Bytes>) -> Result<crate::JsonLines<T>> {
        let max_line = response.body.len().max(1);
        Ok(crate::JsonLines::new(Streamed::decode(response)?, max_line))
    }
    fn decode_stream(
        response: Response,
        client: crate::Client,
        _request: Option<crate::Request>,
    ) -> Result<crate::JsonLines<T>> {
        // One line may be as long as a whole buffered body may be.
        let max_line = usize::try_from(client.inner.max_body_size).unwrap_or(usize::MAX);
        Ok(crate::JsonLines::new(byte_stream(response), max_line))
    }
}

/// `Result<EventStream<T>>`: server-sent events whose data is a `T`.
pub struct Events<T>(PhantomData<fn() -> T>);

impl<T: DeserializeOwned + 'static> Decode for Events<T> {
    type Output = crate::EventStream<T>;
    const ACCEPT: Option<&'static str> = Some("text/event-stream");
    const STREAM: bool = true;
    fn decode(response: Response<Bytes>) -> Result<crate::EventStream<T>> {
        crate::EventStream::buffered(&response)
    }
    fn decode_stream(
        response: Response,
        client: crate::Client,
        request: Option<crate::Request>,
    ) -> Result<crate::EventStream<T>> {
        crate::EventStream::new(response, client, request)
    }
}

/// The live body of `response` as a [`ByteStream`](crate::ByteStream).
fn byte_stream(response: Response) -> crate::ByteStream {
    let len = response.body.content_length();
    crate::ByteStream::new(response.body, len).for_call(response.status, response.head.call)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn response(body: &'static str) -> Response<Bytes> {
        Response::new(
            http::StatusCode::OK,
            http::HeaderMap::new(),
            Bytes::from(body),
        )
    }

    #[test]
    fn an_empty_body_is_none_for_an_option_and_says_so_otherwise() {
        assert_eq!(Json::<Option<u32>>::decode(response("")).ok(), Some(None));
        assert_eq!(
            Json::<Option<u32>>::decode(response(" \n")).ok(),
            Some(None)
        );
        let Err(Error::Decode(e)) = Json::<u32>::decode(response("")) else {
            panic!("an empty body is not a u32");
        };
        assert!(e.to_string().contains("the body is empty"), "{e}");
    }

    /// `Response<T>` hands on the head the call received, the same box,
    /// not a copy of it; a kind without an override copies it.
    #[test]
    fn with_response_keeps_the_head_it_was_given() {
        fn kept<D: Decode>(body: &'static [u8]) -> Result<(Response<D::Output>, bool)> {
            let mut headers = http::HeaderMap::new();
            headers.insert("x-tag", http::HeaderValue::from_static("1"));
            let r = Response::new(http::StatusCode::CREATED, headers, Bytes::from(body));
            let at: *const crate::response::Head = &*r.head;
            let decoded = WithResponse::<D>::decode(r)?;
            assert_eq!(decoded.status(), http::StatusCode::CREATED);
            assert_eq!(decoded.headers()["x-tag"], "1");
            let same = std::ptr::eq(&*decoded.head, at);
            Ok((decoded, same))
        }
        let (json, same) = kept::<Json<Vec<u32>>>(b"[1,2]").expect("json");
        assert_eq!((json.body, same), (vec![1, 2], true));
        let (text, same) = kept::<Text>(b"hi").expect("text");
        assert_eq!((text.body.as_str(), same), ("hi", true));
        let (raw, same) = kept::<Raw>(b"raw").expect("raw");
        assert_eq!((&raw.body[..], same), (&b"raw"[..], true));
        let (_, same) = kept::<Unit>(b"").expect("unit");
        assert!(same);
        // Nested, the outer `Response` takes the default: a copy.
        let (nested, same) = kept::<WithResponse<Raw>>(b"n").expect("nested");
        assert_eq!(&nested.body.body[..], b"n");
        assert!(!same);
        assert_eq!(nested.body.headers()["x-tag"], "1");
        let Err(Error::Decode(e)) = kept::<Text>(b"\xff") else {
            panic!("0xff is not UTF-8");
        };
        assert!(e.to_string().contains("not valid UTF-8"), "{e}");
    }

    #[test]
    fn a_bad_field_is_named_by_its_path() {
        #[derive(serde::Deserialize, Debug)]
        struct User {
            #[allow(dead_code)]
            id: u64,
        }
        let Err(Error::Decode(e)) = Json::<Vec<User>>::decode(response(r#"[{"id":1},{"id":"x"}]"#))
        else {
            panic!("a string id is not a u64");
        };
        assert_eq!(e.path(), "[1].id");
    }
}
