use restrait::{resource, Result};

#[resource]
pub trait Users {
    #[get]
    async fn list(&self) -> Result<()>;
}

fn main() {}
