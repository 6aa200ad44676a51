//! "When" to retry: the policy's settings, the backoff schedule and the
//! wait a server asks for.

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use http::StatusCode;
use http::header::{HeaderMap, HeaderName};

use super::budget::RetryBudget;

/// The statuses retried by default: 408, 429, 500, 502, 503, 504.
pub const DEFAULT_RETRY_STATUSES: [u16; 6] = [408, 429, 500, 502, 503, 504];

type JitterFn = dyn Fn() -> f64 + Send + Sync;

/// How a client retries failed attempts: how many times, how long it waits
/// in between, which answers are worth another try, and how much retrying a
/// client may do at all (its [`RetryBudget`]).
///
/// *Which* requests may be sent again is not a setting: GET, HEAD, PUT,
/// DELETE, OPTIONS and TRACE retry on the retryable statuses and on transport
/// errors; POST, PATCH and other methods only when the endpoint is
/// `#[idempotent]` or the call carries an idempotency key (then every attempt
/// carries the same `Idempotency-Key` header); any method retries on 429, on
/// errors where the request never left (connection refused, DNS), and on an
/// HTTP/2 stream the server refused unprocessed
/// ([`TransportError::is_refused`](crate::TransportError::is_refused)).
///
/// The wait before retry `n` (0 for the first retry) is chosen with "full
/// jitter": uniformly between zero and `min(max_delay, base_delay * 2^n)`.
/// When the response says how long to wait (`Retry-After`, or
/// `RateLimit-Reset`/`X-RateLimit-Reset` on a 429), that wait is used
/// instead, up to [`max_retry_after`](RetryPolicy::max_retry_after). A wait
/// that would end after the call's deadline (its `timeout`) is not taken: the
/// call ends at once with the last response or error.
///
/// ```
/// # fn main() -> restrait::Result<()> {
/// use std::time::Duration;
/// use restrait::{Client, RetryBudget, RetryPolicy};
///
/// let policy = RetryPolicy::default()
///     .max_retries(5)
///     .base_delay(Duration::from_millis(50))
///     .max_delay(Duration::from_secs(10))
///     .budget(RetryBudget::new().capacity(100));
/// let client = Client::builder("https://api.example.com")
///     .retry(policy)
///     .timeout(Duration::from_secs(30)) // the deadline over all attempts
///     .build()?;
/// # Ok(()) }
/// ```
#[derive(Clone)]
#[must_use]
pub struct RetryPolicy {
    pub(crate) max_retries: u32,
    pub(crate) base_delay: Duration,
    pub(crate) max_delay: Duration,
    pub(crate) statuses: Vec<StatusCode>,
    pub(crate) max_retry_after: Duration,
    pub(crate) idempotency_header: HeaderName,
    pub(crate) budget: Option<RetryBudget>,
    jitter: Option<Arc<JitterFn>>,
}

impl Default for RetryPolicy {
    /// 3 retries, waits from a 100 ms base up to 30 s, the statuses of
    /// [`DEFAULT_RETRY_STATUSES`], server-asked waits honoured up to 60 s,
    /// the `Idempotency-Key` header and the default [`RetryBudget`].
    fn default() -> Self {
        RetryPolicy {
            max_retries: 3,
            base_delay: Duration::from_millis(100),
            max_delay: Duration::from_secs(30),
            statuses: DEFAULT_RETRY_STATUSES
                .iter()
                .filter_map(|&s| StatusCode::from_u16(s).ok())
                .collect(),
            max_retry_after: Duration::from_secs(60),
            idempotency_header: HeaderName::from_static("idempotency-key"),
            budget: Some(RetryBudget::new()),
            jitter: None,
        }
    }
}

impl RetryPolicy {
    /// The default policy; see [`RetryPolicy::default`].
    pub fn new() -> Self {
        Self::default()
    }

