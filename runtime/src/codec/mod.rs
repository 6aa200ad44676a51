//! Codecs: how a body is encoded and a response body decoded. [`Json`] is
//! the default; [`Xml`] (feature `xml`, quick-xml) and [`MsgPack`]
//! (feature `msgpack`, rmp-serde) are built in, and any type implementing
//! [`Codec`] can be named instead.
//!
//! In a `#[resource]` trait a codec is chosen per body (`#[body(xml)]`),
//! per response (`#[returns(xml)]`), or for the whole resource
//! (`#[resource(codec = xml)]`); a codec of your own goes by its path
//! (`#[resource(codec = my::Yaml)]`). It sets the body's `Content-Type`
//! and the request's `Accept`.
//!
//! ```
//! use restrait::bytes::Bytes;
//! use restrait::codec::{Codec, CodecError};
//!
//! /// JSON with a vendor media type.
//! pub struct VndJson;
//!
//! impl Codec for VndJson {
//!     const CONTENT_TYPE: &'static str = "application/vnd.api+json";
//!     fn encode<T: ?Sized + serde::Serialize>(value: &T) -> Result<Bytes, CodecError> {
//!         restrait::codec::Json::encode(value)
//!     }
//!     fn decode<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, CodecError> {
//!         restrait::codec::Json::decode(body)
//!     }
//! }
//!
//! let bytes = VndJson::encode(&serde_json::json!({"a": 1})).expect("encodes");
//! assert_eq!(&bytes[..], br#"{"a":1}"#);
//! let err = VndJson::decode::<Vec<u32>>(b"[1, \"x\"]").expect_err("not a number");
//! assert_eq!(err.path(), "[1]");
//! ```

pub(crate) mod decode;
mod error;
mod json;
mod msgpack;
mod xml;

pub use error::{CodecError, decode_tracked};
pub use json::Json;
pub use msgpack::MsgPack;
pub use xml::Xml;

use bytes::Bytes;
use serde::Serialize;
use serde::de::DeserializeOwned;

/// A serialization format for bodies: its media type, and how a value is
/// encoded to bytes and decoded from them. A codec is a type without
/// values (its methods take none), named in attributes.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a restrait codec: it does not implement `restrait::Codec`",
    label = "a codec named in `#[body(..)]`, `#[returns(..)]` or `#[resource(codec = ..)]`",
    note = "the built-in `xml` and `msgpack` codecs need restrait's features of the same name; a codec of your own implements `restrait::Codec`"
)]
pub trait Codec: Send + Sync + 'static {
    /// The `Content-Type` of an encoded body, e.g. `application/xml`.
    const CONTENT_TYPE: &'static str;
    /// The `Accept` header of a request whose response this codec decodes;
    /// by default [`CONTENT_TYPE`](Codec::CONTENT_TYPE).
    const ACCEPT: &'static str = Self::CONTENT_TYPE;
    /// Encodes `value`.
    fn encode<T: ?Sized + Serialize>(value: &T) -> Result<Bytes, CodecError>;
    /// Decodes `body` as `T`; the error names the failing field's path
    /// where the format can tell it (see [`decode_tracked`]).
    fn decode<T: DeserializeOwned>(body: &[u8]) -> Result<T, CodecError>;
}
