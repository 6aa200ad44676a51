use restrait::{resource, Result};

#[resource]
pub trait Users {
    #[get("/users")]
    async fn list(&self, #[header("X Request Id")] id: &str) -> Result<()>;
}

fn main() {}
