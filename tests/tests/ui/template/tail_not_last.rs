use restrait::{resource, Result};

#[resource]
pub trait Users {
    #[get("/files/<path..>/raw")]
    async fn raw(&self, path: &str) -> Result<()>;
}

fn main() {}
