use restrait::{resource, Result};

#[resource]
pub trait Users<T> {
    #[get("/users")]
    async fn list(&self) -> Result<()>;
}

fn main() {}
