use restrait::{resource, Result};

#[resource(crate = "my restrait")]
pub trait Users {
    #[get("/users")]
    async fn list(&self) -> Result<()>;
}

fn main() {}
