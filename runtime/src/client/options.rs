//! Per-call options: what a `with_options` copy of a resource client changes.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use http::HeaderMap;
use http::header::{HeaderName, HeaderValue};

use crate::middleware::retry::RetryPolicy;
use crate::redact::RedactedHeaders;

/// Options for the calls of one resource client, set with
/// `{Trait}Client::with_options`. Unset fields fall back to the method's
/// attributes (`#[timeout]`, `#[retry]`), then to the [`Client`](crate::Client)'s
/// settings; set fields win over both.
///
/// ```
/// use std::time::Duration;
/// use restrait::CallOptions;
///
/// let options = CallOptions::new()
///     .timeout(Duration::from_secs(2))
///     .max_retries(0)
///     .header("x-request-id", "req-42");
/// assert_eq!(options.get_timeout(), Some(Duration::from_secs(2)));
/// ```
///
/// Its `Debug` output hides the values of credential headers
/// (`Authorization`, API keys, cookies, ...).
#[derive(Clone, Default)]
#[must_use]
pub struct CallOptions {
    pub(crate) timeout: Option<Duration>,
    pub(crate) attempt_timeout: Option<Duration>,
    pub(crate) max_retries: Option<u32>,
    pub(crate) idempotency_key: Option<Arc<str>>,
    pub(crate) retry: Option<Arc<RetryPolicy>>,
    pub(crate) headers: HeaderMap,
    /// Typed values for middleware, moved into the request's extensions.
    pub(crate) extensions: http::Extensions,
}

impl CallOptions {
    /// No overrides.
    pub fn new() -> Self {
        Self::default()
    }

