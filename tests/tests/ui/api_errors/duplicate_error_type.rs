use restrait::{resource, Result};

#[derive(serde::Deserialize)]
pub struct A {}
#[derive(serde::Deserialize)]
pub struct B {}

#[resource(error = A, error = B)]
pub trait Api {
    #[get("/x")]
    async fn x(&self) -> Result<()>;
}

fn main() {}
