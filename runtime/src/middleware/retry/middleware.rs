//! The retry middleware: runs the attempts of one call.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use http::HeaderValue;
use tokio::time::Instant;

use crate::error::{Error, Result};
use crate::middleware::chain::{Layer, Service};
use crate::request::Request;
use crate::response::Response;

use super::budget::TokenBucket;
use super::classify::{Verdict, classify, needs_key, replayable};
use super::policy::{RetryPolicy, server_wait};

/// Sends a call's attempts until one is final, waiting in between, within the
/// call's deadline and the client's retry budget. It sits just inside the
/// tracing middleware, so auth (and a token refresh) runs again for each
/// attempt.
pub(crate) struct RetryMiddleware {
    policy: Arc<RetryPolicy>,
    budget: Option<TokenBucket>,
}

impl RetryMiddleware {
    pub(crate) fn new(policy: RetryPolicy) -> Self {
        RetryMiddleware {
            budget: policy.budget.map(TokenBucket::new),
            policy: Arc::new(policy),
        }
    }

    async fn run<'c, N: Service<'c>>(&self, mut request: Request, next: N) -> Result<Response> {
        let policy = request
            .options()
            .retry
            .clone()
            .unwrap_or_else(|| self.policy.clone());
        let max_retries = request
            .options()
            .get_max_retries()
            .unwrap_or(policy.max_retries);
        if needs_key(&request) {
            set_idempotency_key(&mut request, &policy)?;
        }
        let replayable = replayable(&request);
        let one_shot = !request.body().is_replayable();
        let mut attempt: u32 = 0;
        // The request is copied only when it may really be sent again: an
        // attempt is left and the body can be replayed. Otherwise it moves
        // into its last attempt, and what remains is its head, for logs.
        loop {
            let (mut this, kept) = match (attempt < max_retries).then(|| request.try_clone()) {
                Some(Some(copy)) => (copy, true),
                _ => {
                    let head = request.head_clone();
                    (std::mem::replace(&mut request, head), false)
                }
            };
            this.set_attempt(attempt);
            let result = next.call(this).await;
            let reason = match classify(&policy, &result) {
                Verdict::Done => {
                    if let Some(budget) = &self.budget {
                        budget.on_success(attempt > 0);
                    }
                    return with_attempts(result, attempt);
                }
                Verdict::Fatal => return with_attempts(result, attempt),
                Verdict::Retry(reason) => reason,
            };
            let status = result.as_ref().ok().map(|r| r.status().as_u16());
            let give_up = |why: &'static str| {
                tracing::debug!(
                    http.request.resend_count = attempt,
                    http.response.status_code = status,
                    retry.reason = reason.as_str(),
                    retry.decision = why,
                    "not retrying {} {}: {}",
                    request.method(),
                    request.template(),
                    why,
                );
            };
            if !replayable && !reason.any_method() {
                give_up("not_idempotent");
                return with_attempts(result, attempt);
            }
            if attempt >= max_retries {
                give_up("retries_exhausted");
                return with_attempts(result, attempt);
            }
            if one_shot || !kept {
                give_up("one_shot_body");
                return not_retried(with_attempts(result, attempt), ONE_SHOT);
            }
            let asked = match &result {
                Ok(response) => server_wait(response.status(), response.headers()),
                Err(_) => None,
            };
            let wait = policy.wait(attempt, asked);
            if crosses_deadline(request.deadline(), wait) {
                give_up("deadline");
                return with_attempts(result, attempt);
            }
            if let Some(budget) = &self.budget
                && !budget.try_spend()
            {
                give_up("budget_exhausted");
                return with_attempts(result, attempt);
            }
            drop(result);
            attempt += 1;
            tracing::debug!(
                http.request.resend_count = attempt,
                http.response.status_code = status,
                retry.reason = reason.as_str(),
                retry.decision = "retry",
                retry.wait_ms = u64::try_from(wait.as_millis()).unwrap_or(u64::MAX),
                retry.server_asked = asked.is_some(),
                "retrying {} {}",
                request.method(),
                request.template(),
            );
            // Dropping the call's future drops this sleep: no further attempt.
            tokio::time::sleep(wait).await;
        }
    }
}

impl Layer for RetryMiddleware {
    fn handle<'c, N: Service<'c>>(
        &'c self,
        request: Request,
        next: N,
    ) -> impl Future<Output = Result<Response>> + Send + 'c {
        self.run(request, next)
    }
}

impl std::fmt::Debug for RetryMiddleware {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RetryMiddleware")
            .field("policy", &self.policy)
            .field("budget", &self.budget)
            .finish()
    }
}

/// Why a retryable failure of a request with a one-shot body is final.
const ONE_SHOT: &str = "the request body is a one-shot stream";

/// Notes on the final result why it was not retried.
fn not_retried(mut result: Result<Response>, why: &'static str) -> Result<Response> {
    match &mut result {
        Ok(response) => response.not_retried = Some(why),
        Err(e) => e.set_not_retried(why),
    }
    result
}

/// The call's final result, with the attempt count on errors below HTTP.
fn with_attempts(mut result: Result<Response>, attempt: u32) -> Result<Response> {
    if let Err(e) = &mut result {
        e.set_attempts(attempt + 1);
    }
    result
}

/// True if waiting `wait` would leave no time for another attempt.
fn crosses_deadline(deadline: Option<Instant>, wait: Duration) -> bool {
    match deadline {
        None => false,
        Some(deadline) => Instant::now()
            .checked_add(wait)
            .is_none_or(|at| at >= deadline),
    }
}

/// Puts the call's idempotency key on the request, once for all attempts:
/// the caller's ([`CallOptions::idempotency_key`](crate::CallOptions::idempotency_key)),
/// else one already among the request's headers, else a new UUID v4.
fn set_idempotency_key(request: &mut Request, policy: &RetryPolicy) -> Result<()> {
    let name = &policy.idempotency_header;
    let value = match request.options().get_idempotency_key() {
        Some(key) => HeaderValue::try_from(key).map_err(|_| {
            Error::invalid_request(format!("the idempotency key is not a valid `{name}` value"))
        })?,
        None if request.headers().contains_key(name) => return Ok(()),
        None => {
            let mut buf = uuid::Uuid::encode_buffer();
            let key = uuid::Uuid::new_v4().hyphenated().encode_lower(&mut buf);
            match HeaderValue::from_str(key) {
                Ok(value) => value,
                // A UUID is always a valid header value.
                Err(_) => return Ok(()),
            }
        }
    };
    request.headers_mut().insert(name.clone(), value);
    Ok(())
}
