use restrait::{resource, Result};

#[resource]
pub trait Users {
    #[get("/users")]
    #[headers("Accept application/json")]
    async fn list(&self) -> Result<()>;
}

fn main() {}
