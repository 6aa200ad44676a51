//! Bound checks that `#[resource]` places on the user's own types.
//!
//! The generated code calls, for example,
//! `::restrait::__private::assert_serialize::<NewUser<'_>>();` with the span of
//! the parameter's type, so that a missing `Serialize`, `DeserializeOwned` or
//! `Display` is reported at the type the user wrote, in words about the
//! endpoint, rather than inside generated code. Each check is an empty
//! generic function: it costs nothing at run time.

use core::fmt::Display;
use serde::Serialize;
use serde::de::DeserializeOwned;

/// A `#[query]`, `#[body]` or `#[form]` parameter type.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be sent in a request: it does not implement `serde::Serialize`",
    label = "a `#[query]`, `#[body]` or `#[form]` parameter must implement `serde::Serialize`",
    note = "add `#[derive(serde::Serialize)]` to the type, or send a type that implements it"
)]
pub trait SerializeParam {}

impl<T: ?Sized + Serialize> SerializeParam for T {}

/// The `T` of a `Result<T>` decoded from JSON.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be decoded from a JSON response: it does not implement `serde::de::DeserializeOwned`",
    label = "an endpoint's `Result<T>` or `Paginator<T>` needs `T: serde::de::DeserializeOwned`",
    note = "add `#[derive(serde::Deserialize)]` to the type (without borrowed fields), or return `String`, `Bytes` or `()`"
)]
pub trait DeserializeResponse {}

impl<T: DeserializeOwned> DeserializeResponse for T {}

/// A path placeholder or `#[header]` parameter type.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot fill a path placeholder or header: it does not implement `std::fmt::Display`",
    label = "a path or `#[header]` parameter must implement `std::fmt::Display`",
    note = "implement `Display` for the type, or pass a `&str`, a number or another type that implements it"
)]
pub trait DisplayParam {}

impl<T: ?Sized + Display> DisplayParam for T {}

/// Checks a `#[query]`, `#[body]` or `#[form]` parameter type.
pub fn assert_serialize<T: ?Sized + SerializeParam>() {}

/// Checks the `T` of a `Result<T>` decoded from JSON.
pub fn assert_deserialize<T: DeserializeResponse>() {}

/// Checks a path placeholder or `#[header]` parameter type.
pub fn assert_display<T: ?Sized + DisplayParam>() {}