    /// A policy that never retries. `#[idempotent]` POSTs still carry an
    /// `Idempotency-Key`, which protects them when the caller retries by hand.
    ///
    /// ```
    /// # fn main() -> restrait::Result<()> {
    /// let client = restrait::Client::builder("https://api.example.com")
    ///     .retry(restrait::RetryPolicy::never())
    ///     .build()?;
    /// # Ok(()) }
    /// ```
    pub fn never() -> Self {
        RetryPolicy {
            max_retries: 0,
            ..Self::default()
        }
    }

    /// How many times a failed call may be sent again (so at most
    /// `retries + 1` attempts). `#[retry(max = N)]`, `#[retry(never)]` and
    /// [`CallOptions::max_retries`](crate::CallOptions::max_retries) override
    /// it for their calls.
    pub fn max_retries(mut self, retries: u32) -> Self {
        self.max_retries = retries;
        self
    }

    /// The first backoff step (default 100 ms): the wait before retry `n` is
    /// at most `base_delay * 2^n`.
    pub fn base_delay(mut self, delay: Duration) -> Self {
        self.base_delay = delay;
        self
    }

    /// The longest backoff wait (default 30 s).
    pub fn max_delay(mut self, delay: Duration) -> Self {
        self.max_delay = delay;
        self
    }

    /// The statuses worth another try, replacing the default set
    /// ([`DEFAULT_RETRY_STATUSES`]). Numbers that are not HTTP statuses are
    /// ignored. A POST that is not idempotent is only retried on 429, and only
    /// if 429 is in the set.
    ///
    /// ```
    /// let policy = restrait::RetryPolicy::default().statuses([429, 503]);
    /// assert!(policy.retries_status(503) && !policy.retries_status(500));
    /// ```
    pub fn statuses(mut self, statuses: impl IntoIterator<Item = u16>) -> Self {
        self.statuses = statuses
            .into_iter()
            .filter_map(|s| StatusCode::from_u16(s).ok())
            .collect();
        self
    }

    /// True if a response with this status is worth another try (for a
    /// request that may be sent again).
    pub fn retries_status(&self, status: u16) -> bool {
        self.statuses.iter().any(|s| s.as_u16() == status)
    }

    /// The longest wait a server may ask for with `Retry-After` (default
    /// 60 s); a longer one is cut to this. The caller still sees the wait the
    /// server asked for in [`Error::RateLimited`](crate::Error::RateLimited).
    pub fn max_retry_after(mut self, limit: Duration) -> Self {
        self.max_retry_after = limit;
        self
    }

    /// The header that carries the idempotency key of a POST or PATCH
    /// (default `Idempotency-Key`).
    ///
    /// ```
    /// use restrait::http::HeaderName;
    /// let policy = restrait::RetryPolicy::default()
    ///     .idempotency_header(HeaderName::from_static("x-idempotency-key"));
    /// ```
    pub fn idempotency_header(mut self, name: HeaderName) -> Self {
        self.idempotency_header = name;
        self
    }

    /// The retry budget of a client that uses this policy (default
    /// [`RetryBudget::new`]). The budget belongs to the client: a policy
    /// given to one call with [`CallOptions::retry`](crate::CallOptions::retry)
    /// spends from the client's budget and its own budget setting is ignored.
    pub fn budget(mut self, budget: RetryBudget) -> Self {
        self.budget = Some(budget);
        self
    }

    /// No retry budget: every call may use all its retries, however many
    /// fail. A server that is down then gets `max_retries + 1` times the
    /// traffic; prefer a budget.
    pub fn no_budget(mut self) -> Self {
        self.budget = None;
        self
    }

    /// Replaces the random source of the jitter (default: a fast thread-local
    /// generator) with one returning numbers in `[0, 1]`; values outside are
    /// clamped. Tests use a constant to make waits predictable.
    ///
    /// ```
    /// use std::time::Duration;
    /// let policy = restrait::RetryPolicy::default()
    ///     .base_delay(Duration::from_millis(100))
    ///     .jitter(|| 1.0); // always the longest wait
    /// assert_eq!(policy.backoff(0), Duration::from_millis(100));
    /// assert_eq!(policy.backoff(2), Duration::from_millis(400));
    /// ```
    pub fn jitter(mut self, source: impl Fn() -> f64 + Send + Sync + 'static) -> Self {
        self.jitter = Some(Arc::new(source));
        self
    }

