use restrait::{resource, Result};

#[derive(serde::Serialize)]
pub struct Config {}

#[resource]
pub trait Configs {
    #[put("/config")]
    async fn put(&self, #[body(yaml)] config: &Config) -> Result<()>;
}

fn main() {}
