use restrait::{resource, Result};

#[resource(openapi = "../../../specs/pets.yaml")]
pub trait Pets {
    #[get("/pet/<pet_id>")]
    async fn show(&self, pet_id: &str) -> Result<String>;
}

fn main() {}
