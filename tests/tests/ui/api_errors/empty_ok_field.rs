use restrait::{resource, Result};

#[resource(ok_field = "")]
pub trait Slack {
    #[get("/api/auth.test")]
    async fn auth_test(&self) -> Result<()>;
}

fn main() {}
