use restrait::{resource, Result};

#[resource]
pub trait Search {
    #[get("/search")]
    #[rate_limit("search")]
    #[rate_limit("core")]
    async fn search(&self, #[query] q: &str) -> Result<()>;
}

fn main() {}
