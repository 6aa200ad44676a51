use restrait::{resource, Result};

pub struct Photo;

#[resource]
pub trait Files {
    #[post("/files")]
    #[multipart]
    async fn upload(&self, #[part] photo: Photo) -> Result<()>;
}

fn main() {}
