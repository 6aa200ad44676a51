use restrait::{resource, Result};

pub struct StripeError {
    pub message: String,
}

#[resource(error = StripeError)]
pub trait Stripe {
    #[get("/charges")]
    async fn list(&self) -> Result<()>;
}

fn main() {}
