use restrait::{resource, Body, Result};

#[resource]
pub trait Files {
    #[put("/files/<name>")]
    async fn put(&self, name: &str, #[body(gzip)] file: Body) -> Result<()>;
}

fn main() {}
