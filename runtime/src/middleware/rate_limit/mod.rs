//! The client-side rate limit: a [`Quota`] for the whole client and one per
//! endpoint group (`#[rate_limit("search")]`), on a GCRA limiter, and what
//! the server says of its own limit (`headers`), which holds a group's
//! calls while the server's budget is used up (`holds`).
//!
//! The layer sits below retry, so every attempt takes a slot: first calls,
//! retries and the pages of a paginated list all draw on one budget. A call
//! waits for its slot within its deadline; when the slot lies past the
//! deadline it ends at once with [`Error::RateLimited`] and nothing is sent.

mod headers;
mod holds;
mod local;
mod quota;

use std::borrow::Cow;
use std::collections::HashMap;
use std::pin::pin;
use std::time::Duration;

use crate::error::{Error, Result};
use crate::middleware::BoxFuture;
use crate::middleware::chain::{Layer, Service};
use crate::request::Request;
use crate::response::Response;

use holds::Holds;
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
    /// Shared by every process that uses the same Redis key.
    #[cfg(feature = "redis")]
    Shared(crate::redis::SharedLimiter),
}

impl Limiter {
    async fn acquire(&self, deadline: Option<tokio::time::Instant>) -> Result<(), Duration> {
        match self {
            Limiter::Local(l) => l.acquire(deadline).await,
            #[cfg(feature = "redis")]
            Limiter::Shared(l) => l.acquire(deadline).await,
        }
    }
}

/// The rate-limit layer of a client.
pub(crate) struct RateLimitMiddleware {
    client: Option<Limiter>,
    groups: HashMap<String, Limiter>,
    /// What the server's headers said, when the client follows them.
    holds: Option<Holds>,
}

impl RateLimitMiddleware {
    pub(crate) fn new(
        client: Option<Limiter>,
        groups: HashMap<String, Limiter>,
        adaptive: bool,
    ) -> Self {
        RateLimitMiddleware {
            client,
            groups,
            holds: adaptive.then(Holds::default),
        }
    }

    /// Waits while the server's budget for the request's group is used up,
    /// then for the request's slots: its group's, then the client's.
    async fn admit(&self, request: &Request) -> Result<()> {
        let group = request.extensions().get::<RateLimitGroup>();
        let deadline = request.deadline();
        if let Some(holds) = &self.holds {
            let name = group.map(RateLimitGroup::name);
            holds
                .wait(name, deadline)
                .await
                .map_err(|wait| held(request, name, wait))?;
        }
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

    /// Handles one request; `next` sends it on through the rest of the
    /// chain (called once), whatever form the chain takes.
    pub(crate) async fn run<F, Fut>(&self, request: Request, next: F) -> Result<Response>
    where
        F: FnOnce(Request) -> Fut,
        Fut: std::future::Future<Output = Result<Response>>,
    {
        self.admit(&request).await?;
        let Some(holds) = &self.holds else {
            return pin!(next(request)).await;
        };
        let group = request.extensions().get::<RateLimitGroup>().cloned();
        let response = pin!(next(request)).await?;
        holds.observe(
            group.as_ref().map(RateLimitGroup::name),
            response.status(),
            response.headers(),
        );
        Ok(response)
    }
}

/// Boxed: a client without a rate limit then pays nothing for it in the
/// size of every call's future, and one with a limit pays one box.
impl Layer for RateLimitMiddleware {
    fn handle<'c, N: Service<'c>>(
        &'c self,
        request: Request,
        next: N,
    ) -> impl std::future::Future<Output = Result<Response>> + Send + 'c {
        let boxed: BoxFuture<'c, Result<Response>> =
            Box::pin(self.run(request, move |request| next.call(request)));
        boxed
    }
}

/// The error of a call held past its deadline by the server's used-up budget.
fn held(request: &Request, group: Option<&str>, wait: Duration) -> Error {
    let whose = match group {
        Some(name) => format!(" for group `{name}`"),
        None => String::new(),
    };
    Error::rate_limited_locally(
        request.call_info(),
        wait,
        format!(
            "the server's rate limit{whose} is used up and resets in {:.3}s, past the call's deadline; nothing was sent",
            wait.as_secs_f64()
        ),
    )
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
