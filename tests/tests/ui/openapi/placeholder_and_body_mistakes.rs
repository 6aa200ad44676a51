// Every conformance mistake of a trait is reported in one compile.
use restrait::{resource, Result};

#[resource(openapi = "../../../specs/pets.yaml")]
pub trait Pets {
    #[get("/pets/<id>")]
    async fn show(&self, id: &str) -> Result<String>;

    #[post("/pets")]
    async fn create(&self) -> Result<()>;

    #[patch("/pets/<pet_id>")]
    async fn rename(&self, pet_id: &str, #[body] name: &String) -> Result<()>;

    #[delete("/pets/<pet_id>")]
    async fn delete(&self, pet_id: &str, #[query] x_reason: &str) -> Result<()>;
}

fn main() {}
