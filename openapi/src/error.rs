//! The one error type: every problem with the spec names where it is, as a
//! JSON pointer into the document (`/paths/~1pets/get/responses/200`).

/// Why a spec could not be turned into Rust.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The text is neither JSON nor YAML.
    #[error("the spec is neither valid JSON nor valid YAML: {message}")]
    Syntax {
        /// What the parser said, with its line and column.
        message: String,
    },
    /// The document is not OpenAPI 3.0 or 3.1.
    #[error("unsupported OpenAPI version {version:?} at /openapi: expected 3.0.x or 3.1.x")]
    Version {
        /// The `openapi` field as found (empty when it is missing).
        version: String,
    },
    /// A node of the spec is malformed or points nowhere.
    #[error("invalid spec at {pointer}: {message}")]
    Invalid {
        /// The JSON pointer of the bad node.
        pointer: String,
        /// What is wrong with it.
        message: String,
    },
    /// `--tag` names a tag that no operation has.
    #[error("no operation has tag {tag:?}; the spec's tags are: {known}")]
    UnknownTag {
        /// The tag asked for.
        tag: String,
        /// The tags the spec's operations have, sorted.
        known: String,
    },
    /// The generator built code that does not parse: a bug in restrait-openapi.
    #[error(
        "internal error: the generated code does not parse as Rust ({message}); please report it with the spec"
    )]
    Emit {
        /// What syn said.
        message: String,
    },
}

impl Error {
    /// The JSON pointer of the node the error is about, when there is one.
    pub fn pointer(&self) -> Option<&str> {
        match self {
            Error::Invalid { pointer, .. } => Some(pointer),
            Error::Version { .. } => Some("/openapi"),
            _ => None,
        }
    }

    pub(crate) fn invalid(pointer: &str, message: impl Into<String>) -> Self {
        Error::Invalid {
            pointer: pointer.to_owned(),
            message: message.into(),
        }
    }
}

/// Appends one reference token to a JSON pointer, escaped per RFC 6901.
pub(crate) fn child(pointer: &str, token: &str) -> String {
    format!("{pointer}/{}", token.replace('~', "~0").replace('/', "~1"))
}
