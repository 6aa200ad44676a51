//! Codecs (issue 20, item 2): XML and MessagePack bodies and responses,
//! per body (`#[body(xml)]`), per response (`#[returns(msgpack)]`), per
//! resource (`#[resource(codec = xml)]`), and a third-party `Codec` by path.

mod support;

use restrait::bytes::Bytes;
use restrait::codec::{Codec, CodecError};
use restrait::{Error, Response, Result, resource};
use restrait_tests::client_builder;
use serde::{Deserialize, Serialize};
use support::{Recorded, Reply, TestServer};

/// An S3-style bucket listing.
#[derive(Debug, Deserialize, Serialize, PartialEq)]
#[serde(rename = "ListBucketResult")]
pub struct ListBucketResult {
    /// The bucket.
    #[serde(rename = "Name")]
    pub name: String,
    /// Its objects.
    #[serde(rename = "Contents", default)]
    pub contents: Vec<Object>,
}

/// One object.
#[derive(Debug, Deserialize, Serialize, PartialEq)]
pub struct Object {
    /// Its key.
    #[serde(rename = "Key")]
    pub key: String,
    /// Its size.
    #[serde(rename = "Size")]
    pub size: u64,
}

/// An S3 `Delete` request.
#[derive(Debug, Deserialize, Serialize, PartialEq)]
#[serde(rename = "Delete")]
pub struct Delete {
    /// Keys to delete.
    #[serde(rename = "Object")]
    pub objects: Vec<Key>,
}

/// A key.
#[derive(Debug, Deserialize, Serialize, PartialEq)]
pub struct Key {
    /// The key.
    #[serde(rename = "Key")]
    pub key: String,
}

/// S3-compatible storage: XML both ways.
#[resource(codec = xml)]
pub trait Storage {
    /// `ListObjectsV2`.
    #[get("/<bucket>")]
    async fn list(
        &self,
        bucket: &str,
        #[query("list-type")] list_type: u8,
    ) -> Result<ListBucketResult>;

