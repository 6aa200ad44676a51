use restrait::{resource, Result};

#[resource(ok_field = ok)]
pub trait Slack {
    #[get("/api/auth.test")]
    async fn auth_test(&self) -> Result<()>;
}

fn main() {}
