use restrait::{resource, Result};

#[resource(openapi = "../../../specs/pets.yaml")]
pub trait Pets {
    #[put("/pets/<pet_id>")]
    async fn replace(&self, pet_id: &str, #[body] pet: &String) -> Result<()>;
}

fn main() {}
