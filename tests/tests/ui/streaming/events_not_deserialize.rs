use restrait::{resource, EventStream, Result};

pub struct Chunk {
    pub text: String,
}

#[resource]
pub trait Chat {
    #[post("/chat")]
    #[sse(done = "[DONE]")]
    async fn complete(&self) -> Result<EventStream<Chunk>>;
}

fn main() {}
