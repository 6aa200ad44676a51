//! Quota and tokens shared by many processes through Redis (the `redis`
//! feature): a GCRA rate limiter that N processes draw on together
//! ([`ClientBuilder::shared_rate_limit`](crate::ClientBuilder::shared_rate_limit)),
//! and an OAuth2 [`TokenStore`](crate::auth::TokenStore) with a
//! distributed single flight ([`RedisTokenStore`]).
//!
//! Both survive Redis going away: while it cannot be reached, calls fall
//! back to a limiter in this process and to refreshing tokens here, a
//! `tracing` warning says so (once per outage), and they go back to Redis
//! as soon as it answers again.
//!
//! ```no_run
//! # async fn demo() -> restrait::Result<()> {
//! use restrait::redis::{Redis, RedisTokenStore};
//! use restrait::{Client, OAuth2, Quota};
//!
//! let redis = Redis::open("redis://127.0.0.1:6379/")?;
//! let client = Client::builder("https://api.example.com")
//!     .shared_rate_limit(&redis, "example-api", Quota::per_second(50))
//!     .auth(
//!         OAuth2::client_credentials("https://auth.example.com/token", "id", "secret")
//!             .store(RedisTokenStore::new(&redis, "example-api:tokens")),
//!     )
//!     .build()?;
//! # let _ = client; Ok(()) }
//! ```

mod limiter;
mod token_store;

pub(crate) use limiter::SharedLimiter;
pub use token_store::RedisTokenStore;

use std::fmt;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use ::redis::aio::MultiplexedConnection;
use ::redis::{AsyncConnectionConfig, RedisError};
use tokio::time::Instant;

use crate::error::{Error, Result};

/// How long connecting to Redis, or one command, may take by default.
pub const DEFAULT_REDIS_TIMEOUT: Duration = Duration::from_secs(1);

/// After a failure, how long Redis is left alone before the next try.
const RETRY_AFTER_FAILURE: Duration = Duration::from_secs(1);

/// A connection to one Redis server, shared by the limiters and token
/// stores made from it. Cheap to clone.
///
/// It connects on first use and again after a failure; each connect and
/// each command is bounded by its [`timeout`](Redis::timeout). After a
/// failure, Redis is not asked again for a second: calls use their local
/// fallback meanwhile, so an outage costs each call no wait.
#[derive(Clone)]
pub struct Redis {
    shared: Arc<Shared>,
}

struct Shared {
    client: ::redis::Client,
    prefix: String,
    timeout: Duration,
    state: Mutex<Conn>,
    /// True while Redis is known to be unreachable (to warn once).
    down: AtomicBool,
    /// The server's address without userinfo, for logs.
    shown: String,
}

#[derive(Default)]
struct Conn {
    connection: Option<MultiplexedConnection>,
    retry_at: Option<Instant>,
}

/// Why Redis could not be used for this call.
#[derive(Debug)]
pub(crate) struct Unavailable(pub(crate) String);

impl fmt::Display for Unavailable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Unavailable {}

impl Redis {
    /// A handle on the Redis server at `url` (`redis://host:port/db`,
    /// `rediss://` for TLS is not built in). Nothing is connected yet: a bad
    /// URL is an [`Error::Config`], an unreachable server only a warning
    /// when it is first needed.
    pub fn open(url: &str) -> Result<Redis> {
        let client = ::redis::Client::open(url)
            .map_err(|e| Error::config(format!("invalid Redis URL: {e}")))?;
        let info = client.get_connection_info();
        let shown = format!("{}", info.addr());
        Ok(Redis {
            shared: Arc::new(Shared {
                client,
                prefix: "restrait:".to_owned(),
                timeout: DEFAULT_REDIS_TIMEOUT,
                state: Mutex::new(Conn::default()),
                down: AtomicBool::new(false),
                shown,
            }),
        })
    }

    /// The prefix of every key this handle uses (default `restrait:`).
    #[must_use]
    pub fn prefix(self, prefix: impl Into<String>) -> Redis {
        self.reconfigure(|s| s.prefix = prefix.into())
    }

