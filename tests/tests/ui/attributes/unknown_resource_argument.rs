use restrait::{resource, Result};

#[resource(prefx = "/v2")]
pub trait Users {
    #[get("/users")]
    async fn list(&self) -> Result<()>;
}

fn main() {}
