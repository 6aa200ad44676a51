use restrait::{resource, JsonLines, Result};

pub struct Entry {
    pub n: u32,
}

#[resource]
pub trait Export {
    #[get("/entries")]
    async fn entries(&self) -> Result<JsonLines<Entry>>;
}

fn main() {}
