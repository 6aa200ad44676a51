use restrait::{resource, Result};

#[resource]
pub trait Search {
    #[get("/search")]
    #[rate_limit(search)]
    async fn search(&self, #[query] q: &str) -> Result<()>;

    #[get("/issues")]
    #[rate_limit("issues", "search")]
    async fn issues(&self) -> Result<()>;
}

fn main() {}
