use restrait::{resource, Result};

pub struct Meta;

#[resource]
pub trait Files {
    #[post("/files")]
    #[multipart]
    async fn upload(&self, #[part] title: &str, #[part("meta", json)] meta: &Meta) -> Result<()>;
}

fn main() {}
