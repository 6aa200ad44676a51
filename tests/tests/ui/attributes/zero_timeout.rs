use restrait::{resource, Result};

#[resource]
pub trait Users {
    #[get("/users")]
    #[timeout(ms = 0)]
    async fn list(&self) -> Result<()>;
}

fn main() {}
