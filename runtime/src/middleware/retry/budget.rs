//! The retry budget: a token bucket shared by all calls of a client, so that
//! a failing server is not hammered by every caller's retries at once.

use std::sync::atomic::{AtomicU32, Ordering};

/// How much retrying a client may do: a token bucket in the spirit of gRPC
/// retry throttling and the AWS SDKs' retry quota.
///
/// The bucket starts full. Each retry takes [`retry_cost`](Self::retry_cost)
/// tokens; when fewer are left, calls stop retrying and end with their
/// first failure. Each call that ends well puts back
/// [`success_refill`](Self::success_refill) tokens, plus the cost of the retry
/// that made it succeed, up to [`capacity`](Self::capacity).
///
/// With the defaults (500 tokens, 5 a retry, 1 back a success) a client can
/// make 100 retries in a burst against a server that fails everything, after
/// which each call is a single attempt until successes fill the bucket
/// again. A retry that succeeds is refunded, so only retries that fail
/// drain the bucket: against a flaky server whose retries mostly work, the
/// budget does not run out.
///
/// ```
/// use restrait::{RetryBudget, RetryPolicy};
/// let policy = RetryPolicy::default()
///     .budget(RetryBudget::new().capacity(50).retry_cost(5).success_refill(1));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[must_use]
pub struct RetryBudget {
    pub(crate) capacity: u32,
    pub(crate) retry_cost: u32,
    pub(crate) success_refill: u32,
}

impl Default for RetryBudget {
    fn default() -> Self {
        RetryBudget {
            capacity: 500,
            retry_cost: 5,
            success_refill: 1,
        }
    }
}

impl RetryBudget {
    /// The default budget: 500 tokens, 5 a retry, 1 back for each success.
    pub fn new() -> Self {
        Self::default()
    }

    /// How many tokens the bucket holds (and starts with).
    pub fn capacity(mut self, tokens: u32) -> Self {
        self.capacity = tokens;
        self
    }

    /// How many tokens a retry takes (0: retries are free, the budget never
    /// runs out).
    pub fn retry_cost(mut self, tokens: u32) -> Self {
        self.retry_cost = tokens;
        self
    }

    /// How many tokens a call that ends well puts back.
    pub fn success_refill(mut self, tokens: u32) -> Self {
        self.success_refill = tokens;
        self
    }

    /// The number of tokens the bucket holds.
    pub fn get_capacity(&self) -> u32 {
        self.capacity
    }

    /// The number of tokens a retry takes.
    pub fn get_retry_cost(&self) -> u32 {
        self.retry_cost
    }

    /// The number of tokens a success puts back.
    pub fn get_success_refill(&self) -> u32 {
        self.success_refill
    }
}

/// The live bucket of one client.
#[derive(Debug)]
pub(crate) struct TokenBucket {
    config: RetryBudget,
    tokens: AtomicU32,
}

impl TokenBucket {
    pub(crate) fn new(config: RetryBudget) -> Self {
        TokenBucket {
            config,
            tokens: AtomicU32::new(config.capacity),
        }
    }

    /// Takes the cost of one retry; false (taking nothing) if too few tokens
    /// are left.
    pub(crate) fn try_spend(&self) -> bool {
        let cost = self.config.retry_cost;
        self.tokens
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |t| t.checked_sub(cost))
            .is_ok()
    }

    /// A call ended well; `retried` says whether it took a retry to get there.
    pub(crate) fn on_success(&self, retried: bool) {
        let mut add = self.config.success_refill;
        if retried {
            add = add.saturating_add(self.config.retry_cost);
        }
        if add == 0 {
            return;
        }
        let cap = self.config.capacity;
        // A full bucket (most of the time) is only read: every call of a
        // client ends here, and a write from each would pass the cache
        // line from core to core.
        if self.tokens.load(Ordering::Acquire) >= cap {
            return;
        }
        // The closure always returns Some, so this cannot fail.
        let _ = self
            .tokens
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |t| {
                Some(t.saturating_add(add).min(cap))
            });
    }

    #[cfg(test)]
    pub(crate) fn tokens(&self) -> u32 {
        self.tokens.load(Ordering::Acquire)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The getters read back what the setters wrote, and the defaults
    /// (found by cargo-mutants: a getter returning 0 or 1 passed).
    #[test]
    fn getters_read_back_the_settings() {
        let d = RetryBudget::new();
        assert_eq!(
            (d.get_capacity(), d.get_retry_cost(), d.get_success_refill()),
            (500, 5, 1)
        );
        let b = RetryBudget::new()
            .capacity(50)
            .retry_cost(7)
            .success_refill(3);
        assert_eq!(
            (b.get_capacity(), b.get_retry_cost(), b.get_success_refill()),
            (50, 7, 3)
        );
    }

    #[test]
    fn drains_and_refuses() {
        let bucket = TokenBucket::new(RetryBudget::new().capacity(12).retry_cost(5));
        assert!(bucket.try_spend());
        assert!(bucket.try_spend());
        assert_eq!(bucket.tokens(), 2);
        assert!(!bucket.try_spend());
        assert_eq!(bucket.tokens(), 2, "a refused retry takes nothing");
    }

    #[test]
    fn successes_refill_up_to_capacity() {
        let bucket = TokenBucket::new(RetryBudget::new().capacity(10).retry_cost(5));
        assert!(bucket.try_spend() && bucket.try_spend());
        assert!(!bucket.try_spend());
        for _ in 0..4 {
            bucket.on_success(false);
        }
        assert!(!bucket.try_spend());
        bucket.on_success(false);
        assert!(bucket.try_spend(), "five successes pay for one retry");
        bucket.on_success(true);
        assert_eq!(bucket.tokens(), 6, "a retry that worked is refunded");
        for _ in 0..100 {
            bucket.on_success(true);
        }
        assert_eq!(bucket.tokens(), 10);
    }

    #[test]
    fn a_free_retry_never_runs_out() {
        let bucket = TokenBucket::new(RetryBudget::new().capacity(0).retry_cost(0));
        for _ in 0..1000 {
            assert!(bucket.try_spend());
        }
    }

    #[test]
    fn default_budget_allows_a_hundred_retries_in_a_burst() {
        let bucket = TokenBucket::new(RetryBudget::new());
        let allowed = (0..1000).take_while(|_| bucket.try_spend()).count();
        assert_eq!(allowed, 100);
    }

    #[test]
    fn concurrent_spending_never_goes_below_zero() {
        let bucket = std::sync::Arc::new(TokenBucket::new(RetryBudget::new()));
        let threads: Vec<_> = (0..4)
            .map(|_| {
                let b = bucket.clone();
                std::thread::spawn(move || (0..100).filter(|_| b.try_spend()).count())
            })
            .collect();
        let total: usize = threads
            .into_iter()
            .map(|t| t.join().expect("no panic"))
            .sum();
        assert_eq!(total, 100);
        assert_eq!(bucket.tokens(), 0);
    }
}
