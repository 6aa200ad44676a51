use restrait::{resource, Result};

#[resource]
pub trait Users {
    #[get("/users?page=1")]
    async fn list(&self) -> Result<()>;
}

fn main() {}
