//! The codec and compression steps of a request, `#[body(xml)]`,
//! `#[body(gzip)]` and `#[returns(xml)]`, with their bounds reported at
//! the user's types (see `bounds.rs`).

use std::future::Future;
use std::pin::Pin;

use super::bounds::{DeserializeResponse, SerializeParam};
use super::builder::RequestBuilder;
use crate::codec::Codec;
use crate::codec::decode::Decoded;
use crate::error::Result;

pub use crate::codec::Json as JsonCodec;
pub use crate::codec::MsgPack as MsgPackCodec;
pub use crate::codec::Xml as XmlCodec;
pub use crate::codec::decode::Decoded as CodecDecoded;

/// `#[body(xml)]` (any codec but JSON): the value encoded with `C`.
pub fn encode<C: Codec, T: ?Sized + SerializeParam>(req: &mut RequestBuilder<'_>, value: &T) {
    req.encode::<C, T>(value);
}

/// A `Result<T>` decoded with the codec `C` (`#[returns(xml)]`, or the
/// resource's `codec = ..`). The future is boxed so that its type does not
/// name `C`: a type that is not a codec is then reported once, at the
/// codec's name, rather than again at the method's return type.
pub fn send_decoded<'a, C: Codec, T: DeserializeResponse + Send + 'a>(
    req: RequestBuilder<'a>,
) -> Pin<Box<dyn Future<Output = Result<T>> + Send + 'a>> {
    Box::pin(req.send::<Decoded<C, T>>())
}
