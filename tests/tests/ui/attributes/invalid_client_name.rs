use restrait::{resource, Result};

#[resource(client = "Users Client")]
pub trait Users {
    #[get("/users")]
    async fn list(&self) -> Result<()>;
}

fn main() {}