    /// The retry limit.
    pub fn get_max_retries(&self) -> u32 {
        self.max_retries
    }

    /// The retry budget, if any.
    pub fn get_budget(&self) -> Option<&RetryBudget> {
        self.budget.as_ref()
    }

    /// The backoff wait before retry `retry` (0 for the first retry): a
    /// random duration between zero and `min(max_delay, base_delay * 2^retry)`.
    pub fn backoff(&self, retry: u32) -> Duration {
        let ceiling = self.backoff_ceiling(retry);
        let factor = match &self.jitter {
            Some(source) => source(),
            None => fastrand::f64(),
        };
        // NaN and values outside [0, 1] from a user's source are clamped.
        let factor = if factor >= 0.0 { factor.min(1.0) } else { 0.0 };
        Duration::try_from_secs_f64(ceiling.as_secs_f64() * factor)
            .unwrap_or(ceiling)
            .min(ceiling)
    }

    /// The longest wait [`backoff`](Self::backoff) can return for `retry`.
    pub fn backoff_ceiling(&self, retry: u32) -> Duration {
        let factor = 2u32.checked_pow(retry).unwrap_or(u32::MAX);
        self.base_delay.saturating_mul(factor).min(self.max_delay)
    }

    /// The wait before the next attempt: the server's (capped) if the
    /// response asked for one, else the backoff.
    pub(crate) fn wait(&self, retry: u32, asked: Option<Duration>) -> Duration {
        match asked {
            Some(asked) => asked.min(self.max_retry_after),
            None => self.backoff(retry),
        }
    }
}

impl fmt::Debug for RetryPolicy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RetryPolicy")
            .field("max_retries", &self.max_retries)
            .field("base_delay", &self.base_delay)
            .field("max_delay", &self.max_delay)
            .field(
                "statuses",
                &self
                    .statuses
                    .iter()
                    .map(StatusCode::as_u16)
                    .collect::<Vec<_>>(),
            )
            .field("max_retry_after", &self.max_retry_after)
            .field("idempotency_header", &self.idempotency_header)
            .field("budget", &self.budget)
            .field("custom_jitter", &self.jitter.is_some())
            .finish()
    }
}

/// The wait a response asks for: `Retry-After` (every RFC 9110 form), or on a
/// 429 without it `RateLimit-Reset` (delta-seconds, as the IETF draft says)
/// or `X-RateLimit-Reset` (delta-seconds, or a Unix time when it is past
/// 2001, as GitHub and others send it). Unreadable values are ignored.
pub(crate) fn server_wait(status: StatusCode, headers: &HeaderMap) -> Option<Duration> {
    server_wait_at(status, headers, SystemTime::now())
}

pub(crate) fn server_wait_at(
    status: StatusCode,
    headers: &HeaderMap,
    now: SystemTime,
) -> Option<Duration> {
    if let Some(wait) = crate::retry_after::parse_at(headers, now) {
        return Some(wait);
    }
    if status != StatusCode::TOO_MANY_REQUESTS {
        return None;
    }
    if let Some(secs) = integer_header(headers, "ratelimit-reset") {
        return Some(Duration::from_secs(secs));
    }
    let value = integer_header(headers, "x-ratelimit-reset")?;
    // Below this a value is a number of seconds; above, a Unix time (any
    // reset window longer than 31 years is not one).
    const UNIX_TIME_FROM: u64 = 1_000_000_000;
    if value < UNIX_TIME_FROM {
        return Some(Duration::from_secs(value));
    }
    let at = UNIX_EPOCH.checked_add(Duration::from_secs(value))?;
    Some(at.duration_since(now).unwrap_or(Duration::ZERO))
}

