//! The quota settings of [`ClientBuilder`]: rate limits for the client and
//! for endpoint groups, and the response cache.

use std::collections::HashMap;

use super::builder::ClientBuilder;
use crate::middleware::cache::{Cache, CacheMiddleware, unique_partition};
use crate::middleware::rate_limit::{Limiter, LocalLimiter, Quota, RateLimitMiddleware};

/// Where a quota's slots come from.
enum Source {
    Local,
    /// From Redis, under this name, shared by every process that uses it.
    #[cfg(feature = "redis")]
    Shared(crate::redis::Redis, String),
}

impl Source {
    fn limiter(self, quota: Quota) -> Option<Limiter> {
        match self {
            Source::Local => LocalLimiter::new(quota).map(Limiter::Local),
            #[cfg(feature = "redis")]
            Source::Shared(redis, name) => {
                crate::redis::SharedLimiter::new(&redis, &name, quota).map(Limiter::Shared)
            }
        }
    }
}

/// What the quota methods of the builder collected.
#[derive(Default)]
pub(crate) struct QuotaSettings {
    client: Option<(Quota, Source)>,
    groups: Vec<(String, Quota, Source)>,
    cache: Option<Cache>,
    /// `adapt_to_server_limits`: `None` until set.
    adaptive: Option<bool>,
    /// What the auth says about its credential: `None` without an auth,
    /// `Some(None)` for one that cannot say (see `Auth::cache_key`).
    pub(crate) auth_cache_key: Option<Option<u64>>,
}

/// The layers the settings make, each where it goes in the chain.
pub(crate) struct QuotaLayers {
    /// Just below tracing.
    pub(crate) cache: Option<CacheMiddleware>,
    /// Below retry, above auth.
    pub(crate) rate_limit: Option<RateLimitMiddleware>,
}

impl QuotaSettings {
    pub(crate) fn layers(self) -> QuotaLayers {
        let client = self
            .client
            .and_then(|(quota, source)| source.limiter(quota));
        let groups: HashMap<String, Limiter> = self
            .groups
            .into_iter()
            .filter_map(|(name, quota, source)| Some((name, source.limiter(quota)?)))
            .collect();
        let limited = client.is_some() || !groups.is_empty();
        let adaptive = self.adaptive.unwrap_or(limited);
        let rate_limit =
            (limited || adaptive).then(|| RateLimitMiddleware::new(client, groups, adaptive));
        let partition = match self.auth_cache_key {
            None => 0,
            Some(Some(key)) => key,
            Some(None) => unique_partition(),
        };
        let cache = self
            .cache
            .map(|cache| CacheMiddleware::new(cache, partition));
        QuotaLayers { cache, rate_limit }
    }
}

/// Rate limits.
impl ClientBuilder {
    /// Limits the whole client to `quota`: every request it sends takes a
    /// slot (first attempts, retries and the pages of a paginated list; not
    /// OAuth2 token requests, which go to another endpoint). A call waits for its slot within its deadline, without
    /// spinning; when the slot lies past the deadline, the call ends at once
    /// with [`Error::RateLimited`](crate::Error::RateLimited) (see
    /// [`Error::is_local_rate_limit`](crate::Error::is_local_rate_limit)),
    /// and nothing is sent. A slot that comes just before the deadline
    /// leaves the request what remains of it. Replaces an earlier
    /// `rate_limit`.
    ///
    /// ```
    /// # fn main() -> restrait::Result<()> {
    /// use restrait::{Client, Quota};
    /// let client = Client::builder("https://api.example.com")
    ///     .rate_limit(Quota::per_second(10).burst(20))
    ///     .rate_limit_group("search", Quota::per_minute(30))
    ///     .build()?;
    /// # let _ = client; Ok(()) }
    /// ```
    pub fn rate_limit(self, quota: Quota) -> Self {
        self.client_quota("rate_limit", quota, Source::Local)
    }

    fn client_quota(mut self, method: &str, quota: Quota, source: Source) -> Self {
        if let Err(e) = quota.check() {
            self.push_error(format!("{method} {e}"));
        }
        self.quota.client = Some((quota, source));
        self
    }

    fn group_quota(mut self, method: &str, name: String, quota: Quota, source: Source) -> Self {
        if let Err(e) = quota.check() {
            self.push_error(format!("{method} `{name}` {e}"));
        }
        self.quota.groups.retain(|(n, ..)| *n != name);
        self.quota.groups.push((name, quota, source));
        self
    }

