use restrait::{resource, Result};

#[resource]
pub trait Comments {
    // The request goes to `next`: nothing would fill `<id>`.
    #[get("/issues/<id>/comments")]
    async fn comments(&self, #[url] next: &str, id: u64) -> Result<()>;
}

fn main() {}
