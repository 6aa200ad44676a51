use restrait::{resource, Result};

#[resource]
pub trait Users {
    #[get("/users")]
    async fn list(&self, #[qurey] page: u32) -> Result<()>;
}

fn main() {}
