use restrait::{resource, Result};
use serde::Deserialize;

#[derive(Deserialize)]
pub struct Issue {
    pub number: u64,
}

#[resource]
pub trait Github {
    #[get("/issues")]
    #[paginate(link)]
    fn issues(&self) -> Result<Vec<Issue>>;
}

fn main() {}