    /// No overrides, shared: what a request without options reads.
    pub(crate) fn none() -> &'static CallOptions {
        static NONE: std::sync::LazyLock<CallOptions> = std::sync::LazyLock::new(CallOptions::new);
        &NONE
    }

    /// True when nothing is overridden, so that a request needs no box for
    /// its options.
    pub(crate) fn is_empty(&self) -> bool {
        self.timeout.is_none()
            && self.attempt_timeout.is_none()
            && self.max_retries.is_none()
            && self.idempotency_key.is_none()
            && self.retry.is_none()
            && self.headers.is_empty()
            && self.extensions.is_empty()
    }

    /// The deadline of the whole call, retries and waits included. A
    /// timeout of 100 years or more (such as `Duration::MAX`, whose deadline
    /// the clock cannot hold) means no deadline.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// The time limit of each attempt. A limit of 100 years or more (such as
    /// `Duration::MAX`) means no limit.
    pub fn attempt_timeout(mut self, timeout: Duration) -> Self {
        self.attempt_timeout = Some(timeout);
        self
    }

    /// How many times a failed call may be retried (0: never). Wins over the
    /// count of any [`RetryPolicy`], the client's or [`retry`](Self::retry)'s.
    pub fn max_retries(mut self, retries: u32) -> Self {
        self.max_retries = Some(retries);
        self
    }

    /// The retry policy of these calls instead of the client's: its
    /// count, waits and statuses. Its budget setting is ignored: retries
    /// spend from the client's budget. Laid over options that set a retry
    /// count (such as the method's `#[retry(max = N)]`), it replaces that
    /// count too, unless the same options also set
    /// [`max_retries`](Self::max_retries).
    ///
    /// ```
    /// use std::time::Duration;
    /// use restrait::{CallOptions, RetryPolicy};
    ///
    /// let options = CallOptions::new()
    ///     .retry(RetryPolicy::default().max_retries(8).max_delay(Duration::from_secs(2)));
    /// assert_eq!(options.get_retry().map(|p| p.get_max_retries()), Some(8));
    /// ```
    pub fn retry(mut self, policy: RetryPolicy) -> Self {
        self.retry = Some(Arc::new(policy));
        self
    }

    /// The idempotency key sent with every attempt of an unsafe call (e.g. a
    /// POST), instead of a generated one; this also makes the call retryable.
    pub fn idempotency_key(mut self, key: impl Into<String>) -> Self {
        self.idempotency_key = Some(Arc::from(key.into()));
        self
    }

    /// Adds a value of header `name` to every call; called again with the
    /// same name, it adds another value, and every value is sent. On a
    /// call, these headers replace all values of the same name that the
    /// request (its `#[header]` parameters and `#[headers]`) or the client's
    /// default headers would send. Laid over other options (a second
    /// `with_options`), a name set here replaces all of their values of
    /// that name.
    ///
    /// An invalid name or value is ignored here; use
    /// [`CallOptions::try_header`] to see the error.
    pub fn header(self, name: &str, value: &str) -> Self {
        match self.clone().try_header(name, value) {
            Ok(options) => options,
            Err(_) => self,
        }
    }

    /// Like [`header`](Self::header) (it adds a value), or an error for an
    /// invalid name or value.
    pub fn try_header(mut self, name: &str, value: &str) -> crate::Result<Self> {
        let name = HeaderName::try_from(name)
            .map_err(|_| crate::Error::invalid_request(format!("invalid header name `{name}`")))?;
        let value = HeaderValue::try_from(value).map_err(|_| {
            crate::Error::invalid_request(format!("invalid value for header `{name}`"))
        })?;
        self.headers.append(name, value);
        Ok(self)
    }

    /// Attaches a typed value (a tenant, a priority, a trace baggage) to
    /// every call made with these options: it is put in the request's
    /// [`extensions`](crate::Request::extensions), where middleware reads it
    /// with `request.extensions().get::<T>()`. One value per type: a second
    /// value of the same type replaces the first, and options laid over
    /// others (a second `with_options`) replace their value of that type.
    ///
    /// ```
    /// use restrait::CallOptions;
    ///
    /// #[derive(Clone, Debug, PartialEq)]
    /// struct Tenant(&'static str);
    ///
    /// let options = CallOptions::new().extension(Tenant("acme"));
    /// assert_eq!(options.get_extension::<Tenant>(), Some(&Tenant("acme")));
    /// ```
    pub fn extension<T: Clone + Send + Sync + 'static>(mut self, value: T) -> Self {
        self.extensions.insert(value);
        self
    }

    /// The value of type `T` attached with [`extension`](Self::extension), if any.
    pub fn get_extension<T: Send + Sync + 'static>(&self) -> Option<&T> {
        self.extensions.get::<T>()
    }

    /// The whole-call deadline, if set.
    pub fn get_timeout(&self) -> Option<Duration> {
        self.timeout
    }

    /// The per-attempt time limit, if set.
    pub fn get_attempt_timeout(&self) -> Option<Duration> {
        self.attempt_timeout
    }

    /// The retry limit, if set.
    pub fn get_max_retries(&self) -> Option<u32> {
        self.max_retries
    }

    /// The retry policy, if set.
    pub fn get_retry(&self) -> Option<&RetryPolicy> {
        self.retry.as_deref()
    }

    /// The caller-supplied idempotency key, if set.
    pub fn get_idempotency_key(&self) -> Option<&str> {
        self.idempotency_key.as_deref()
    }

    /// The extra headers.
    pub fn get_headers(&self) -> &HeaderMap {
        &self.headers
    }

    /// Lays `over` on top of `self`: the fields `over` sets win; a header
    /// name `over` sets replaces all of `self`'s values of that name with
    /// all of `over`'s.
    pub(crate) fn merge(&mut self, over: &CallOptions) {
        if over.timeout.is_some() {
            self.timeout = over.timeout;
        }
        if over.attempt_timeout.is_some() {
            self.attempt_timeout = over.attempt_timeout;
        }
        if over.retry.is_some() {
            // A policy laid on top brings its own count, unless `over` also
            // sets one.
            self.retry.clone_from(&over.retry);
            self.max_retries = over.max_retries;
        } else if over.max_retries.is_some() {
            self.max_retries = over.max_retries;
        }
        if over.idempotency_key.is_some() {
            self.idempotency_key.clone_from(&over.idempotency_key);
        }
        crate::client::replace_with(&mut self.headers, &over.headers);
        self.extensions.extend(over.extensions.clone());
    }
}

