use restrait::{resource, Result};

#[resource]
pub trait Search {
    #[get("/search")]
    #[ratelimit("search")]
    async fn search(&self, #[query] q: &str) -> Result<()>;
}

fn main() {}
