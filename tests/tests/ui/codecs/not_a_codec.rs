use restrait::{resource, Result};

pub struct Yaml;

#[derive(serde::Deserialize)]
pub struct Config {}

#[resource(codec = crate::Yaml)]
pub trait Configs {
    #[get("/config")]
    async fn get(&self) -> Result<Config>;
}

fn main() {}
