use restrait::{resource, Result};

#[resource]
pub trait Files {
    #[get("/files")]
    #[multipart]
    async fn upload(&self, #[part] title: &str) -> Result<()>;
}

fn main() {}