    /// Limits the requests of the endpoint group `name` (methods marked
    /// `#[rate_limit("name")]`, or requests carrying a
    /// [`RateLimitGroup`](crate::RateLimitGroup)) to `quota`, on top of
    /// the client's own [`rate_limit`](Self::rate_limit). A group that
    /// methods name but the client does not configure has no limit of its
    /// own: only the client's applies. Replaces an earlier quota of the
    /// same group.
    pub fn rate_limit_group(self, name: impl Into<String>, quota: Quota) -> Self {
        self.group_quota("rate_limit_group", name.into(), quota, Source::Local)
    }

    /// Whether calls follow what the server says of its own rate limit (on
    /// by default once a [`rate_limit`](Self::rate_limit) or
    /// [`rate_limit_group`](Self::rate_limit_group) is set; off otherwise).
    ///
    /// The client reads the IETF `RateLimit` / `RateLimit-Policy` fields
    /// (and the earlier drafts' `RateLimit-Remaining` / `RateLimit-Reset`),
    /// GitHub's `X-RateLimit-Remaining` / `X-RateLimit-Reset` and OpenAI's
    /// `x-ratelimit-remaining-requests` / `x-ratelimit-reset-requests`, and
    /// a 429's `Retry-After`. When a response says no request is left,
    /// further calls of the same group (or, for one without a group, the
    /// other calls without one) wait until the reset, within their
    /// deadline; a call whose deadline comes first ends at once with
    /// [`Error::RateLimited`](crate::Error::RateLimited), nothing sent.
    /// Retries and pages draw on the same budget. A reset more than a day
    /// away is taken as a day.
    ///
    /// ```
    /// # fn main() -> restrait::Result<()> {
    /// let client = restrait::Client::builder("https://api.github.com")
    ///     .adapt_to_server_limits(true)   // no quota of our own, just the server's
    ///     .build()?;
    /// # let _ = client; Ok(()) }
    /// ```
    pub fn adapt_to_server_limits(mut self, adapt: bool) -> Self {
        self.quota.adaptive = Some(adapt);
        self
    }
}

/// The response cache.
impl ClientBuilder {
    /// Caches GET responses in `cache` and revalidates them with
    /// conditional requests (see [`Cache`]). A `Cache` can be shared by
    /// several clients: entries are keyed by credential, so clients of
    /// different users never see each other's.
    ///
    /// ```
    /// # fn main() -> restrait::Result<()> {
    /// use restrait::{Cache, Client};
    /// let client = Client::builder("https://api.example.com")
    ///     .cache(Cache::memory(16 << 20))
    ///     .build()?;
    /// # let _ = client; Ok(()) }
    /// ```
    pub fn cache(mut self, cache: Cache) -> Self {
        self.quota.cache = Some(cache);
        self
    }
}

/// Rate limits shared by many processes, on Redis.
#[cfg(feature = "redis")]
impl ClientBuilder {
    /// Limits the whole client to `quota` together with every other client,
    /// in this process or another, that uses the same `name` on the same
    /// Redis: N processes together stay under one quota. The slots come
    /// from one atomic GCRA script in Redis; waiting and the deadline work
    /// as for [`rate_limit`](Self::rate_limit).
    ///
    /// While Redis cannot be reached, each process falls back to a limiter
    /// of its own with the same quota (so N processes may then send up to N
    /// times the quota), with a `tracing` warning once per outage, and goes
    /// back to the shared quota as soon as Redis answers.
    ///
    /// ```
    /// # fn main() -> restrait::Result<()> {
    /// use restrait::{redis::Redis, Client, Quota};
    /// let redis = Redis::open("redis://127.0.0.1:6379/")?;
    /// let client = Client::builder("https://api.github.com")
    ///     .shared_rate_limit(&redis, "github", Quota::per_hour(5000).burst(100))
    ///     .build()?;
    /// # let _ = client; Ok(()) }
    /// ```
    pub fn shared_rate_limit(self, redis: &crate::redis::Redis, name: &str, quota: Quota) -> Self {
        let source = Source::Shared(redis.clone(), name.to_owned());
        self.client_quota("shared_rate_limit", quota, source)
    }

    /// Limits the endpoint group `group` as
    /// [`rate_limit_group`](Self::rate_limit_group) does, with the quota
    /// shared on Redis as [`shared_rate_limit`](Self::shared_rate_limit)
    /// shares one (under the name `group:<group>`).
    pub fn shared_rate_limit_group(
        self,
        redis: &crate::redis::Redis,
        group: impl Into<String>,
        quota: Quota,
    ) -> Self {
        let group = group.into();
        let source = Source::Shared(redis.clone(), format!("group:{group}"));
        self.group_quota("shared_rate_limit_group", group, quota, source)
    }
}
