//! JSON, the default codec.

use bytes::Bytes;
use serde::Serialize;
use serde::de::DeserializeOwned;

use super::{Codec, CodecError, decode_tracked};

/// JSON (`application/json`, serde_json): what `#[body]` and `Result<T>`
/// use unless told otherwise.
#[derive(Debug, Clone, Copy, Default)]
pub struct Json;

impl Codec for Json {
    const CONTENT_TYPE: &'static str = "application/json";
    fn encode<T: ?Sized + Serialize>(value: &T) -> Result<Bytes, CodecError> {
        serde_json::to_vec(value)
            .map(Bytes::from)
            .map_err(CodecError::from_error)
    }
    fn decode<T: DeserializeOwned>(body: &[u8]) -> Result<T, CodecError> {
        // The fast path allocates nothing for paths; on failure decode
        // again with the path tracked.
        if let Ok(value) = serde_json::from_slice(body) {
            return Ok(value);
        }
        let mut de = serde_json::Deserializer::from_slice(body);
        let value = decode_tracked(&mut de)?;
        de.end().map_err(CodecError::from_error)?;
        Ok(value)
    }
}
