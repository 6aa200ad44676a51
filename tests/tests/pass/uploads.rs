//! `#[multipart]` with every kind of `#[part]`, `#[body] restrait::Body`, and
//! a user's own `&Body` struct, which stays a JSON body.
#![deny(warnings)]

use restrait::multipart::Part;
use restrait::{Client, Result, resource};

/// A user's own request type that happens to be named `Body`.
#[derive(serde::Serialize)]
pub struct Body {
    /// The text.
    pub text: String,
}

/// Metadata sent as a JSON part.
#[derive(serde::Serialize)]
pub struct Meta {
    /// Tags.
    pub tags: Vec<String>,
}

/// Files.
#[resource]
pub trait Files {
    /// Uploads a file with its metadata.
    #[post("/files")]
    #[multipart]
    async fn upload(
        &self,
        #[part] title: &str,
        #[part("raw")] raw: bytes::Bytes,
        #[part("bytes")] bytes: Vec<u8>,
        #[part("file")] file: Part,
        #[part("note")] note: Option<String>,
        #[part("meta", json)] meta: &Meta,
        #[part("extra", json)] extra: Option<Meta>,
    ) -> Result<()>;

    /// Replaces a blob.
    #[put("/blobs/<name>")]
    async fn put(&self, name: &str, #[body] blob: restrait::Body) -> Result<()>;

    /// A JSON body whose type is named `Body`.
    #[post("/notes")]
    async fn note(&self, #[body] note: &Body) -> Result<()>;
}

fn main() {
    let files = FilesClient::new(Client::builder("http://127.0.0.1:1").build().expect("client"));
    let meta = Meta { tags: Vec::new() };
    let _upload = files.upload(
        "t",
        bytes::Bytes::new(),
        Vec::new(),
        Part::text("x"),
        None,
        &meta,
        None,
    );
    let _put = files.put("b", restrait::Body::from("data"));
    let note = Body {
        text: String::new(),
    };
    let _note = files.note(&note);
}
