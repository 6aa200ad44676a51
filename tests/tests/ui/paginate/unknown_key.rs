use restrait::{resource, Paginator};
use serde::Deserialize;

#[derive(Deserialize)]
pub struct Issue {
    pub number: u64,
}

#[resource]
pub trait Github {
    #[get("/issues")]
    #[paginate(link, item = "data")]
    fn issues(&self) -> Paginator<Issue>;
}

fn main() {}
