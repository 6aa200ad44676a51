//! Bound checks that `#[resource]` places on the user's own types, folded
//! into the helpers generated code calls: one call per parameter.
//!
//! The generated code calls, for example,
//! `::restrait::__private::json::<NewUser<'_>>(&mut __req, &user);` with the
//! path spanned across the parameter's type, so that a missing `Serialize`,
//! `DeserializeOwned` or `Display` is reported once, at the type the user
//! wrote, in words about the endpoint, rather than inside generated code.
//! Each marker trait carries the message and is implemented for every type
//! with the real bound, which is its supertrait.

use core::fmt::Display;
use std::future::Future;

use serde::Serialize;
use serde::de::DeserializeOwned;

use super::builder::RequestBuilder;
use crate::error::Result;
use crate::response::decode::Json;

/// A `#[query]`, `#[body]` or `#[form]` parameter type.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be sent in a request: it does not implement `serde::Serialize`",
    label = "a `#[query]`, `#[body]` or `#[form]` parameter must implement `serde::Serialize`",
    note = "add `#[derive(serde::Serialize)]` to the type, or send a type that implements it"
)]
pub trait SerializeParam: Serialize {}

impl<T: ?Sized + Serialize> SerializeParam for T {}

/// The `T` of a `Result<T>` decoded from JSON.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be decoded from a JSON response: it does not implement `serde::de::DeserializeOwned`",
    label = "an endpoint's `Result<T>` or `Paginator<T>` needs `T: serde::de::DeserializeOwned`",
    note = "add `#[derive(serde::Deserialize)]` to the type (without borrowed fields), or return `String`, `Bytes` or `()`"
)]
pub trait DeserializeResponse: DeserializeOwned {}

impl<T: DeserializeOwned> DeserializeResponse for T {}

/// A path placeholder, `#[header]` or `#[url]` parameter type.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot fill a path placeholder, header or URL: it does not implement `std::fmt::Display`",
    label = "a path, `#[header]` or `#[url]` parameter must implement `std::fmt::Display`",
    note = "implement `Display` for the type, or pass a `&str`, a number or another type that implements it"
)]
pub trait DisplayParam: Display {}

impl<T: ?Sized + Display> DisplayParam for T {}

/// Checks the `T` of a `Result<T>` decoded from JSON (inside `Response<T>`).
pub fn assert_deserialize<T: DeserializeResponse>() {}

/// A `<name>` placeholder.
pub fn segment<T: DisplayParam>(req: &mut RequestBuilder<'_>, name: &'static str, value: &T) {
    req.segment(name, value);
}

/// A `<name..>` placeholder.
pub fn tail<T: DisplayParam>(req: &mut RequestBuilder<'_>, name: &'static str, value: &T) {
    req.tail(name, value);
}

/// A `#[query]` parameter.
pub fn query<T: ?Sized + SerializeParam>(
    req: &mut RequestBuilder<'_>,
    name: &'static str,
    value: &T,
) {
    req.query(name, value);
}

/// A `#[header]` parameter.
pub fn header<T: DisplayParam>(req: &mut RequestBuilder<'_>, name: &'static str, value: &T) {
    req.header(name, value);
}

/// A `#[header]` parameter of type `Option<T>`: no header for `None`.
pub fn optional_header<T: DisplayParam>(
    req: &mut RequestBuilder<'_>,
    name: &'static str,
    value: &Option<T>,
) {
    if let Some(value) = value {
        req.header(name, value);
    }
}

/// A `#[body]` parameter, sent as JSON.
pub fn json<T: ?Sized + SerializeParam>(req: &mut RequestBuilder<'_>, value: &T) {
    req.json(value);
}

/// A `#[form]` parameter, sent urlencoded.
pub fn form<T: ?Sized + SerializeParam>(req: &mut RequestBuilder<'_>, value: &T) {
    req.form(value);
}

/// A `#[part("name")]` parameter of a `#[multipart]` method.
pub fn part<V: super::PartValue>(req: &mut RequestBuilder<'_>, name: &'static str, value: V) {
    req.part(name, value);
}

/// A `#[url]` parameter: the absolute URL of the request.
pub fn url<T: DisplayParam>(req: &mut RequestBuilder<'_>, value: &T) {
    req.url(value);
}

/// Sends the request and decodes a JSON `Result<T>`.
pub fn send_json<'a, T: DeserializeResponse>(
    req: RequestBuilder<'a>,
) -> impl Future<Output = Result<T>> + Send + 'a {
    req.send::<Json<T>>()
}

/// Starts the stream of a `#[paginate]` method returning `Paginator<T>`.
pub fn paginate<T: DeserializeResponse + Send + 'static>(
    req: RequestBuilder<'_>,
    pagination: crate::Pagination,
) -> crate::Paginator<T> {
    req.paginate(pagination)
}
