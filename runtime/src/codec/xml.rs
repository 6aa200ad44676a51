//! XML through quick-xml's serde support (feature `xml`).

/// XML (`application/xml`, quick-xml with serde), for S3-style APIs.
/// Encoding a struct writes it as the root element named after the type
/// (`#[serde(rename = "..")]` renames it). Needs restrait's `xml` feature.
#[derive(Debug, Clone, Copy, Default)]
pub struct Xml;

#[cfg(feature = "xml")]
impl super::Codec for Xml {
    const CONTENT_TYPE: &'static str = "application/xml";
    const ACCEPT: &'static str = "application/xml, text/xml";
    fn encode<T: ?Sized + serde::Serialize>(value: &T) -> Result<bytes::Bytes, super::CodecError> {
        quick_xml::se::to_string(value)
            .map(bytes::Bytes::from)
            .map_err(super::CodecError::from_error)
    }
    fn decode<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, super::CodecError> {
        let text = std::str::from_utf8(body).map_err(super::CodecError::from_error)?;
        let mut de = quick_xml::de::Deserializer::from_str(text);
        super::decode_tracked(&mut de)
    }
}
