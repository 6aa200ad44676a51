use restrait::{resource, Paginator};
use serde::Deserialize;

#[derive(Deserialize)]
pub struct Issue {
    pub number: u64,
}

#[resource]
pub trait Api {
    #[get("/items")]
    #[paginate(cursor = "next_cursor", items = "data")]
    fn items(&self) -> Paginator<Issue>;
}

fn main() {}
