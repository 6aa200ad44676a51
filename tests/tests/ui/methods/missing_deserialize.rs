use restrait::{resource, Result};

#[derive(Debug)]
pub struct User {
    pub id: u64,
}

#[resource]
pub trait Users {
    #[get("/users/<id>")]
    async fn get(&self, id: u64) -> Result<User>;
}

fn main() {}
