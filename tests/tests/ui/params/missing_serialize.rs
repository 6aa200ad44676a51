use restrait::{resource, Result};

pub struct NewUser {
    pub name: String,
}

#[resource]
pub trait Users {
    #[post("/users")]
    async fn create(&self, #[body] user: NewUser) -> Result<()>;
}

fn main() {}