    /// How long connecting, or one command, may take (default
    /// [`DEFAULT_REDIS_TIMEOUT`], 1 s) before the call falls back.
    #[must_use]
    pub fn timeout(self, timeout: Duration) -> Redis {
        self.reconfigure(|s| s.timeout = timeout)
    }

    fn reconfigure(self, change: impl FnOnce(&mut Settings)) -> Redis {
        let mut settings = Settings {
            prefix: self.shared.prefix.clone(),
            timeout: self.shared.timeout,
        };
        change(&mut settings);
        Redis {
            shared: Arc::new(Shared {
                client: self.shared.client.clone(),
                prefix: settings.prefix,
                timeout: settings.timeout,
                state: Mutex::new(Conn::default()),
                down: AtomicBool::new(false),
                shown: self.shared.shown.clone(),
            }),
        }
    }

    pub(crate) fn key(&self, name: &str) -> String {
        format!("{}{name}", self.shared.prefix)
    }

    fn state(&self) -> MutexGuard<'_, Conn> {
        self.shared
            .state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// A connection, made if need be; an error while Redis is known to be
    /// down or cannot be reached.
    async fn connection(&self) -> std::result::Result<MultiplexedConnection, Unavailable> {
        {
            let state = self.state();
            if let Some(c) = &state.connection {
                return Ok(c.clone());
            }
            if state.retry_at.is_some_and(|at| Instant::now() < at) {
                return Err(Unavailable("Redis was unreachable a moment ago".into()));
            }
        }
        let config = AsyncConnectionConfig::new()
            .set_connection_timeout(Some(self.shared.timeout))
            .set_response_timeout(Some(self.shared.timeout));
        match self
            .shared
            .client
            .get_multiplexed_async_connection_with_config(&config)
            .await
        {
            Ok(c) => {
                self.state().connection = Some(c.clone());
                Ok(c)
            }
            Err(e) => Err(self.failed(&e)),
        }
    }

    /// Runs `command` on a connection, within the timeout. A failure drops
    /// the connection and leaves Redis alone for a moment.
    pub(crate) async fn run<T, F, Fut>(&self, command: F) -> std::result::Result<T, Unavailable>
    where
        F: FnOnce(MultiplexedConnection) -> Fut,
        Fut: std::future::Future<Output = ::redis::RedisResult<T>>,
    {
        let connection = self.connection().await?;
        match tokio::time::timeout(self.shared.timeout, command(connection)).await {
            Ok(Ok(value)) => {
                if self.shared.down.swap(false, Ordering::Relaxed) {
                    tracing::info!(redis = %self.shared.shown, "Redis is reachable again: quota and tokens are shared again");
                }
                Ok(value)
            }
            Ok(Err(e)) if !is_outage(&e) => {
                Err(Unavailable(format!("Redis refused the command: {e}")))
            }
            Ok(Err(e)) => Err(self.failed(&e)),
            Err(_) => Err(self.failed(&"the command timed out")),
        }
    }

    fn failed(&self, why: &dyn fmt::Display) -> Unavailable {
        {
            let mut state = self.state();
            state.connection = None;
            state.retry_at = Instant::now().checked_add(RETRY_AFTER_FAILURE);
        }
        if !self.shared.down.swap(true, Ordering::Relaxed) {
            tracing::warn!(
                redis = %self.shared.shown,
                error = %why,
                "Redis is unreachable: rate limits fall back to this process's own limiter and OAuth2 tokens are refreshed here, until it is back"
            );
        }
        Unavailable(format!("Redis is unreachable: {why}"))
    }
}

struct Settings {
    prefix: String,
    timeout: Duration,
}

/// True for a failure of the connection rather than of the command.
fn is_outage(e: &RedisError) -> bool {
    e.is_io_error() || e.is_connection_dropped() || e.is_connection_refusal() || e.is_timeout()
}

impl fmt::Debug for Redis {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Redis")
            .field("addr", &self.shared.shown)
            .field("prefix", &self.shared.prefix)
            .field("timeout", &self.shared.timeout)
            .finish()
    }
}
