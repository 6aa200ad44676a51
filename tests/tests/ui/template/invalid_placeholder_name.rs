use restrait::{resource, Result};

#[resource]
pub trait Users {
    #[get("/users/<user-id>")]
    async fn get(&self, user_id: u64) -> Result<()>;
}

fn main() {}
