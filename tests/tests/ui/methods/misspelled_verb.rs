use restrait::{resource, Result};

#[resource]
pub trait Users {
    #[gett("/users")]
    async fn list(&self) -> Result<()>;
}

fn main() {}
