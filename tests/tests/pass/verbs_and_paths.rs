//! Every verb, `<name>`, `{name}` and `<name..>` templates, a prefix, a renamed
//! client, trait-level and method-level headers, path-qualified attributes.
#![deny(warnings)]

use restrait::{Client, Result};

/// Files of a storage API.
#[restrait::resource(prefix = "/v2", client = "Storage")]
#[headers("Accept: application/json", "X-Api-Version: 2")]
pub trait Files {
    /// Reads one file.
    #[get("/buckets/<bucket>/files/<path..>")]
    async fn read(&self, bucket: &str, path: &str) -> Result<String>;

    /// Replaces one file.
    #[put("/buckets/{bucket}/files/{path..}")]
    async fn replace(&self, bucket: &str, path: String, data: bytes::Bytes) -> Result<()>;

    /// Creates a bucket.
    #[post("/buckets")]
    #[headers("Content-Type: application/json")]
    async fn create(&self, #[body] name: &str) -> Result<()>;

    /// Renames a bucket.
    #[patch("/buckets/<bucket>")]
    async fn rename(&self, bucket: u32, #[body] name: &str) -> Result<()>;

    /// Deletes a bucket.
    #[restrait::delete("/buckets/<bucket>")]
    async fn delete(&self, bucket: u32) -> Result<()>;

    /// Checks a bucket.
    #[head("/buckets/<bucket>")]
    async fn exists(&self, bucket: u32) -> Result<()>;

    /// What the server allows.
    #[options("")]
    async fn allowed(&self) -> Result<()>;

    /// A segment with literal text around it.
    #[get("/reports/<year>.json")]
    async fn report(&self, year: i32) -> Result<String>;

    /// A raw identifier as a placeholder.
    #[get("/types/<type>")]
    async fn by_type(&self, r#type: &str) -> Result<String>;
}

fn main() {
    let client = Client::builder("http://127.0.0.1:1").build().expect("client");
    let storage: Storage = Storage::new(client);
    let _copy = storage.clone();
    let _debug = format!("{storage:?}");
    let _client: &Client = storage.client();
    let _with = storage.with_options(restrait::CallOptions::new());
    let _future = storage.read("b", "a/b.txt");
}