fn integer_header(headers: &HeaderMap, name: &str) -> Option<u64> {
    let text = headers.get(name)?.to_str().ok()?.trim();
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    const MS: Duration = Duration::from_millis(1);

    #[test]
    fn defaults() {
        let p = RetryPolicy::default();
        assert_eq!(p.max_retries, 3);
        assert_eq!(p.base_delay, 100 * MS);
        assert_eq!(p.max_delay, Duration::from_secs(30));
        for s in DEFAULT_RETRY_STATUSES {
            assert!(p.retries_status(s), "{s}");
        }
        for s in [200, 400, 401, 404, 409, 501, 505] {
            assert!(!p.retries_status(s), "{s}");
        }
        assert_eq!(p.idempotency_header, "idempotency-key");
        assert!(p.budget.is_some());
        assert_eq!(RetryPolicy::never().max_retries, 0);
    }

    #[test]
    fn backoff_doubles_up_to_the_cap_with_full_jitter() {
        let top = RetryPolicy::default().jitter(|| 1.0);
        let want = [
            100, 200, 400, 800, 1600, 3200, 6400, 12800, 25600, 30000, 30000,
        ];
        for (n, ms) in want.iter().enumerate() {
            let n = u32::try_from(n).expect("small");
            assert_eq!(top.backoff(n), *ms * MS, "retry {n}");
        }
        assert_eq!(top.backoff(u32::MAX), Duration::from_secs(30));
        let half = RetryPolicy::default().jitter(|| 0.5);
        assert_eq!(half.backoff(0), 50 * MS);
        assert_eq!(half.backoff(3), 400 * MS);
        let zero = RetryPolicy::default().jitter(|| 0.0);
        assert_eq!(zero.backoff(5), Duration::ZERO);
    }

    #[test]
    fn bad_jitter_values_are_clamped() {
        for (value, want) in [(f64::NAN, 0), (-3.0, 0), (7.0, 400), (f64::INFINITY, 400)] {
            let p = RetryPolicy::default().jitter(move || value);
            assert_eq!(p.backoff(2), want * MS, "{value}");
        }
        let huge = RetryPolicy::default()
            .base_delay(Duration::MAX)
            .max_delay(Duration::MAX)
            .jitter(|| 1.0);
        assert_eq!(huge.backoff(40), Duration::MAX);
    }

    #[test]
    fn default_jitter_stays_within_bounds() {
        let p = RetryPolicy::default();
        for n in 0..12 {
            let ceiling = p.backoff_ceiling(n);
            for _ in 0..200 {
                assert!(p.backoff(n) <= ceiling);
            }
        }
        // Not every wait is the same: the jitter is there.
        let waits: std::collections::HashSet<_> = (0..50).map(|_| p.backoff(4)).collect();
        assert!(waits.len() > 1);
    }

    /// Full jitter is uniform over `0..=ceiling`: over many draws (from a
    /// seeded source through the `jitter(..)` hook, and from the default
    /// source) some waits are near zero, some near the ceiling, and the mean
    /// is near half the ceiling. A factor in `0.95..1.0` fails all of these.
    #[test]
    fn full_jitter_is_uniform_from_zero_to_the_ceiling() {
        const DRAWS: u32 = 10_000;
        for source in ["seeded", "default"] {
            let p = match source {
                "seeded" => {
                    let rng = std::sync::Mutex::new(fastrand::Rng::with_seed(0x5EED));
                    RetryPolicy::default().jitter(move || match rng.lock() {
                        Ok(mut rng) => rng.f64(),
                        Err(_) => 0.5,
                    })
                }
                _ => RetryPolicy::default(),
            };
            // Retry 3: a ceiling of 800 ms.
            let ceiling = p.backoff_ceiling(3).as_secs_f64();
            let waits: Vec<f64> = (0..DRAWS).map(|_| p.backoff(3).as_secs_f64()).collect();
            let near_zero = waits.iter().filter(|&&w| w < ceiling * 0.05).count();
            let near_top = waits.iter().filter(|&&w| w > ceiling * 0.95).count();
            let low = waits.iter().filter(|&&w| w < ceiling / 2.0).count();
            let mean = waits.iter().sum::<f64>() / f64::from(DRAWS);
            // Uniform: about 500 near each end and 5,000 below half; each
            // bound is six or more standard deviations wide.
            assert!(
                (300..=700).contains(&near_zero),
                "{source}: {near_zero} near 0"
            );
            assert!(
                (300..=700).contains(&near_top),
                "{source}: {near_top} near top"
            );
            assert!((4_700..=5_300).contains(&low), "{source}: {low} below half");
            assert!(
                (mean / ceiling - 0.5).abs() < 0.02,
                "{source}: mean {mean} of ceiling {ceiling}"
            );
        }
    }

    #[test]
    fn server_waits_are_capped() {
        let p = RetryPolicy::default().max_retry_after(Duration::from_secs(5));
        assert_eq!(
            p.wait(0, Some(Duration::from_secs(2))),
            Duration::from_secs(2)
        );
        assert_eq!(
            p.wait(0, Some(Duration::from_secs(3600))),
            Duration::from_secs(5)
        );
        let p = p.jitter(|| 1.0);
        assert_eq!(p.wait(1, None), 200 * MS);
    }

    #[test]
    fn getters_and_debug_show_the_settings() {
        let budget = RetryBudget::new().capacity(7);
        let p = RetryPolicy::default().max_retries(5).budget(budget);
        assert_eq!(p.get_max_retries(), 5);
        assert_eq!(p.get_budget().map(RetryBudget::get_capacity), Some(7));
        assert!(RetryPolicy::default().no_budget().get_budget().is_none());
        let shown = format!("{p:?}");
        assert!(shown.starts_with("RetryPolicy {"), "{shown}");
        assert!(shown.contains("max_retries: 5"), "{shown}");
        assert!(shown.contains("custom_jitter: false"), "{shown}");
    }

    fn headers(pairs: &[(&str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(
                HeaderName::try_from(*k).expect("name"),
                v.parse().expect("value"),
            );
        }
        h
    }

    #[test]
    fn server_wait_reads_retry_after_then_rate_limit_headers() {
        let now = UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        let tmr = StatusCode::TOO_MANY_REQUESTS;
        let unavailable = StatusCode::SERVICE_UNAVAILABLE;
        type Case<'a> = (StatusCode, &'a [(&'a str, &'a str)], Option<u64>);
        let cases: &[Case<'_>] = &[
            (tmr, &[("retry-after", "7")], Some(7)),
            (unavailable, &[("retry-after", "7")], Some(7)),
            (
                tmr,
                &[("retry-after", "7"), ("ratelimit-reset", "9")],
                Some(7),
            ),
            (tmr, &[("ratelimit-reset", "9")], Some(9)),
            (unavailable, &[("ratelimit-reset", "9")], None),
            (tmr, &[("x-ratelimit-reset", "12")], Some(12)),
            (tmr, &[("x-ratelimit-reset", "1700000030")], Some(30)),
            (tmr, &[("x-ratelimit-reset", "1600000000")], Some(0)),
            (tmr, &[("x-ratelimit-reset", "soon")], None),
            (tmr, &[("ratelimit-reset", "-1")], None),
            // u64's parser takes a leading `+`; delta-seconds do not.
            (tmr, &[("ratelimit-reset", "+5")], None),
            // The first value read as a Unix time (2001-09-09, long past).
            (tmr, &[("x-ratelimit-reset", "1000000000")], Some(0)),
            (
                tmr,
                &[("x-ratelimit-reset", "999999999")],
                Some(999_999_999),
            ),
            (
                tmr,
                &[("x-ratelimit-reset", "99999999999999999999999")],
                None,
            ),
            (tmr, &[], None),
        ];
        for (status, pairs, want) in cases {
            assert_eq!(
                server_wait_at(*status, &headers(pairs), now),
                want.map(Duration::from_secs),
                "{status} {pairs:?}"
            );
        }
    }
}
