//! The cassette file: versioned, pretty JSON with keys in a stable order,
//! one entry per exchange, bodies as JSON, text or base64.

use std::collections::BTreeMap;
use std::path::Path;

use base64::Engine as _;
use bytes::Bytes;
use serde::{Deserialize, Serialize};

use super::CassetteError;

/// The version of the file format this crate writes and reads.
pub const FORMAT_VERSION: u32 = 1;

/// A whole cassette file.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
pub(super) struct File {
    pub(super) version: u32,
    pub(super) interactions: Vec<Interaction>,
}

/// One exchange: what was sent and what came back.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub(super) struct Interaction {
    pub(super) request: RecordedRequest,
    pub(super) response: RecordedResponse,
}

/// A request as a cassette holds it, secrets scrubbed. Custom match rules
/// ([`Cassette::match_with`](super::Cassette::match_with)) compare two of these:
/// the recorded one and the one being sent, scrubbed the same way.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[non_exhaustive]
pub struct RecordedRequest {
    /// The method, e.g. `GET`.
    pub method: String,
    /// The whole URL, query included.
    pub url: String,
    /// The path template the call was declared with (e.g. `/users/<id>`),
    /// or the path for a request built by hand.
    pub template: String,
    /// The declared endpoint (`Trait::method`), if the request came from a
    /// `#[resource]` method.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub operation: Option<String>,
    /// The headers, by lowercase name.
    #[serde(default)]
    pub headers: Headers,
    /// The body, if not empty.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<RecordedBody>,
}

impl RecordedRequest {
    /// The path of [`url`](Self::url), without scheme, host or query.
    pub fn path(&self) -> &str {
        let rest = self.url.split_once("://").map_or(&*self.url, |(_, r)| r);
        let rest = rest.split(['?', '#']).next().unwrap_or("");
        rest.find('/').map_or("/", |i| &rest[i..])
    }

    /// The query pairs of [`url`](Self::url), decoded and sorted (so their
    /// order does not matter when two are compared).
    pub fn query(&self) -> Vec<(String, String)> {
        let query = self
            .url
            .split_once('?')
            .map_or("", |(_, q)| q.split('#').next().unwrap_or(""));
        let mut pairs: Vec<(String, String)> = form_urlencoded::parse(query.as_bytes())
            .into_owned()
            .collect();
        pairs.sort();
        pairs
    }

    /// `GET /path?query`, for messages.
    pub(super) fn line(&self) -> String {
        let query = self
            .url
            .split_once('?')
            .map_or(String::new(), |(_, q)| format!("?{q}"));
        format!("{} {}{query}", self.method, self.path())
    }
}

/// A response as a cassette holds it.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub(super) struct RecordedResponse {
    pub(super) status: u16,
    #[serde(default)]
    pub(super) headers: Headers,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) body: Option<RecordedBody>,
    /// The body failed after what is recorded (the connection broke); a
    /// replay fails the same way at the same place.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) error: Option<String>,
}

/// Header values by lowercase name, in name order; several values of one
/// name are a list.
pub type Headers = BTreeMap<String, HeaderValues>;

/// The value or values of one header.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(untagged)]
pub enum HeaderValues {
    /// One value.
    One(String),
    /// Several values, in the order sent.
    Many(Vec<String>),
}

impl HeaderValues {
    /// The values, in order.
    pub fn values(&self) -> &[String] {
        match self {
            HeaderValues::One(v) => std::slice::from_ref(v),
            HeaderValues::Many(v) => v,
        }
    }

    pub(super) fn push(&mut self, value: String) {
        match self {
            HeaderValues::One(first) => {
                *self = HeaderValues::Many(vec![std::mem::take(first), value]);
            }
            HeaderValues::Many(values) => values.push(value),
        }
    }
}

/// A body as a cassette holds it: a JSON document embedded as JSON (so that
/// a diff of the file reads well), other UTF-8 as text, anything else as
/// base64.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "lowercase")]
pub enum RecordedBody {
    /// A JSON object or array, under the key `json`. It is replayed
    /// compact: the same JSON value, though spacing and key order may
    /// differ from what the server sent. (Not named `Json`, so that
    /// compiler messages can keep calling the codec [`Json`](crate::codec::Json)
    /// by its short name.)
    #[serde(rename = "json")]
    JsonValue(serde_json::Value),
    /// UTF-8 text.
    Text(String),
    /// Bytes that are not UTF-8, in standard base64.
    Base64(String),
}

impl RecordedBody {
    /// How `bytes` are kept: `None` for an empty body.
    pub(super) fn from_bytes(bytes: &[u8]) -> Option<RecordedBody> {
        if bytes.is_empty() {
            return None;
        }
        let Ok(text) = std::str::from_utf8(bytes) else {
            return Some(RecordedBody::Base64(
                base64::engine::general_purpose::STANDARD.encode(bytes),
            ));
        };
        let trimmed = text.trim_start();
        if (trimmed.starts_with('{') || trimmed.starts_with('['))
            && let Ok(value) = serde_json::from_str::<serde_json::Value>(text)
        {
            return Some(RecordedBody::JsonValue(value));
        }
        Some(RecordedBody::Text(text.to_owned()))
    }

