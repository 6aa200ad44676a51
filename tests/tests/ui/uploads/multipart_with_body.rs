use restrait::{resource, Result};

#[resource]
pub trait Files {
    #[post("/files")]
    #[multipart]
    async fn upload(&self, #[part] title: &str, #[body] meta: &str) -> Result<()>;
}

fn main() {}
