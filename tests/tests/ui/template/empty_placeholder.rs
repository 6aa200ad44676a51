use restrait::{resource, Result};

#[resource]
pub trait Users {
    #[get("/users/<>")]
    async fn get(&self) -> Result<()>;
}

fn main() {}
