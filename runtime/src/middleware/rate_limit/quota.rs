//! [`Quota`]: how many requests a client (or an endpoint group) may send.

use std::fmt;
use std::num::NonZeroU32;
use std::time::Duration;

/// A rate: `n` requests per period, with bursts of up to `burst` requests
/// (by default `n`) once the client has been quiet.
///
/// Slots are handed out by the GCRA algorithm: one every `period / n`, and
/// up to `burst` at once after a quiet spell. A quota of 0 requests, or a
/// period of zero, makes [`ClientBuilder::build`](crate::ClientBuilder::build)
/// fail with [`Error::Config`](crate::Error::Config).
///
/// ```
/// use std::time::Duration;
/// use restrait::Quota;
///
/// let api = Quota::per_second(10).burst(20);
/// assert_eq!(api.interval(), Duration::from_millis(100));
/// assert_eq!(api.burst_size(), 20);
/// let search = Quota::per_minute(30);
/// assert_eq!(search.interval(), Duration::from_secs(2));
/// ```
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Quota {
    /// How many requests per `period`.
    count: u32,
    period: Duration,
    burst: Option<u32>,
}

impl Quota {
    /// `count` requests per second.
    pub const fn per_second(count: u32) -> Quota {
        Quota::new(count, Duration::from_secs(1))
    }

    /// `count` requests per minute.
    pub const fn per_minute(count: u32) -> Quota {
        Quota::new(count, Duration::from_secs(60))
    }

    /// `count` requests per hour.
    pub const fn per_hour(count: u32) -> Quota {
        Quota::new(count, Duration::from_secs(60 * 60))
    }

    /// `count` requests per `period`.
    pub const fn new(count: u32, period: Duration) -> Quota {
        Quota {
            count,
            period,
            burst: None,
        }
    }

    /// How many requests may go at once after a quiet spell (default: the
    /// quota's count).
    #[must_use]
    pub const fn burst(mut self, burst: u32) -> Quota {
        self.burst = Some(burst);
        self
    }

    /// The time between two slots: the period divided by the count (zero for
    /// an invalid quota).
    pub fn interval(&self) -> Duration {
        match self.count {
            0 => Duration::ZERO,
            n => self.period / n,
        }
    }

    /// The largest burst.
    pub fn burst_size(&self) -> u32 {
        self.burst.unwrap_or(self.count)
    }

    /// What is wrong with the quota, for `build`'s error.
    pub(crate) fn check(&self) -> Result<(), String> {
        if self.count == 0 || self.burst == Some(0) {
            return Err(format!("{self:?}: a quota must allow at least 1 request"));
        }
        if self.interval().is_zero() {
            return Err(format!(
                "{self:?}: the period of a quota must be longer than zero"
            ));
        }
        // The limiter counts in nanoseconds: keep its whole span well inside.
        let span = self
            .interval()
            .saturating_mul(self.burst_size().saturating_add(1));
        if span >= crate::client::NO_LIMIT_FROM {
            return Err(format!(
                "{self:?}: a quota's burst must refill within 100 years"
            ));
        }
        Ok(())
    }

    /// The same quota in governor's terms, if it is valid.
    pub(crate) fn to_governor(self) -> Option<governor::Quota> {
        let burst = NonZeroU32::new(self.burst_size())?;
        Some(governor::Quota::with_period(self.interval())?.allow_burst(burst))
    }
}

impl fmt::Debug for Quota {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "Quota({} per {:?}, burst {})",
            self.count,
            self.period,
            self.burst_size()
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invalid_quotas_are_reported_not_panicked_on() {
        assert!(Quota::per_second(0).check().is_err());
        assert!(Quota::per_second(5).burst(0).check().is_err());
        assert!(Quota::new(3, Duration::ZERO).check().is_err());
        assert!(Quota::new(2, Duration::MAX).check().is_err());
        assert!(Quota::per_hour(1).burst(u32::MAX).check().is_err());
        assert!(Quota::per_second(1_000_000).burst(u32::MAX).check().is_ok());
        assert!(
            Quota::per_second(u32::MAX).check().is_err(),
            "under a nanosecond apart"
        );
        assert!(Quota::per_second(0).to_governor().is_none());
        assert!(Quota::per_minute(30).check().is_ok());
        let g = Quota::per_second(10)
            .burst(20)
            .to_governor()
            .expect("valid");
        assert_eq!(g.burst_size().get(), 20);
        assert_eq!(g.replenish_interval(), Duration::from_millis(100));
    }
}