impl fmt::Debug for CallOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CallOptions")
            .field("timeout", &self.timeout)
            .field("attempt_timeout", &self.attempt_timeout)
            .field("max_retries", &self.max_retries)
            .field("idempotency_key", &self.idempotency_key)
            .field("retry", &self.retry)
            .field("headers", &RedactedHeaders(&self.headers))
            .field("extensions", &self.extensions.len())
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn later_options_win() {
        let mut base = CallOptions::new()
            .timeout(Duration::from_secs(1))
            .max_retries(3);
        base.merge(&CallOptions::new().max_retries(0).header("x-a", "1"));
        assert_eq!(base.get_timeout(), Some(Duration::from_secs(1)));
        assert_eq!(base.get_max_retries(), Some(0));
        assert_eq!(base.get_headers()["x-a"], "1");
    }

    #[test]
    fn a_later_retry_policy_replaces_an_earlier_count() {
        let mut base = CallOptions::new().max_retries(5);
        base.merge(&CallOptions::new().retry(RetryPolicy::never()));
        assert_eq!(base.get_max_retries(), None);
        assert_eq!(base.get_retry().map(RetryPolicy::get_max_retries), Some(0));

        let mut base = CallOptions::new().max_retries(5);
        base.merge(
            &CallOptions::new()
                .retry(RetryPolicy::never())
                .max_retries(2),
        );
        assert_eq!(base.get_max_retries(), Some(2));

        let mut base = CallOptions::new().retry(RetryPolicy::never());
        base.merge(&CallOptions::new().max_retries(4));
        assert_eq!(base.get_max_retries(), Some(4));
        assert!(base.get_retry().is_some(), "a count alone keeps the policy");
    }

    #[test]
    fn every_header_value_is_kept_and_later_names_replace() {
        let mut base = CallOptions::new()
            .header("x-a", "1")
            .header("x-a", "2")
            .header("x-b", "3");
        base.merge(&CallOptions::new().header("x-b", "4").header("X-B", "5"));
        let all = |name: &str| -> Vec<String> {
            base.get_headers()
                .get_all(name)
                .iter()
                .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
                .collect()
        };
        assert_eq!(all("x-a"), ["1", "2"]);
        assert_eq!(all("x-b"), ["4", "5"]);
    }

    #[test]
    fn debug_hides_credential_headers() {
        let options = CallOptions::new()
            .header("Authorization", "Bearer sk_live_1")
            .header("x-api-key", "k123")
            .header("x-request-id", "req-42");
        let shown = format!("{options:?}");
        assert!(
            !shown.contains("sk_live_1") && !shown.contains("k123"),
            "{shown}"
        );
        assert!(shown.contains("req-42"), "{shown}");
    }

    #[test]
    fn later_extensions_replace_earlier_ones_of_their_type() {
        #[derive(Clone, Debug, PartialEq)]
        struct Tenant(&'static str);
        #[derive(Clone, Debug, PartialEq)]
        struct Priority(u8);
        let mut base = CallOptions::new()
            .extension(Tenant("a"))
            .extension(Priority(1));
        base.merge(&CallOptions::new().extension(Tenant("b")));
        assert_eq!(base.get_extension::<Tenant>(), Some(&Tenant("b")));
        assert_eq!(base.get_extension::<Priority>(), Some(&Priority(1)));
    }

    #[test]
    fn bad_headers_are_reported() {
        assert!(CallOptions::new().try_header("x-a", "a\r\nb: c").is_err());
        assert!(CallOptions::new().try_header("bad name", "v").is_err());
    }
}
