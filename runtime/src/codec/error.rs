//! What a codec reports when it cannot encode or decode.

use std::fmt;

/// A value could not be encoded, or a body decoded. Decoding errors name
/// the path of the failing field (`items[2].email`, `.` for the root) when
/// the format tells it; a failed response body becomes an
/// [`Error::Decode`](crate::Error::Decode) with this path, the message and
/// an excerpt of the body.
pub struct CodecError {
    path: String,
    message: String,
    source: Option<Box<dyn std::error::Error + Send + Sync>>,
}

impl CodecError {
    /// An error at the root of the value.
    pub fn new(message: impl Into<String>) -> Self {
        CodecError {
            path: ".".to_owned(),
            message: message.into(),
            source: None,
        }
    }
    /// The error of a format library, at the root; its `Display` is the message.
    pub fn from_error(error: impl std::error::Error + Send + Sync + 'static) -> Self {
        CodecError {
            path: ".".to_owned(),
            message: error.to_string(),
            source: Some(Box::new(error)),
        }
    }
    /// Names the path of the failing field.
    #[must_use]
    pub fn at(mut self, path: impl Into<String>) -> Self {
        let path = path.into();
        self.path = if path.is_empty() {
            ".".to_owned()
        } else {
            path
        };
        self
    }
    /// The path of the failing field, `.` for the root.
    pub fn path(&self) -> &str {
        &self.path
    }
    /// What went wrong.
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for CodecError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "at `{}`: {}", self.path, self.message)
    }
}

impl fmt::Debug for CodecError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CodecError")
            .field("path", &self.path)
            .field("message", &self.message)
            .finish()
    }
}

impl std::error::Error for CodecError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source
            .as_deref()
            .map(|e| e as &(dyn std::error::Error + 'static))
    }
}

/// Deserializes `T` from any serde `Deserializer`, naming the path of the
/// field that failed: what a [`Codec`](super::Codec) of your own calls in
/// its `decode` to report errors as the built-in ones do.
///
/// ```
/// let mut de = serde_json::Deserializer::from_str(r#"{"user": {"id": "x"}}"#);
/// #[derive(serde::Deserialize, Debug)]
/// struct User { id: u64 }
/// #[derive(serde::Deserialize, Debug)]
/// struct Body { user: User }
/// let err = restrait::codec::decode_tracked::<_, Body>(&mut de).expect_err("a string id");
/// assert_eq!(err.path(), "user.id");
/// ```
pub fn decode_tracked<'de, D, T>(deserializer: D) -> Result<T, CodecError>
where
    D: serde::Deserializer<'de>,
    D::Error: Send + Sync + 'static,
    T: serde::Deserialize<'de>,
{
    serde_path_to_error::deserialize(deserializer).map_err(|e| {
        let path = e.path().to_string();
        CodecError::from_error(e.into_inner()).at(path)
    })
}
