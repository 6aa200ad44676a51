//! `#[timeout]`, `#[retry]` and `#[idempotent]`.
#![deny(warnings)]

use restrait::{resource, Result};

#[resource]
pub trait Jobs {
    #[post("/jobs")]
    #[timeout(secs = 5)]
    #[retry(max = 5)]
    #[idempotent]
    async fn start(&self) -> Result<()>;

    #[get("/jobs")]
    #[timeout(ms = 250)]
    #[retry(never)]
    async fn list(&self) -> Result<String>;
}

fn main() {}
