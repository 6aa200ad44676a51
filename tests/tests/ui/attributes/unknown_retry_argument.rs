use restrait::{resource, Result};

#[resource]
pub trait Users {
    #[get("/users")]
    #[retry(mx = 5)]
    async fn list(&self) -> Result<()>;
}

fn main() {}
