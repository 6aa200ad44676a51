use restrait::{resource, Result};

#[derive(serde::Deserialize)]
pub struct Point {}

#[resource]
pub trait Points {
    #[get("/points/<id>")]
    #[returns]
    async fn get(&self, id: u64) -> Result<Point>;
}

fn main() {}
