use restrait::{resource, Result};

#[resource]
pub trait Users {
    #[post("/users")]
    #[idempotent(true)]
    async fn create(&self) -> Result<()>;
}

fn main() {}
