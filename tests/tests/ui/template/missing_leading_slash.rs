use restrait::{resource, Result};

#[resource]
pub trait Users {
    #[get("users")]
    async fn list(&self) -> Result<()>;
}

fn main() {}
