use restrait::{resource, Paginator};
use serde::{Deserialize, Serialize};

#[derive(Deserialize)]
pub struct Issue {
    pub number: u64,
}

#[derive(Serialize)]
pub struct Filter {
    pub labels: Vec<String>,
}

#[resource]
pub trait Github {
    #[get("/issues")]
    #[paginate(link)]
    fn issues(&self, #[body] filter: &Filter) -> Paginator<Issue>;
}

fn main() {}
