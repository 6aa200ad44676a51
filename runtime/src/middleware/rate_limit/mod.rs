//! The client-side rate limit: a [`Quota`] for the whole client and one per
//! endpoint group (`#[rate_limit("search")]`), on a GCRA limiter.
//!
//! The layer sits below retry, so every attempt takes a slot: first calls,
//! retries and the pages of a paginated list all draw on one budget. A call
//! waits for its slot within its deadline; when the slot lies past the
//! deadline it ends at once with [`Error::RateLimited`] and nothing is sent.

mod local;
mod quota;

use std::borrow::Cow;
use std::collections::HashMap;
use std::time::Duration;

use crate::error::{Error, Result};
use crate::middleware::{BoxFuture, Middleware, Next};
use crate::request::Request;
use crate::response::Response;

pub(crate) use local::LocalLimiter;
pub use quota::Quota;

/// The endpoint group a request belongs to, for
/// [`ClientBuilder::rate_limit_group`](crate::ClientBuilder::rate_limit_group).
/// `#[rate_limit("search")]` puts it in the request's
/// [extensions](crate::Request::extensions); a hand-built request can carry
/// one too.
///
/// ```
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// use restrait::{http::Method, RateLimitGroup, Request};
/// let mut req = Request::new(Method::GET, "https://api.example.com/search".parse()?);
/// req.extensions_mut().insert(RateLimitGroup::new("search"));
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct RateLimitGroup(Cow<'static, str>);

impl RateLimitGroup {
    /// The group named `name`.
    pub fn new(name: impl Into<Cow<'static, str>>) -> Self {
        RateLimitGroup(name.into())
    }
    /// Its name.
    pub fn name(&self) -> &str {
        &self.0
    }
}

/// Where the slots of one quota come from.
pub(crate) enum Limiter {
    Local(LocalLimiter),
}

impl Limiter {
    async fn acquire(&self, deadline: Option<tokio::time::Instant>) -> Result<(), Duration> {
        match self {
            Limiter::Local(l) => l.acquire(deadline).await,
        }
    }
}

/// The rate-limit layer of a client.
pub(crate) struct RateLimitMiddleware {
    client: Option<Limiter>,
    groups: HashMap<String, Limiter>,
}

impl RateLimitMiddleware {
    pub(crate) fn new(client: Option<Limiter>, groups: HashMap<String, Limiter>) -> Self {
        RateLimitMiddleware { client, groups }
    }

    /// Waits for the request's slots: its group's, then the client's.
    async fn admit(&self, request: &Request) -> Result<()> {
        let group = request.extensions().get::<RateLimitGroup>();
        let deadline = request.deadline();
        let limiter = group.and_then(|g| self.groups.get(g.name()));
        for (limiter, name) in [
            (limiter, group.map(RateLimitGroup::name)),
            (self.client.as_ref(), None),
        ] {
            if let Some(limiter) = limiter {
                limiter
                    .acquire(deadline)
                    .await
                    .map_err(|wait| refused(request, name, wait))?;
            }
        }
        Ok(())
    }

    async fn run(&self, request: Request, next: Next<'_>) -> Result<Response> {
        self.admit(&request).await?;
        next.run(request).await
    }
}

impl Middleware for RateLimitMiddleware {
    fn handle<'a>(&'a self, request: Request, next: Next<'a>) -> BoxFuture<'a, Result<Response>> {
        Box::pin(self.run(request, next))
    }
}

/// The error of a call whose slot lies past its deadline.
fn refused(request: &Request, group: Option<&str>, wait: Duration) -> Error {
    let whose = match group {
        Some(name) => format!("the client's rate limit of group `{name}`"),
        None => "the client's rate limit".to_owned(),
    };
    Error::rate_limited_locally(
        request.call_info(),
        wait,
        format!(
            "{whose}: the next slot is in {:.3}s, past the call's deadline; nothing was sent",
            wait.as_secs_f64()
        ),
    )
}
