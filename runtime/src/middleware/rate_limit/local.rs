//! The in-process limiter: governor's GCRA on Tokio's clock, so that a
//! paused test clock (`tokio::time::pause`) drives it too.

use std::ops::Add;
use std::time::Duration;

use governor::clock::{Clock, Reference};
use governor::middleware::NoOpMiddleware;
use governor::nanos::Nanos;
use governor::state::{InMemoryState, NotKeyed};
use tokio::time::Instant;

use super::Quota;

/// A point on Tokio's clock, as governor measures time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct TokioInstant(pub(crate) Instant);

impl Add<Nanos> for TokioInstant {
    type Output = TokioInstant;
    fn add(self, other: Nanos) -> TokioInstant {
        let d = Duration::from(other);
        TokioInstant(self.0.checked_add(d).unwrap_or(self.0))
    }
}

impl Reference for TokioInstant {
    fn duration_since(&self, earlier: Self) -> Nanos {
        Nanos::from(self.0.saturating_duration_since(earlier.0))
    }
    fn saturating_sub(&self, duration: Nanos) -> Self {
        TokioInstant(self.0.checked_sub(duration.into()).unwrap_or(self.0))
    }
}

/// Tokio's clock.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct TokioClock;

impl Clock for TokioClock {
    type Instant = TokioInstant;
    fn now(&self) -> TokioInstant {
        TokioInstant(Instant::now())
    }
}

type Gcra =
    governor::RateLimiter<NotKeyed, InMemoryState, TokioClock, NoOpMiddleware<TokioInstant>>;

/// One quota's slots, in this process.
pub(crate) struct LocalLimiter {
    gcra: Gcra,
    quota: Quota,
}

impl LocalLimiter {
    /// `None` for an invalid quota (which `build` has refused already).
    pub(crate) fn new(quota: Quota) -> Option<Self> {
        Some(LocalLimiter {
            gcra: governor::RateLimiter::direct_with_clock(quota.to_governor()?, TokioClock),
            quota,
        })
    }

    /// Takes a slot, sleeping until it comes (never spinning: each wait is
    /// a `sleep_until` the slot's time). If the next slot lies past
    /// `deadline`, gives up at once and returns how long it would have been.
    pub(crate) async fn acquire(&self, deadline: Option<Instant>) -> Result<(), Duration> {
        loop {
            let at = match self.gcra.check() {
                Ok(()) => return Ok(()),
                Err(not_until) => not_until.earliest_possible().0,
            };
            if deadline.is_some_and(|deadline| at > deadline) {
                return Err(at.saturating_duration_since(Instant::now()));
            }
            // Other callers may take this slot first: check again then.
            tokio::time::sleep_until(at).await;
        }
    }
}

impl std::fmt::Debug for LocalLimiter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("LocalLimiter").field(&self.quota).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn bursts_then_paces_and_refuses_past_the_deadline() {
        let limiter = LocalLimiter::new(Quota::per_second(2).burst(3)).expect("valid");
        let start = Instant::now();
        for _ in 0..3 {
            limiter.acquire(None).await.expect("burst");
        }
        assert_eq!(Instant::now(), start, "a burst does not wait");
        limiter.acquire(None).await.expect("paced");
        assert_eq!(Instant::now() - start, Duration::from_millis(500));
        // The next slot is 500 ms away: a deadline 100 ms away refuses at once.
        let deadline = Instant::now() + Duration::from_millis(100);
        let wait = limiter
            .acquire(Some(deadline))
            .await
            .expect_err("past deadline");
        assert_eq!(wait, Duration::from_millis(500));
        assert_eq!(
            Instant::now() - start,
            Duration::from_millis(500),
            "no wait"
        );
    }

    /// The largest quotas `build` accepts do not make governor overflow.
    #[tokio::test(start_paused = true)]
    async fn the_largest_accepted_quotas_work() {
        let decades = Duration::from_secs(49 * 365 * 24 * 60 * 60);
        let slow = Quota::new(1, decades);
        assert!(slow.check().is_ok());
        let limiter = LocalLimiter::new(slow).expect("valid");
        let soon = Some(Instant::now() + Duration::from_secs(1));
        limiter.acquire(soon).await.expect("the burst");
        let wait = limiter.acquire(soon).await.expect_err("decades away");
        assert!(wait > decades / 2, "{wait:?}");

        let wide = Quota::per_second(1_000_000).burst(u32::MAX);
        assert!(wide.check().is_ok());
        let limiter = LocalLimiter::new(wide).expect("valid");
        for _ in 0..1000 {
            limiter.acquire(soon).await.expect("within the burst");
        }
    }
}
