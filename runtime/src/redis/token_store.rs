//! [`RedisTokenStore`]: OAuth2 tokens kept in Redis, with the lock that
//! lets one of many processes refresh them.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use ::redis::{AsyncCommands, Script};
use serde::{Deserialize, Serialize};

use super::Redis;
use crate::auth::{RefreshLock, StoreError, TokenSet, TokenStore};
use crate::middleware::BoxFuture;

/// Frees the lock only for the process that holds it.
const RELEASE: &str = r"
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
";

/// An OAuth2 [`TokenStore`] in Redis that many processes share: give
/// each process's [`OAuth2`](crate::OAuth2) flow a store with the same
/// name, and when the token expires one of them asks the token endpoint
/// while the others wait for the new token to appear (a lock with an
/// expiry, `SET NX PX`, see [`TokenStore::refresh_lock`]): 100 processes,
/// one token request.
///
/// The tokens are kept as JSON under `<prefix><name>` (the refresh token
/// too, so Redis must be as private as the tokens: use its ACLs), expiring
/// with the access token unless a refresh token is stored; the lock is
/// `<prefix><name>:lock`.
///
/// While Redis cannot be reached, [`load`](TokenStore::load) finds nothing
/// and [`save`](TokenStore::save) keeps the tokens in this process only
/// (both with a `tracing` warning, once per outage): each process then
/// refreshes on its own, and shares again once Redis is back.
#[derive(Debug, Clone)]
pub struct RedisTokenStore {
    redis: Redis,
    key: String,
    lock_key: String,
    release: Script,
}

/// The tokens as stored.
#[derive(Serialize, Deserialize)]
struct Stored {
    access_token: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    refresh_token: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    scope: Option<String>,
    /// Unix time in milliseconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    expires_at_ms: Option<u64>,
}

impl RedisTokenStore {
    /// The store `name` (under the handle's prefix) on `redis`.
    pub fn new(redis: &Redis, name: &str) -> RedisTokenStore {
        RedisTokenStore {
            redis: redis.clone(),
            key: redis.key(name),
            lock_key: redis.key(&format!("{name}:lock")),
            release: Script::new(RELEASE),
        }
    }

    async fn load_tokens(&self) -> Result<Option<TokenSet>, StoreError> {
        let key = &self.key;
        let text = match self
            .redis
            .run(|mut c| async move { c.get::<_, Option<String>>(key).await })
            .await
        {
            Ok(text) => text,
            // Warned about by `Redis`: this process refreshes on its own.
            Err(_) => return Ok(None),
        };
        let Some(text) = text else {
            return Ok(None);
        };
        let stored: Stored = serde_json::from_str(&text)
            .map_err(|_| "the tokens stored in Redis are not valid JSON of restrait's")?;
        let mut set = TokenSet::new(stored.access_token);
        if let Some(refresh) = stored.refresh_token {
            set = set.with_refresh_token(refresh);
        }
        if let Some(scope) = stored.scope {
            set = set.with_scope(scope);
        }
        if let Some(ms) = stored.expires_at_ms {
            let at = UNIX_EPOCH
                .checked_add(Duration::from_millis(ms))
                .unwrap_or(UNIX_EPOCH);
            set = set.with_expires_at(at);
        }
        Ok(Some(set))
    }

    async fn save_tokens(&self, tokens: &TokenSet) -> Result<(), StoreError> {
        let expires_at_ms = tokens.expires_at().map(|at| {
            let ms = at
                .duration_since(UNIX_EPOCH)
                .unwrap_or_default()
                .as_millis();
            u64::try_from(ms).unwrap_or(u64::MAX)
        });
        let stored = Stored {
            access_token: tokens.access_token().to_owned(),
            refresh_token: tokens.refresh_token().map(str::to_owned),
            scope: tokens.scope().map(str::to_owned),
            expires_at_ms,
        };
        let text = serde_json::to_string(&stored).map_err(|e| e.to_string())?;
        // Without a refresh token, nothing is worth keeping past the expiry.
        let ttl_ms = match (tokens.refresh_token(), tokens.expires_at()) {
            (None, Some(at)) => Some(
                at.duration_since(SystemTime::now())
                    .unwrap_or_default()
                    .as_millis()
                    .clamp(1, u128::from(u32::MAX)) as u64,
            ),
            _ => None,
        };
        let key = &self.key;
        let saved = self
            .redis
            .run(|mut c| async move {
                match ttl_ms {
                    Some(ms) => c.pset_ex::<_, _, ()>(key, text, ms).await,
                    None => c.set::<_, _, ()>(key, text).await,
                }
            })
            .await;
        // Unreachable: the tokens stay in this process (warned about by `Redis`).
        let _ = saved;
        Ok(())
    }
}

impl TokenStore for RedisTokenStore {
    fn load(&self) -> BoxFuture<'_, Result<Option<TokenSet>, StoreError>> {
        Box::pin(self.load_tokens())
    }

    fn save<'a>(&'a self, tokens: &'a TokenSet) -> BoxFuture<'a, Result<(), StoreError>> {
        Box::pin(self.save_tokens(tokens))
    }

    fn refresh_lock(&self) -> Option<&dyn RefreshLock> {
        Some(self)
    }
}

impl RefreshLock for RedisTokenStore {
    fn try_acquire(&self, ttl: Duration) -> BoxFuture<'_, Result<Option<String>, StoreError>> {
        Box::pin(async move {
            let id = uuid::Uuid::new_v4().to_string();
            let ms = u64::try_from(ttl.as_millis()).unwrap_or(u64::MAX).max(1);
            let (key, value) = (&self.lock_key, &id);
            let set: Option<String> = self
                .redis
                .run(|mut c| async move {
                    ::redis::cmd("SET")
                        .arg(key)
                        .arg(value)
                        .arg("NX")
                        .arg("PX")
                        .arg(ms)
                        .query_async(&mut c)
                        .await
                })
                .await
                .map_err(|e| Box::new(e) as StoreError)?;
            Ok(set.map(|_| id))
        })
    }

    fn release<'a>(&'a self, id: &'a str) -> BoxFuture<'a, Result<(), StoreError>> {
        Box::pin(async move {
            let (script, key) = (&self.release, &self.lock_key);
            self.redis
                .run(|mut c| async move {
                    let mut call = script.key(key);
                    call.arg(id);
                    call.invoke_async::<i64>(&mut c).await
                })
                .await
                .map(|_| ())
                .map_err(|e| Box::new(e) as StoreError)
        })
    }
}