    /// The bytes to replay. Invalid base64 is an error naming the exchange.
    pub(super) fn to_bytes(&self) -> Result<Bytes, String> {
        match self {
            RecordedBody::JsonValue(value) => serde_json::to_vec(value)
                .map(Bytes::from)
                .map_err(|e| e.to_string()),
            RecordedBody::Text(text) => Ok(Bytes::from(text.clone())),
            RecordedBody::Base64(data) => base64::engine::general_purpose::STANDARD
                .decode(data)
                .map(Bytes::from)
                .map_err(|e| format!("invalid base64 body: {e}")),
        }
    }
}

/// Reads and checks a cassette file.
pub(super) fn read(path: &Path) -> Result<File, CassetteError> {
    let text = std::fs::read_to_string(path).map_err(|source| CassetteError::Io {
        path: path.to_owned(),
        source,
    })?;
    parse(path, &text)
}

/// Parses a cassette: the version first, so that a file from a newer
/// restrait says so instead of failing on a field it does not know.
pub(super) fn parse(path: &Path, text: &str) -> Result<File, CassetteError> {
    #[derive(Deserialize)]
    struct Version {
        version: u32,
    }
    let corrupt = |e: serde_json::Error| CassetteError::Corrupt {
        path: path.to_owned(),
        message: e.to_string(),
    };
    let version = serde_json::from_str::<Version>(text)
        .map_err(corrupt)?
        .version;
    if version != FORMAT_VERSION {
        return Err(CassetteError::Version {
            path: path.to_owned(),
            found: version,
            supported: FORMAT_VERSION,
        });
    }
    serde_json::from_str(text).map_err(corrupt)
}

/// Writes `file` to `path`, pretty, through a temporary file and a rename,
/// so a reader never sees half a cassette.
pub(super) fn write(path: &Path, file: &File) -> Result<(), CassetteError> {
    let io = |source| CassetteError::Io {
        path: path.to_owned(),
        source,
    };
    let mut text = serde_json::to_string_pretty(file).map_err(|e| CassetteError::Corrupt {
        path: path.to_owned(),
        message: e.to_string(),
    })?;
    text.push('\n');
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(io)?;
    }
    let mut temp = path.as_os_str().to_owned();
    temp.push(".tmp");
    std::fs::write(&temp, text).map_err(io)?;
    std::fs::rename(&temp, path).map_err(io)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bodies_are_json_text_or_base64() {
        assert_eq!(RecordedBody::from_bytes(b""), None);
        assert_eq!(
            RecordedBody::from_bytes(br#"{"b":1,"a":[true]}"#),
            Some(RecordedBody::JsonValue(
                serde_json::json!({"a": [true], "b": 1})
            ))
        );
        assert_eq!(
            RecordedBody::from_bytes(b"{not json"),
            Some(RecordedBody::Text("{not json".into()))
        );
        assert_eq!(
            RecordedBody::from_bytes(b"42"),
            Some(RecordedBody::Text("42".into())),
            "only objects and arrays are embedded"
        );
        let binary = RecordedBody::from_bytes(b"\xff\x00\x01").expect("a body");
        assert_eq!(binary, RecordedBody::Base64("/wAB".into()));
        assert_eq!(binary.to_bytes().as_deref(), Ok(&b"\xff\x00\x01"[..]));
        assert!(RecordedBody::Base64("!!".into()).to_bytes().is_err());
    }

    #[test]
    fn a_file_round_trips_pretty_with_sorted_keys() {
        let mut headers = Headers::new();
        headers.insert("x-b".into(), HeaderValues::One("1".into()));
        headers
            .entry("x-a".into())
            .or_insert(HeaderValues::One("1".into()))
            .push("2".into());
        let file = File {
            version: FORMAT_VERSION,
            interactions: vec![Interaction {
                request: RecordedRequest {
                    method: "GET".into(),
                    url: "http://h/p?b=2&a=1".into(),
                    template: "/p".into(),
                    operation: None,
                    headers: headers.clone(),
                    body: None,
                },
                response: RecordedResponse {
                    status: 200,
                    headers,
                    body: RecordedBody::from_bytes(b"hi"),
                    error: None,
                },
            }],
        };
        let text = serde_json::to_string_pretty(&file).expect("json");
        assert!(text.find("\"x-a\"") < text.find("\"x-b\""), "{text}");
        assert!(text.contains("\"x-a\": [\n"), "{text}");
        assert_eq!(parse(Path::new("c.json"), &text).expect("parses"), file);
        let request = &file.interactions[0].request;
        assert_eq!(request.path(), "/p");
        assert_eq!(
            request.query(),
            [("a".into(), "1".into()), ("b".into(), "2".into())]
        );
    }

    #[test]
    fn corrupt_and_future_files_are_typed_errors() {
        let path = Path::new("c.json");
        assert!(matches!(
            parse(path, "{"),
            Err(CassetteError::Corrupt { .. })
        ));
        assert!(matches!(
            parse(path, r#"{"version": 1, "interactions": 3}"#),
            Err(CassetteError::Corrupt { .. })
        ));
        assert!(matches!(
            parse(path, r#"{"version": 99, "future": true}"#),
            Err(CassetteError::Version {
                found: 99,
                supported: 1,
                ..
            })
        ));
    }
}
