use restrait::{resource, Result};

#[resource(openapi = "../../../specs/pets.yaml")]
pub trait Pets {
    #[get("/pets/<pet_id>")]
    async fn show(&self, pet_id: &str, #[body] filter: &String) -> Result<String>;
}

fn main() {}
