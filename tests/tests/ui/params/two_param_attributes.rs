use restrait::{resource, Result};

#[resource]
pub trait Users {
    #[post("/users")]
    async fn create(&self, #[query] #[body] user: &str) -> Result<()>;
}

fn main() {}
