use restrait::{resource, Result};

#[resource(openapi = "../../../specs/pets.yaml")]
pub trait Pets {
    #[get("/pets")]
    async fn list(
        &self,
        #[query] species: &str,
        #[query] limt: Option<u32>,
        #[header("X-Tenant")] tenant: &str,
    ) -> Result<String>;
}

fn main() {}
