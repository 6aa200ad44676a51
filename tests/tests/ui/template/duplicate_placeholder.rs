use restrait::{resource, Result};

#[resource]
pub trait Users {
    #[get("/users/<id>/friends/<id>")]
    async fn friend(&self, id: u64) -> Result<()>;
}

fn main() {}
