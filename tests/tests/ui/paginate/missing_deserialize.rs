use restrait::{resource, Paginator};

pub struct Issue {
    pub number: u64,
}

#[resource]
pub trait Github {
    #[get("/repos/<owner>/issues")]
    #[paginate(link)]
    fn issues(&self, owner: &str) -> Paginator<Issue>;
}

fn main() {}
