use restrait::{resource, Result};

pub struct Link {
    pub href: String,
}

#[resource]
pub trait Comments {
    #[get("/comments")]
    async fn next(&self, #[url] next: &Link) -> Result<()>;
}

fn main() {}
