use restrait::{resource, Paginator};
use serde::Deserialize;

#[derive(Deserialize)]
pub struct Issue {
    pub number: u64,
}

#[resource]
pub trait Github {
    #[get("/issues")]
    #[paginate(link, cursor = "next_cursor", param = "cursor")]
    fn issues(&self) -> Paginator<Issue>;
}

fn main() {}
