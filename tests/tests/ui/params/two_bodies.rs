use restrait::{resource, Result};

#[resource]
pub trait Users {
    #[post("/users")]
    async fn create(&self, #[body] user: &str, #[body] extra: &str) -> Result<()>;
}

fn main() {}
