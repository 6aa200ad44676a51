use restrait::{resource, Result};

#[resource]
pub trait Users {
    #[get("/users")]
    #[timeout(sec = 5)]
    async fn list(&self) -> Result<()>;
}

fn main() {}
