//! What generated `{Trait}BlockingClient`s call, through
//! `restrait::__private::blocking`. Not public API.

use std::future::Future;

use futures::Stream;

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
/// iterator.
pub fn stream<S, T>(client: &Client, call: impl Future<Output = Result<S>>) -> Result<Iter<S>>
where
    S: Stream<Item = Result<T>> + Unpin,
{
    Ok(client.iter(client.block_on(call)??))
}

/// `Paginator<T>`: lazy, nothing is sent before the first `next`.
pub fn paginate<T>(client: &Client, paginator: crate::Paginator<T>) -> Iter<crate::Paginator<T>>
where
    T: serde::de::DeserializeOwned + Send + 'static,
{
    client.iter(paginator)
}
