//! The retry middleware: runs the attempts of one call.

use std::future::Future;
use std::pin::pin;
use std::sync::Arc;
use std::time::Duration;

use http::HeaderValue;
use tokio::time::Instant;

use crate::error::{Error, Result};
use crate::middleware::chain::{Layer, Service, kept_copy};
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

    /// The attempts of a call: `owned`, the request itself, goes first;
    /// with no `template`, it is copied before an attempt that may be
    /// followed by another. A `template` is a copy the layer above keeps (a
    /// redirect hop's): each attempt after the first is a copy of it (see
    /// [`Service::call_kept`]). Separate arguments, not an enum taken
    /// apart here: that would hold the request twice.
    #[allow(
        clippy::manual_async_fn,
        reason = "an `async fn` holds its by-value arguments twice in its future"
    )]
    fn run<'c, 't, N: Service<'c>>(
        &'t self,
        mut owned: Option<Request>,
        template: Option<&'t Request>,
        away: bool,
        next: N,
    ) -> impl Future<Output = Result<Response>> + Send + 't
    where
        'c: 't,
    {
        // An `async` block, not an `async fn`, which would hold the
        // request twice.
        async move {
            let Some(first) = template.or(owned.as_ref()) else {
                return Err(Error::invalid_request("no request to send"));
            };
            // The call's own policy is rare: the client's is borrowed, not
            // its `Arc` cloned.
            let own_policy = first.options().retry.clone();
            let policy: &RetryPolicy = own_policy.as_deref().unwrap_or(&self.policy);
            let max_retries = first
                .options()
                .get_max_retries()
                .unwrap_or(policy.max_retries);
            let key = match needs_key(first) {
                true => idempotency_key(first, policy)?,
                false => None,
            };
            let replayable = replayable(first);
            let one_shot = !first.body().is_replayable();
            let call = first.call_info();
            let deadline = first.deadline();
            if let (Some(request), Some(key)) = (&mut owned, &key) {
                request
                    .headers_mut()
                    .insert(policy.idempotency_header.clone(), key.clone());
            }
            let mut attempt: u32 = 0;
            // The request is copied only when it may really be sent again: an
            // attempt is left and the body can be replayed. Otherwise it moves
            // into its last attempt. When the layer above keeps a copy (a
            // redirect's), the request goes first and later attempts are
            // copies of that one.
            loop {
                // The attempt's request is made in the argument of `next.call`,
                // not in a local: a local would keep its room in this future
                // while the attempt's future holds the request too.
                let kept;
                let result = pin!(next.call({
                    let (mut this, k) = match (template, owned.take()) {
                        (Some(_), Some(request)) => (request, true),
                        (Some(template), None) => {
                            let mut copy = kept_copy(template, away)?;
                            if let Some(key) = &key {
                                copy.headers_mut()
                                    .insert(policy.idempotency_header.clone(), key.clone());
                            }
                            (copy, true)
                        }
                        (None, Some(request)) => match (attempt < max_retries)
                            .then(|| request.try_clone())
                            .flatten()
                        {
                            Some(copy) => {
                                owned = Some(request);
                                (copy, true)
                            }
                            None => (request, false),
                        },
                        // Not reached: a request that is not kept ends the loop.
                        (None, None) => {
                            return Err(Error::invalid_request("no request to send"));
                        }
                    };
                    kept = k;
                    this.set_attempt(attempt);
                    this
                }))
                .await;
                let reason = match classify(policy, &result) {
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
                        call.method,
                        call.template,
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
                    return not_retried(with_attempts(result, attempt), NotRetried::OneShotBody);
                }
                let asked = match &result {
                    Ok(response) => server_wait(response.status(), response.headers()),
                    Err(_) => None,
                };
                let wait = policy.wait(attempt, asked);
                if crosses_deadline(deadline, wait) {
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
                    call.method,
                    call.template,
                );
                // Dropping the call's future drops this sleep: no further attempt.
                tokio::time::sleep(wait).await;
            }
        }
    }
}

impl Layer for RetryMiddleware {
    fn handle<'c, N: Service<'c>>(
        &'c self,
        request: Request,
        next: N,
    ) -> impl Future<Output = Result<Response>> + Send + 'c {
        self.run(Some(request), None, false, next)
    }

    fn handle_kept<'c, 't, N: Service<'c>>(
        &'c self,
        request: Request,
        kept: &'t Request,
        away: bool,
        next: N,
    ) -> impl Future<Output = Result<Response>> + Send + 't
    where
        'c: 't,
    {
        self.run(Some(request), Some(kept), away, next)
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

/// Why a response that could have been retried was not, as the response
/// keeps it: one byte, where a `&str` would take sixteen in a type that
/// every layer moves (an error keeps the text, see
/// [`Error::not_retried`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum NotRetried {
    /// The request body is a one-shot stream.
    OneShotBody,
}

impl NotRetried {
    /// What [`Error::not_retried`] says.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            NotRetried::OneShotBody => "the request body is a one-shot stream",
        }
    }
}

/// Notes on the final result why it was not retried.
fn not_retried(mut result: Result<Response>, why: NotRetried) -> Result<Response> {
    match &mut result {
        Ok(response) => response.not_retried = Some(why),
        Err(e) => e.set_not_retried(why.as_str()),
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

/// The call's idempotency key, the same on every attempt: the caller's
/// ([`CallOptions::idempotency_key`](crate::CallOptions::idempotency_key)),
/// else none when one is already among the request's headers (it goes
/// along), else a new UUID v4.
fn idempotency_key(request: &Request, policy: &RetryPolicy) -> Result<Option<HeaderValue>> {
    let name = &policy.idempotency_header;
    match request.options().get_idempotency_key() {
        Some(key) => HeaderValue::try_from(key).map(Some).map_err(|_| {
            Error::invalid_request(format!("the idempotency key is not a valid `{name}` value"))
        }),
        None if request.headers().contains_key(name) => Ok(None),
        None => {
            let mut buf = uuid::Uuid::encode_buffer();
            let key = uuid::Uuid::new_v4().hyphenated().encode_lower(&mut buf);
            // A UUID is always a valid header value.
            Ok(HeaderValue::from_str(key).ok())
        }
    }
}
