use restrait::{resource, Result};

#[resource]
pub trait Users {
    async fn get(&self, id: u64) -> Result<()>;
}

fn main() {}
