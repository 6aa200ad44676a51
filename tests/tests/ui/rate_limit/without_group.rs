use restrait::{resource, Result};

#[resource]
pub trait Search {
    #[get("/search")]
    #[rate_limit]
    async fn search(&self, #[query] q: &str) -> Result<()>;
}

fn main() {}
