//! MessagePack through rmp-serde (feature `msgpack`).

/// MessagePack (`application/msgpack`, rmp-serde). Structs are encoded as
/// maps with their field names, as JSON-shaped APIs expect. Needs
/// restrait's `msgpack` feature.
#[derive(Debug, Clone, Copy, Default)]
pub struct MsgPack;

#[cfg(feature = "msgpack")]
impl super::Codec for MsgPack {
    const CONTENT_TYPE: &'static str = "application/msgpack";
    const ACCEPT: &'static str = "application/msgpack, application/x-msgpack";
    fn encode<T: ?Sized + serde::Serialize>(value: &T) -> Result<bytes::Bytes, super::CodecError> {
        rmp_serde::to_vec_named(value)
            .map(bytes::Bytes::from)
            .map_err(super::CodecError::from_error)
    }
    fn decode<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, super::CodecError> {
        let mut de = rmp_serde::Deserializer::new(body);
        super::decode_tracked(&mut de)
    }
}
