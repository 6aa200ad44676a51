//! Bound checks for the streaming return kinds and the upload roles of
//! issue 14, in the style of `bounds.rs`: one helper per parameter (or per
//! call), called by generated code as `::restrait::__private::helper::<T>(..)`
//! with the path spanned across the user's type, so that an unmet bound is
//! reported once, there, in words about the endpoint.
//!
//! Wiring: `mod upload_bounds;` and its `pub use` in `private/mod.rs`, once
//! `RequestBuilder::{body, part, json_part}`, `PartValue`, `Lines` and
//! `Events` exist (work/core).

use std::future::Future;

use serde::Serialize;
use serde::de::DeserializeOwned;

use super::builder::RequestBuilder;
use super::{Events, Lines, PartValue};
use crate::error::Result;
use crate::{Body, EventStream, JsonLines};

/// The type of a `#[body]` parameter whose type is named `Body`.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be sent as a streaming request body: it does not convert into `restrait::Body`",
    label = "a `#[body]` parameter of a type named `Body` is sent as it is, so it must be a `restrait::Body`",
    note = "pass a `restrait::Body` (`Body::file(path)`, `Body::stream(..)`, bytes); to send your own type named `Body` as JSON, pass it by reference (`#[body] b: &Body`)"
)]
pub trait IntoBody: Into<Body> {}

impl<T: Into<Body>> IntoBody for T {}

/// The `T` of a `#[part("..", json)]` parameter.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be sent as a JSON part: it does not implement `serde::Serialize`",
    label = "a `#[part(\"..\", json)]` parameter must implement `serde::Serialize`",
    note = "add `#[derive(serde::Serialize)]` to the type, or drop `json` to send text, bytes or a `restrait::multipart::Part`"
)]
pub trait SerializePart: Serialize {}

impl<T: ?Sized + Serialize> SerializePart for T {}

/// The `T` of `JsonLines<T>` or `EventStream<T>`.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be decoded from each line or event of a stream: it does not implement `serde::de::DeserializeOwned`",
    label = "a `JsonLines<T>` or `EventStream<T>` needs `T: serde::de::DeserializeOwned` (or `String`, for an event's raw data)",
    note = "add `#[derive(serde::Deserialize)]` to the type (without borrowed fields)"
)]
pub trait DeserializeItem: DeserializeOwned {}

impl<T: DeserializeOwned> DeserializeItem for T {}

/// `#[body] b: restrait::Body`: bytes, a file or a stream, sent as it is.
pub fn body<T: IntoBody>(req: &mut RequestBuilder<'_>, value: T) {
    req.body(value);
}

/// `#[part("name")]` of a `#[multipart]` endpoint.
pub fn part<T: PartValue>(req: &mut RequestBuilder<'_>, name: &'static str, value: T) {
    req.part(name, value);
}

/// `#[part("name")]` of type `Option<T>`: no part for `None`.
pub fn optional_part<T: PartValue>(
    req: &mut RequestBuilder<'_>,
    name: &'static str,
    value: Option<T>,
) {
    if let Some(value) = value {
        req.part(name, value);
    }
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

/// Sends the request and streams its body as JSON Lines.
pub fn send_lines<'a, T: DeserializeItem + Send + 'static>(
    req: RequestBuilder<'a>,
) -> impl Future<Output = Result<JsonLines<T>>> + Send + 'a {
    req.send::<Lines<T>>()
}

/// Sends the request and streams its body as server-sent events.
pub fn send_events<'a, T: DeserializeItem + Send + 'static>(
    req: RequestBuilder<'a>,
) -> impl Future<Output = Result<EventStream<T>>> + Send + 'a {
    req.send::<Events<T>>()
}
