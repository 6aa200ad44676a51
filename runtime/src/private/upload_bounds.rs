//! Bound checks for the upload roles of issue 14, in the style of
//! `bounds.rs`: one helper per parameter, called by generated code as
//! `::restrait::__private::helper::<T>(..)` with the path spanned across the
//! user's type, so that an unmet bound is reported once, there, in words
//! about the endpoint. A plain `#[part("name")]` goes through
//! `bounds::part` (its `PartValue` covers `Option`).

use serde::Serialize;

use super::builder::RequestBuilder;
use crate::Body;

/// The type of a `#[body]` parameter whose type is named `Body`.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be sent as a streaming request body: it does not convert into `restrait::Body`",
    label = "a `#[body]` parameter of a type named `Body` is sent as it is, so it must be a `restrait::Body`",
    note = "pass a `restrait::Body` (`Body::file(path)`, `Body::stream(..)`, bytes); to send your own type named `Body` as JSON, pass it by reference (`#[body] b: &Body`)"
)]
pub trait IntoBody {
    /// The body to send.
    fn into_body(self) -> Body;
}

// One impl per type (no blanket impl over `Into<Body>`, whose failure rustc
// would report as a missing `From` instead of this trait's message).
macro_rules! into_body {
    ($($ty:ty),* $(,)?) => {$(
        impl IntoBody for $ty {
            fn into_body(self) -> Body {
                self.into()
            }
        }
    )*};
}

into_body!(
    Body,
    bytes::Bytes,
    Vec<u8>,
    String,
    &'static str,
    &'static [u8],
    crate::multipart::Form,
);

/// The `T` of a `#[part("..", json)]` parameter.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be sent as a JSON part: it does not implement `serde::Serialize`",
    label = "a `#[part(\"..\", json)]` parameter must implement `serde::Serialize`",
    note = "add `#[derive(serde::Serialize)]` to the type, or drop `json` to send text, bytes or a `restrait::multipart::Part`"
)]
pub trait SerializePart: Serialize {}

impl<T: ?Sized + Serialize> SerializePart for T {}

/// `#[body] b: restrait::Body`: bytes, a file or a stream, sent as it is.
pub fn body<T: IntoBody>(req: &mut RequestBuilder<'_>, value: T) {
    req.body(value.into_body());
}

/// `#[part("name", json)]`: a part whose content is the value as JSON.
pub fn json_part<T: ?Sized + SerializePart>(
    req: &mut RequestBuilder<'_>,
    name: &'static str,
    value: &T,
) {
    req.json_part(name, value);
}

/// `#[part("name", json)]` of type `Option<T>`: no part for `None`.
pub fn optional_json_part<T: SerializePart>(
    req: &mut RequestBuilder<'_>,
    name: &'static str,
    value: &Option<T>,
) {
    if let Some(value) = value {
        req.json_part(name, value);
    }
}

/// Sends the request streamed and decodes a `Result<JsonLines<T>>`, one `T`
/// per line.
pub fn send_lines<'a, T: super::DeserializeResponse + Send + 'static>(
    req: super::RequestBuilder<'a>,
) -> impl ::core::future::Future<Output = crate::Result<crate::JsonLines<T>>> + Send + 'a {
    req.send::<super::Lines<T>>()
}

/// Sends the request streamed and decodes a `Result<EventStream<T>>`;
/// `done` is the data of the event that ends it (`#[sse(done = "..")]`).
pub fn send_events<'a, T: super::DeserializeResponse + Send + 'static>(
    req: super::RequestBuilder<'a>,
    done: Option<&'static str>,
) -> impl ::core::future::Future<Output = crate::Result<crate::EventStream<T>>> + Send + 'a {
    let sent = req.send::<super::Events<T>>();
    async move { Ok(sent.await?.until(done)) }
}
