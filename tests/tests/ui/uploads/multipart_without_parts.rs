use restrait::{resource, Result};

#[resource]
pub trait Files {
    #[post("/files")]
    #[multipart]
    async fn upload(&self) -> Result<()>;
}

fn main() {}
