//! Retries: which failed attempts are sent again ([`classify`]), when
//! ([`policy`]), how much retrying a client may do ([`budget`]), and the
//! middleware that runs a call's attempts ([`middleware`]).
//!
//! Every client retries with [`RetryPolicy::default`] unless it is built with
//! another policy; [`RetryPolicy::never`] turns retries off.

mod budget;
mod classify;
mod middleware;
mod policy;

#[cfg(test)]
mod tests;

use std::sync::Arc;

pub use budget::RetryBudget;
pub use policy::{DEFAULT_RETRY_STATUSES, RetryPolicy};

use crate::builder::ClientBuilder;
use crate::middleware::Middleware;

pub(crate) use middleware::RetryMiddleware;

/// The retry layer a client has when its builder is not given a policy.
pub(crate) fn default_layer() -> Option<Arc<dyn Middleware>> {
    Some(Arc::new(RetryMiddleware::new(RetryPolicy::default())))
}

impl ClientBuilder {
    /// How the client retries failed attempts (default:
    /// [`RetryPolicy::default`], 3 retries with backoff; use
    /// [`RetryPolicy::never`] to turn retries off). The policy's
    /// [`RetryBudget`] is shared by every call of the client.
    ///
    /// Calls can override the policy with
    /// [`CallOptions::retry`](crate::CallOptions::retry), and the number of
    /// retries with `#[retry(max = N)]`, `#[retry(never)]` or
    /// [`CallOptions::max_retries`](crate::CallOptions::max_retries).
    ///
    /// ```
    /// # fn main() -> restrait::Result<()> {
    /// use std::time::Duration;
    /// use restrait::{Client, RetryPolicy};
    ///
    /// let client = Client::builder("https://api.example.com")
    ///     .retry(RetryPolicy::default().max_retries(5).max_delay(Duration::from_secs(5)))
    ///     .build()?;
    /// # Ok(()) }
    /// ```
    pub fn retry(mut self, policy: RetryPolicy) -> Self {
        self.retry_layer = Some(Arc::new(RetryMiddleware::new(policy)));
        self
    }
}
