//! The shared GCRA limiter: one Lua script that reads Redis's clock, takes
//! the next slot of the quota if it comes within the caller's wait, and
//! stores the new theoretical arrival time, atomically. However many
//! processes call it, the slots they get are those of one quota.

use std::time::Duration;

use ::redis::Script;
use tokio::time::Instant;

use super::Redis;
use crate::middleware::rate_limit::{LocalLimiter, Quota};

/// `KEYS[1]`: the quota's key. `ARGV`: the interval between slots and the
/// burst tolerance (`interval * (burst - 1)`), in microseconds, and the
/// longest the caller can wait for its slot (-1: for ever). Returns
/// `{1, wait}` with the slot taken `wait` microseconds from now, or
/// `{0, wait}` when that is too long and nothing was taken.
const GCRA: &str = r"
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local interval = tonumber(ARGV[1])
local tolerance = tonumber(ARGV[2])
local max_wait = tonumber(ARGV[3])
local tat = now
local stored = redis.call('GET', KEYS[1])
if stored then
  tat = math.max(tonumber(stored), now)
end
local wait = math.max(tat - tolerance - now, 0)
if max_wait >= 0 and wait > max_wait then
  return {0, wait}
end
local new_tat = tat + interval
redis.call('SET', KEYS[1], string.format('%d', new_tat), 'PX', math.ceil((new_tat - now) / 1000) + 1000)
return {1, wait}
";

/// One quota's slots, shared through Redis, with a limiter of this process
/// to fall back on while Redis cannot be reached.
pub(crate) struct SharedLimiter {
    redis: Redis,
    key: String,
    script: Script,
    interval_us: i64,
    tolerance_us: i64,
    fallback: LocalLimiter,
}

fn micros(d: Duration) -> i64 {
    i64::try_from(d.as_micros()).unwrap_or(i64::MAX)
}

impl SharedLimiter {
    /// `None` for an invalid quota (which `build` has refused already).
    pub(crate) fn new(redis: &Redis, name: &str, quota: Quota) -> Option<Self> {
        let interval = quota.interval();
        let burst = quota.burst_size().saturating_sub(1);
        Some(SharedLimiter {
            fallback: LocalLimiter::new(quota)?,
            redis: redis.clone(),
            key: redis.key(&format!("rate:{name}")),
            script: Script::new(GCRA),
            interval_us: micros(interval).max(1),
            tolerance_us: micros(interval.saturating_mul(burst)),
        })
    }

    /// Takes a slot as [`LocalLimiter::acquire`] does, from the quota all
    /// processes share.
    pub(crate) async fn acquire(&self, deadline: Option<Instant>) -> Result<(), Duration> {
        let max_wait = deadline.map_or(-1, |d| micros(d.saturating_duration_since(Instant::now())));
        let (script, key) = (&self.script, &self.key);
        let (interval, tolerance) = (self.interval_us, self.tolerance_us);
        let taken = self
            .redis
            .run(|mut connection| async move {
                let mut call = script.key(key);
                call.arg(interval).arg(tolerance).arg(max_wait);
                call.invoke_async::<(i64, i64)>(&mut connection).await
            })
            .await;
        match taken {
            Ok((taken, wait)) => {
                let wait = Duration::from_micros(u64::try_from(wait).unwrap_or(0));
                if taken == 1 {
                    tokio::time::sleep(wait).await;
                    Ok(())
                } else {
                    Err(wait)
                }
            }
            // Warned about by `Redis`, once per outage.
            Err(_) => self.fallback.acquire(deadline).await,
        }
    }
}

impl std::fmt::Debug for SharedLimiter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SharedLimiter")
            .field("key", &self.key)
            .field("fallback", &self.fallback)
            .finish()
    }
}
