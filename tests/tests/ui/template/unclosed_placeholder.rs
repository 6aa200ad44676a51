use restrait::{resource, Result};

#[resource]
pub trait Users {
    #[get("/users/<id")]
    async fn get(&self, id: u64) -> Result<()>;
}

fn main() {}
