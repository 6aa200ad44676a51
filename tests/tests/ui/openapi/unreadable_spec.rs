use restrait::{resource, Result};

#[resource(openapi = "specs/no-such-spec.yaml")]
pub trait Pets {
    #[get("/pets")]
    async fn list(&self) -> Result<String>;
}

#[resource(openapi = "../../../specs/broken.yaml")]
pub trait Broken {
    #[get("/pets")]
    async fn list(&self) -> Result<String>;
}

fn main() {}
