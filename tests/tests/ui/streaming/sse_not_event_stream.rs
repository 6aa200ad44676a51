use restrait::{resource, Result};

#[resource]
pub trait Chat {
    #[post("/chat")]
    #[sse(done = "[DONE]")]
    async fn complete(&self) -> Result<String>;
}

fn main() {}
