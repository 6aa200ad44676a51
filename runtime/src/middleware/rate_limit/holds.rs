//! Holding calls back while the server says its budget is used up: when a
//! response reports 0 requests remaining (or a 429 asks to wait), further
//! calls of the same group wait until the reset instead of being sent into
//! a 429.

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, SystemTime};

use http::{HeaderMap, StatusCode};
use tokio::time::Instant;

use super::headers::{self, MAX_RESET};

/// Until when each group (`None`: requests without one) is held.
#[derive(Default)]
pub(crate) struct Holds {
    until: Mutex<HashMap<Option<String>, Instant>>,
}

impl Holds {
    fn lock(&self) -> MutexGuard<'_, HashMap<Option<String>, Instant>> {
        self.until
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Reads what a response of `group` says about the server's budget.
    pub(crate) fn observe(&self, group: Option<&str>, status: StatusCode, headers: &HeaderMap) {
        let wait = match headers::parse(headers, SystemTime::now()) {
            Some(limit) if limit.remaining == 0 => Some(limit.reset),
            _ => None,
        };
        let wait = match (status == StatusCode::TOO_MANY_REQUESTS, wait) {
            (true, None) => crate::retry_after::parse(headers).map(|d| d.min(MAX_RESET)),
            (_, wait) => wait,
        };
        let Some(wait) = wait.filter(|w| !w.is_zero()) else {
            return;
        };
        let Some(until) = Instant::now().checked_add(wait) else {
            return;
        };
        tracing::debug!(
            rate_limit.group = group,
            wait_ms = u64::try_from(wait.as_millis()).unwrap_or(u64::MAX),
            "the server's rate limit is used up: holding calls until it resets"
        );
        let mut holds = self.lock();
        let held = holds.entry(group.map(str::to_owned)).or_insert(until);
        *held = (*held).max(until);
    }

    /// Waits while `group` is held. If the hold lasts past `deadline`,
    /// returns at once how long it has left.
    pub(crate) async fn wait(
        &self,
        group: Option<&str>,
        deadline: Option<Instant>,
    ) -> Result<(), Duration> {
        loop {
            let key = group.map(str::to_owned);
            let until = {
                let mut holds = self.lock();
                match holds.get(&key) {
                    Some(&until) if until > Instant::now() => until,
                    Some(_) => {
                        holds.remove(&key);
                        return Ok(());
                    }
                    None => return Ok(()),
                }
            };
            if deadline.is_some_and(|d| until > d) {
                return Err(until.saturating_duration_since(Instant::now()));
            }
            // A later response may have held it longer: look again.
            tokio::time::sleep_until(until).await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::headers::tests::headers;
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn a_used_up_budget_holds_its_group_until_the_reset() {
        let holds = Holds::default();
        let empty = headers(&[("ratelimit", "\"default\";r=0;t=30")]);
        holds.observe(Some("search"), StatusCode::OK, &empty);
        holds.observe(
            None,
            StatusCode::OK,
            &headers(&[("ratelimit", "\"d\";r=5;t=30")]),
        );
        // Other groups go at once.
        let start = Instant::now();
        holds.wait(None, None).await.expect("not held");
        holds.wait(Some("core"), None).await.expect("not held");
        assert_eq!(Instant::now(), start);
        // A deadline before the reset: refused at once.
        let soon = Some(start + Duration::from_secs(5));
        let left = holds.wait(Some("search"), soon).await.expect_err("held");
        assert_eq!(left, Duration::from_secs(30));
        assert_eq!(Instant::now(), start);
        holds
            .wait(Some("search"), None)
            .await
            .expect("after the reset");
        assert_eq!(Instant::now() - start, Duration::from_secs(30));
    }

    #[tokio::test(start_paused = true)]
    async fn a_429_with_retry_after_holds_too() {
        let holds = Holds::default();
        let start = Instant::now();
        holds.observe(
            None,
            StatusCode::TOO_MANY_REQUESTS,
            &headers(&[("retry-after", "4")]),
        );
        holds.wait(None, None).await.expect("after the wait");
        assert_eq!(Instant::now() - start, Duration::from_secs(4));
        // A 200 with a Retry-After is no hold.
        holds.observe(None, StatusCode::OK, &headers(&[("retry-after", "4")]));
        holds.wait(None, None).await.expect("not held");
        assert_eq!(Instant::now() - start, Duration::from_secs(4));
    }
}
