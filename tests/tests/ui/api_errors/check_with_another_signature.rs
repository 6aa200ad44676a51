use restrait::{resource, Result};

pub fn check(body: &[u8]) -> bool {
    body.is_empty()
}

#[resource(check = crate::check)]
pub trait Api {
    #[get("/x")]
    async fn x(&self) -> Result<()>;
}

fn main() {}
