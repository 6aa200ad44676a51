use restrait::{resource, Result};

#[resource(prefix = "v2")]
pub trait Users {
    #[get("/users")]
    async fn list(&self) -> Result<()>;
}

fn main() {}
