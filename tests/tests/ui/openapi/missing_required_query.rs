use restrait::{resource, Result};

#[resource(openapi = "../../../specs/pets.yaml")]
pub trait Pets {
    #[get("/pets")]
    async fn list(&self, #[query] limit: Option<u32>) -> Result<String>;
}

fn main() {}
