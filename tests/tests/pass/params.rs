//! Every kind of parameter.
#![deny(warnings)]

use bytes::Bytes;
use restrait::{resource, Result};
use serde::Serialize;

#[derive(Serialize)]
pub struct Filter {
    pub status: &'static str,
    pub team: Option<u32>,
}

#[derive(Serialize)]
pub struct NewUser<'a> {
    pub email: &'a str,
    pub name: &'a str,
}

#[derive(Serialize)]
pub struct Login {
    pub user: String,
    pub password: String,
}

#[resource]
pub trait Params {
    #[get("/users")]
    async fn query(
        &self,
        #[query] page: u32,
        #[query("per-page")] per_page: Option<u32>,
        #[query] tags: Vec<&str>,
        #[query] filter: Filter,
        #[query] r#type: &str,
    ) -> Result<()>;

    #[get("/users")]
    async fn headers(
        &self,
        #[header("X-Request-Id")] request_id: &str,
        #[header("X-Trace")] trace: Option<u64>,
        #[header] if_match: Option<String>,
    ) -> Result<()>;

    #[post("/users")]
    async fn json(&self, #[body] user: &NewUser<'_>) -> Result<()>;

    #[post("/users/<id>")]
    async fn json_owned<'a>(&self, id: &'a str, #[body] user: NewUser<'a>) -> Result<()>;

    #[post("/login")]
    async fn form(&self, #[form] login: &Login) -> Result<()>;

    #[put("/blob")]
    async fn raw(&self, data: Bytes) -> Result<()>;

    #[put("/blob")]
    async fn raw_attr(&self, #[body] data: Bytes) -> Result<()>;

    #[put("/blob")]
    async fn raw_ref(&self, data: &Bytes) -> Result<()>;

    #[put("/blob/<name>")]
    async fn everything(
        &self,
        name: &str,
        #[query] version: Option<u32>,
        #[header("If-Match")] etag: &str,
        data: restrait::bytes::Bytes,
    ) -> Result<()>;

    #[get("/generic/<id>")]
    async fn generic<T: std::fmt::Display + Send + Sync>(&self, id: T) -> Result<()>;
}

fn main() {}
