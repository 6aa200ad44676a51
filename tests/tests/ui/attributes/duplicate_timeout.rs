use restrait::{resource, Result};

#[resource]
pub trait Users {
    #[get("/users")]
    #[timeout(secs = 5)]
    #[timeout(secs = 10)]
    async fn list(&self) -> Result<()>;
}

fn main() {}
