use restrait::{resource, Result};

#[derive(serde::Serialize)]
pub struct Point {}

#[resource]
pub trait Points {
    #[post("/points")]
    async fn create(&self, #[body(xml, msgpack)] point: &Point) -> Result<()>;
}

fn main() {}
