use restrait::{resource, Result};

pub struct UserId(pub u64);

#[resource]
pub trait Users {
    #[get("/users/<id>")]
    async fn get(&self, id: UserId) -> Result<()>;
}

fn main() {}
