use restrait::{resource, Result};

#[resource]
pub trait Users {
    type Id;

    #[get("/users")]
    async fn list(&self) -> Result<()>;
}

fn main() {}
