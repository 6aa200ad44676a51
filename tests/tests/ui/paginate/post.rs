use restrait::{resource, Paginator};
use serde::Deserialize;

#[derive(Deserialize)]
pub struct Issue {
    pub number: u64,
}

#[resource]
pub trait Search {
    #[post("/search")]
    #[paginate(page = "page")]
    fn search(&self, #[query] q: &str) -> Paginator<Issue>;
}

fn main() {}
