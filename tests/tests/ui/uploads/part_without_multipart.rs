use restrait::{resource, Result};

#[resource]
pub trait Files {
    #[post("/files")]
    async fn upload(&self, #[part("title")] title: &str) -> Result<()>;
}

fn main() {}
