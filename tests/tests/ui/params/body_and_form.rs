use restrait::{resource, Result};

#[resource]
pub trait Users {
    #[post("/users")]
    async fn create(&self, #[body] user: &str, #[form] login: &str) -> Result<()>;
}

fn main() {}
