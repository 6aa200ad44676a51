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

pub use budget::RetryBudget;
pub use policy::{DEFAULT_RETRY_STATUSES, RetryPolicy};

pub(crate) use middleware::{NotRetried, RetryMiddleware};

/// The retry layer a client has when its builder is not given a policy.
pub(crate) fn default_layer() -> Option<RetryMiddleware> {
    Some(RetryMiddleware::new(RetryPolicy::default()))
}
