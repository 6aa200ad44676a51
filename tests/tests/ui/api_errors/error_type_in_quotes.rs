use restrait::{resource, Result};

#[derive(serde::Deserialize)]
pub struct StripeError {}

#[resource(error = "StripeError")]
pub trait Stripe {
    #[get("/charges")]
    async fn list(&self) -> Result<()>;
}

fn main() {}
