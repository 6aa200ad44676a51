use restrait::{resource, Result};

#[derive(serde::Serialize)]
pub struct Body {
    pub text: String,
}

#[resource]
pub trait Notes {
    #[post("/notes")]
    async fn create(&self, #[body] note: Body) -> Result<()>;
}

fn main() {}
