//! A private trait whose client is never used, under strict lints: the
//! generated items add no warnings.
#![deny(warnings, missing_docs, unreachable_pub, rust_2018_idioms, unused)]
//! Crate docs.

use restrait::{resource, Result};

// The user's own unused trait is theirs to allow; the generated client and
// impl add no warning of their own.
#[allow(dead_code)]
#[resource]
trait Internal {
    #[get("/ping")]
    async fn ping(&self) -> Result<()>;
}

/// Public, documented.
pub mod api {
    use restrait::{resource, Result};

    /// A documented public resource.
    #[resource]
    pub trait Health {
        /// Checks health.
        #[get("/health")]
        async fn check(&self) -> Result<String>;
    }
}

fn main() {}
