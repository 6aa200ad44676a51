//! What generated `{Trait}BlockingClient`s call, through
//! `restrait::__private::blocking`. Not public API.

use std::future::Future;

use super::{ByteStream, Client, Iter};
use crate::error::Result;

/// One call that returns a buffered kind.
pub fn call<T>(client: &Client, call: impl Future<Output = Result<T>>) -> Result<T> {
    client.block_on(call)?
}

/// `Result<ByteStream>`: the live body as a `std::io::Read`.
pub fn bytes(
    client: &Client,
    call: impl Future<Output = Result<crate::ByteStream>>,
) -> Result<ByteStream> {
    Ok(client.byte_stream(client.block_on(call)??))
}

/// `Result<JsonLines<T>>`, `Result<EventStream<T>>`: the stream as an
/// iterator. No bounds here: the stream's own are checked (once, at the
/// user's type) by the call that makes it.
pub fn stream<S>(client: &Client, call: impl Future<Output = Result<S>>) -> Result<Iter<S>> {
    Ok(client.wrap(client.block_on(call)??))
}

/// `Paginator<T>`: lazy, nothing is sent before the first `next`.
pub fn paginate<T>(client: &Client, paginator: crate::Paginator<T>) -> Iter<crate::Paginator<T>> {
    client.wrap(paginator)
}
