//! Every return type.
#![deny(warnings)]

use restrait::{resource, Response};
use serde::Deserialize;

#[derive(Debug, Deserialize)]
pub struct User {
    pub id: u64,
}

#[resource]
pub trait Returns {
    #[get("/json")]
    async fn json(&self) -> restrait::Result<User>;

    #[get("/list")]
    async fn list(&self) -> restrait::Result<Vec<User>>;

    #[get("/maybe")]
    async fn maybe(&self) -> restrait::Result<Option<User>>;

    #[get("/value")]
    async fn value(&self) -> restrait::Result<serde_json::Value>;

    #[delete("/unit")]
    async fn unit(&self) -> restrait::Result<()>;

    #[get("/text")]
    async fn text(&self) -> restrait::Result<String>;

    #[get("/bytes")]
    async fn bytes(&self) -> restrait::Result<bytes::Bytes>;

    #[get("/response")]
    async fn response(&self) -> restrait::Result<Response<User>>;

    #[get("/response-text")]
    async fn response_text(&self) -> restrait::Result<restrait::Response<String>>;

    #[get("/explicit")]
    async fn explicit(&self) -> Result<(), restrait::Error>;
}

fn main() {}
