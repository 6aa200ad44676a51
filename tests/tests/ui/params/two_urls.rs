use restrait::{resource, Result};

#[resource]
pub trait Comments {
    #[get("/comments")]
    async fn next(&self, #[url] first: &str, #[url] second: &str) -> Result<()>;
}

fn main() {}
