use restrait::{bytes::Bytes, resource, Result};

#[resource]
pub trait Blobs {
    #[put("/blobs/<name>")]
    async fn put(&self, name: &str, #[body(xml)] data: Bytes) -> Result<()>;
}

fn main() {}