    /// `DeleteObjects`, with the response head.
    #[post("/<bucket>")]
    async fn delete(&self, bucket: &str, #[body] delete: &Delete) -> Result<Response<Delete>>;

    /// A JSON body on an XML resource, and a gzip-compressed one.
    #[put("/<bucket>/meta")]
    async fn meta(&self, bucket: &str, #[body(json, gzip)] meta: &serde_json::Value) -> Result<()>;
}

/// A point in a MessagePack API.
#[derive(Debug, Deserialize, Serialize, PartialEq, Clone)]
pub struct Point {
    /// X.
    pub x: i64,
    /// Y.
    pub y: i64,
    /// A label.
    pub label: String,
}

/// A JSON resource with one MessagePack method.
#[resource]
pub trait Points {
    /// Sends and gets MessagePack.
    #[post("/points")]
    #[returns(msgpack)]
    async fn create(&self, #[body(msgpack)] point: &Point) -> Result<Point>;

    /// Plain JSON.
    #[get("/points/<id>")]
    async fn get(&self, id: u64) -> Result<Point>;

    /// A MessagePack answer to decode as `Vec<Point>` (to see a bad field).
    #[get("/points")]
    #[returns(msgpack)]
    async fn list(&self) -> Result<Vec<Point>>;
}

fn msgpack(value: &impl Serialize) -> Vec<u8> {
    rmp_serde::to_vec_named(value).expect("msgpack")
}

#[tokio::test]
async fn an_xml_resource_sends_and_reads_xml() {
    let server = TestServer::start(|r: Recorded| async move {
        match (r.method.as_str(), r.path()) {
            ("GET", "/photos") => Reply::status(200)
                .header("content-type", "application/xml")
                .body(concat!(
                    r#"<?xml version="1.0" encoding="UTF-8"?>"#,
                    "<ListBucketResult><Name>photos</Name>",
                    "<Contents><Key>a.jpg</Key><Size>10</Size></Contents>",
                    "<Contents><Key>b.jpg</Key><Size>20</Size></Contents>",
                    "</ListBucketResult>"
                )),
            ("POST", "/photos") => Reply::status(200)
                .header("content-type", "application/xml")
                .body(r.body.clone()),
            ("GET", "/broken") => Reply::status(200)
                .header("content-type", "application/xml")
                .body("<ListBucketResult><Name>x</Name><Contents><Key>k</Key><Size>big</Size></Contents></ListBucketResult>"),
            _ => Reply::status(204),
        }
    })
    .await;
    let storage = StorageClient::new(client_builder(server.url()).build().expect("client"));

    let listing = storage.list("photos", 2).await.expect("list");
    assert_eq!(listing.name, "photos");
    assert_eq!(listing.contents.len(), 2);
    assert_eq!(listing.contents[1].size, 20);
    let seen = server.last();
    assert_eq!(seen.request_line(), "GET /photos?list-type=2 HTTP/1.1");
    assert_eq!(seen.header("accept"), Some("application/xml, text/xml"));

    let delete = Delete {
        objects: vec![Key {
            key: "a.jpg".into(),
        }],
    };
    let echoed = storage.delete("photos", &delete).await.expect("delete");
    assert_eq!(echoed.value(), &delete);
    let seen = server.last();
    assert_eq!(seen.header("content-type"), Some("application/xml"));
    assert_eq!(
        seen.text(),
        "<Delete><Object><Key>a.jpg</Key></Object></Delete>"
    );

    storage
        .meta("photos", &serde_json::json!({"owner": "ada"}))
        .await
        .expect("meta");
    let seen = server.last();
    assert_eq!(seen.header("content-type"), Some("application/json"));
    assert_eq!(seen.header("content-encoding"), Some("gzip"));

    let e = storage
        .list("broken", 2)
        .await
        .expect_err("a size that is not a number");
    let Error::Decode(d) = &e else {
        panic!("expected a decode error, got {e:?}");
    };
    assert_eq!(d.path(), "Contents[0].Size");
    assert!(
        d.excerpt().starts_with("<ListBucketResult>"),
        "{}",
        d.excerpt()
    );
}

#[tokio::test]
async fn msgpack_per_method_on_a_json_resource() {
    let server = TestServer::start(|r: Recorded| async move {
        match (r.method.as_str(), r.path()) {
            ("POST", _) => {
                let mut point: Point = rmp_serde::from_slice(&r.body).expect("msgpack body");
                point.label.push_str(" (saved)");
                Reply::status(201)
                    .header("content-type", "application/msgpack")
                    .body(msgpack(&point))
            }
            ("GET", "/points") => Reply::status(200)
                .header("content-type", "application/msgpack")
                .body(msgpack(&serde_json::json!([
                    {"x": 1, "y": 2, "label": "a"},
                    {"x": "one", "y": 2, "label": "b"}
                ]))),
            _ => Reply::json(200, &serde_json::json!({"x": 3, "y": 4, "label": "json"})),
        }
    })
    .await;
    let points = PointsClient::new(client_builder(server.url()).build().expect("client"));
    let point = Point {
        x: -5,
        y: 7,
        label: "origin".into(),
    };
    let saved = points.create(&point).await.expect("create");
    assert_eq!(saved.label, "origin (saved)");
    assert_eq!((saved.x, saved.y), (-5, 7));
    let seen = server.last();
    assert_eq!(seen.header("content-type"), Some("application/msgpack"));
    assert_eq!(
        seen.header("accept"),
        Some("application/msgpack, application/x-msgpack")
    );

    assert_eq!(points.get(1).await.expect("json").label, "json");
    assert_eq!(server.last().header("accept"), Some("application/json"));

    let e = points.list().await.expect_err("a bad x");
    let Error::Decode(d) = &e else {
        panic!("expected a decode error, got {e:?}");
    };
    assert_eq!(d.path(), "[1].x");
}

/// A third-party codec: comma-separated values of one `u32` each line
/// (deliberately tiny), JSON underneath for anything else.
pub struct Lines;

impl Codec for Lines {
    const CONTENT_TYPE: &'static str = "text/x-numbers";
    fn encode<T: ?Sized + Serialize>(value: &T) -> std::result::Result<Bytes, CodecError> {
        let numbers: Vec<u32> = serde_json::to_value(value)
            .and_then(serde_json::from_value)
            .map_err(CodecError::from_error)?;
        let text: Vec<String> = numbers.iter().map(u32::to_string).collect();
        Ok(Bytes::from(text.join("\n")))
    }
    fn decode<T: serde::de::DeserializeOwned>(body: &[u8]) -> std::result::Result<T, CodecError> {
        let text = std::str::from_utf8(body).map_err(CodecError::from_error)?;
        let mut numbers = Vec::new();
        for (i, line) in text.lines().enumerate() {
            let n: u32 = line
                .trim()
                .parse()
                .map_err(|e| CodecError::from_error(e).at(format!("[{i}]")))?;
            numbers.push(n);
        }
        serde_json::from_value(serde_json::json!(numbers)).map_err(CodecError::from_error)
    }
}

/// A resource in the third-party format.
#[resource(codec = crate::Lines)]
pub trait Numbers {
    /// Doubles each number.
    #[post("/double")]
    async fn double(&self, #[body] numbers: &[u32]) -> Result<Vec<u32>>;
}

#[tokio::test]
async fn a_third_party_codec_by_path() {
    let server = TestServer::start(|r: Recorded| async move {
        let text = r.text();
        let doubled: Vec<String> = text
            .lines()
            .map(|l| {
                l.parse::<u32>()
                    .map_or_else(|_| l.to_owned(), |n| (n * 2).to_string())
            })
            .collect();
        Reply::status(200)
            .header("content-type", "text/x-numbers")
            .body(doubled.join("\n"))
    })
    .await;
    let numbers = NumbersClient::new(client_builder(server.url()).build().expect("client"));
    assert_eq!(
        numbers.double(&[1, 2, 21]).await.expect("doubled"),
        [2, 4, 42]
    );
    let seen = server.last();
    assert_eq!(seen.text(), "1\n2\n21");
    assert_eq!(seen.header("content-type"), Some("text/x-numbers"));
    assert_eq!(seen.header("accept"), Some("text/x-numbers"));
}
