//! The conditional-request cache ([`Cache`]): GET responses with a
//! validator (`ETag`, `Last-Modified`) are stored, later calls revalidate
//! them with `If-None-Match` / `If-Modified-Since`, and a `304 Not Modified`
//! is answered with the stored body. HTTP's caching rules (freshness,
//! `no-store`, `Vary`, ...) come from `http-cache-semantics`.
//!
//! The layer sits outermost but for tracing, above redirect, retry, the
//! rate limit and auth: a fresh hit sends nothing and takes no rate-limit
//! slot, and a revalidation is one ordinary request (and one slot).

mod key;
mod status;
mod store;

use std::fmt;
use std::future::Future;
use std::pin::pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::SystemTime;

use bytes::Bytes;
use http::header::{ETAG, IF_MODIFIED_SINCE, IF_NONE_MATCH, LAST_MODIFIED};
use http::{HeaderMap, Method, StatusCode};
use http_cache_semantics::{AfterResponse, BeforeRequest, CacheOptions, CachePolicy};

use crate::error::Result;
use crate::middleware::BoxFuture;
use crate::middleware::chain::{Layer, Service};
use crate::request::Request;
use crate::response::{Response, ResponseBody};

pub(crate) use key::{hash_secret, unique_partition};
use status::CACHE_STATUS;
pub use status::CacheStatus;
use store::{Entry, Key, Store};

/// A response cache for a client, opt-in with
/// [`ClientBuilder::cache`](crate::ClientBuilder::cache).
///
/// - GET responses (200) that HTTP allows to be stored are kept, in
///   memory, up to `max_bytes` (bodies, headers and URLs counted), the
///   least recently used dropped first.
/// - A stored response that is still fresh (`Cache-Control: max-age`) is
///   answered without a request ([`CacheStatus::Hit`]); a stale one is
///   revalidated with `If-None-Match` / `If-Modified-Since`, and a
///   `304 Not Modified` returns the stored body with the stored status
///   and the headers the 304 updated ([`CacheStatus::Revalidated`], see
///   [`Response::cache_status`]). A 304 costs no body, and on GitHub no
///   rate-limit quota.
/// - `Cache-Control: no-store` is never stored. The cache is a private
///   (single-user) one in HTTP's sense, so `private` responses are
///   stored, but each entry is keyed by the credential as well as the
///   method and URL: two clients with different tokens, keys or
///   passwords (or a request with its own `Authorization`) never share
///   an entry, even when they share one `Cache`.
/// - A successful POST, PUT, PATCH or DELETE to a URL drops the entries
///   for that URL.
/// - Streamed calls (`ByteStream`, `JsonLines`, event streams) bypass it.
///
/// Cloning is cheap and the clones share the entries.
///
/// ```
/// # fn main() -> restrait::Result<()> {
/// use restrait::{Cache, Client};
/// let cache = Cache::memory(8 << 20);
/// let client = Client::builder("https://api.github.com")
///     .bearer_token("ghp_example")
///     .cache(cache.clone())
///     .build()?;
/// assert_eq!(cache.stats().entries, 0);
/// # let _ = client; Ok(()) }
/// ```
#[derive(Clone)]
pub struct Cache {
    shared: Arc<Shared>,
}

struct Shared {
    store: Mutex<Store>,
    max_bytes: usize,
    hits: AtomicU64,
    revalidated: AtomicU64,
    misses: AtomicU64,
    bytes_saved: AtomicU64,
}

/// What a [`Cache`] has done so far, from [`Cache::stats`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct CacheStats {
    /// Calls answered from the cache without a request.
    pub hits: u64,
    /// Calls answered with the stored body after a `304 Not Modified`.
    pub revalidated: u64,
    /// Cacheable calls (GETs) the server answered in full.
    pub misses: u64,
    /// Body bytes that did not cross the network: those of every hit and
    /// every 304.
    pub bytes_saved: u64,
    /// Entries stored now.
    pub entries: usize,
    /// What the entries count against the limit now.
    pub bytes: usize,
}

impl Cache {
    /// A cache in memory of at most `max_bytes`.
    pub fn memory(max_bytes: usize) -> Cache {
        Cache {
            shared: Arc::new(Shared {
                store: Mutex::new(Store::new(max_bytes)),
                max_bytes,
                hits: AtomicU64::new(0),
                revalidated: AtomicU64::new(0),
                misses: AtomicU64::new(0),
                bytes_saved: AtomicU64::new(0),
            }),
        }
    }

    /// Counts of hits, revalidations, misses and bytes saved, and the size
    /// of the cache now.
    pub fn stats(&self) -> CacheStats {
        let s = &self.shared;
        let store = self.store();
        CacheStats {
            hits: s.hits.load(Ordering::Relaxed),
            revalidated: s.revalidated.load(Ordering::Relaxed),
            misses: s.misses.load(Ordering::Relaxed),
            bytes_saved: s.bytes_saved.load(Ordering::Relaxed),
            entries: store.len(),
            bytes: store.bytes(),
        }
    }

    fn store(&self) -> MutexGuard<'_, Store> {
        self.shared
            .store
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn saved(&self, counter: &AtomicU64, body: &Bytes) {
        counter.fetch_add(1, Ordering::Relaxed);
        let len = u64::try_from(body.len()).unwrap_or(u64::MAX);
        self.shared.bytes_saved.fetch_add(len, Ordering::Relaxed);
    }
}

impl fmt::Debug for Cache {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Cache")
            .field("max_bytes", &self.shared.max_bytes)
            .field("stats", &self.stats())
            .finish()
    }
}

/// The cache layer of one client.
pub(crate) struct CacheMiddleware {
    cache: Cache,
    /// Whose credentials the client's auth adds (see `key.rs`).
    partition: u64,
}

/// A client-side cache: `private` responses may be stored.
const OPTIONS: CacheOptions = CacheOptions {
    shared: false,
    cache_heuristic: 0.1,
    immutable_min_time_to_live: std::time::Duration::from_secs(24 * 3600),
    ignore_cargo_cult: false,
};

impl CacheMiddleware {
    pub(crate) fn new(cache: Cache, partition: u64) -> Self {
        CacheMiddleware { cache, partition }
    }

    /// Handles one request; `next` sends it on through the rest of the
    /// chain (called once at most), whatever form the chain takes.
    pub(crate) async fn run<F, Fut>(&self, mut request: Request, next: F) -> Result<Response>
    where
        F: FnOnce(Request) -> Fut,
        Fut: Future<Output = Result<Response>>,
    {
        if request.parts.stream {
            return pin!(next(request)).await;
        }
        if request.method() != Method::GET {
            return self.unsafe_request(request, next).await;
        }
        let Some(parts) = request_parts(&request) else {
            return pin!(next(request)).await;
        };
        let key = Key {
            method: Method::GET,
            url: request.url().as_str().to_owned(),
            credential: key::credential(self.partition, request.headers()),
        };
        let stored = self.cache.store().get(&key);
        let mut revalidating = None;
        // The validators sent, which a 304 without any answers.
        let mut sent = HeaderMap::new();
        if let Some(entry) = stored {
            match entry.policy.before_request(&parts, SystemTime::now()) {
                BeforeRequest::Fresh(head) => {
                    self.cache.saved(&self.cache.shared.hits, &entry.body);
                    let call = request.call_info();
                    let response = answer(head.status, head.headers, entry.body, call, 0);
                    return Ok(with_status(response, CacheStatus::Hit));
                }
                BeforeRequest::Stale {
                    request: revalidation,
                    matches: true,
                } => {
                    for (name, validator) in
                        [(IF_NONE_MATCH, ETAG), (IF_MODIFIED_SINCE, LAST_MODIFIED)]
                    {
                        if let Some(value) = revalidation.headers.get(&name) {
                            request.headers_mut().insert(name, value.clone());
                            sent.insert(validator, value.clone());
                        }
                    }
                    revalidating = Some(entry);
                }
                BeforeRequest::Stale { matches: false, .. } => {}
            }
        }
        let call = request.call_info();
        let response = pin!(next(request)).await?;
        let now = SystemTime::now();
        if let Some(entry) = revalidating
            && response.status() == StatusCode::NOT_MODIFIED
        {
            let mut head = response_parts(response.status(), response.headers());
            if !head.headers.contains_key(ETAG) && !head.headers.contains_key(LAST_MODIFIED) {
                // A 304 need not repeat `Last-Modified`: it answers the
                // validators we sent.
                head.headers.extend(sent);
            }
            return Ok(match entry.policy.after_response(&parts, &head, now) {
                AfterResponse::NotModified(policy, head) => {
                    self.cache
                        .saved(&self.cache.shared.revalidated, &entry.body);
                    let mut headers = head.headers;
                    headers.remove(CACHE_STATUS);
                    let stored = Entry::new(policy, &headers, entry.body.clone());
                    self.cache.store().put(key, stored);
                    let attempts = response.attempts;
                    let answered = answer(head.status, headers, entry.body, call, attempts);
                    with_status(answered, CacheStatus::Revalidated)
                }
                // A 304 for another version than ours: hand it on.
                AfterResponse::Modified(..) => {
                    self.cache.store().remove(&key);
                    response
                }
            });
        }
        self.cache.shared.misses.fetch_add(1, Ordering::Relaxed);
        self.keep(key, &parts, &response, now);
        Ok(with_status(response, CacheStatus::Miss))
    }

    /// Stores a full answer to a GET if HTTP allows it.
    fn keep(&self, key: Key, parts: &http::request::Parts, response: &Response, now: SystemTime) {
        if response.status() != StatusCode::OK {
            return;
        }
        let Some(body) = response.body().as_bytes() else {
            return;
        };
        let head = response_parts(response.status(), response.headers());
        let policy = CachePolicy::new_options(parts, &head, now, OPTIONS);
        if !policy.is_storable() {
            self.cache.store().remove(&key);
            return;
        }
        let entry = Entry::new(policy, response.headers(), body.clone());
        self.cache.store().put(key, entry);
    }

    /// A request that is not a GET: sent as it is; a successful unsafe one
    /// drops what is stored for its URL.
    async fn unsafe_request<F, Fut>(&self, request: Request, next: F) -> Result<Response>
    where
        F: FnOnce(Request) -> Fut,
        Fut: Future<Output = Result<Response>>,
    {
        let safe = matches!(
            *request.method(),
            Method::HEAD | Method::OPTIONS | Method::TRACE
        );
        let url = (!safe).then(|| request.url().as_str().to_owned());
        let response = pin!(next(request)).await?;
        if let Some(url) = url
            && (response.status().is_success() || response.status().is_redirection())
        {
            self.cache.store().invalidate(&url);
        }
        Ok(response)
    }
}

/// Boxed: a client without a cache then pays nothing for it in the size of
/// every call's future, and one with a cache pays one box.
impl Layer for CacheMiddleware {
    fn handle<'c, N: Service<'c>>(
        &'c self,
        request: Request,
        next: N,
    ) -> impl Future<Output = Result<Response>> + Send + 'c {
        let boxed: BoxFuture<'c, Result<Response>> =
            Box::pin(self.run(request, move |request| next.call(request)));
        boxed
    }
}

/// The request as `http-cache-semantics` reads it; `None` for a URL that
/// is not a valid `http::Uri` (then the call bypasses the cache).
fn request_parts(request: &Request) -> Option<http::request::Parts> {
    let uri = http::Uri::try_from(request.url().as_str()).ok()?;
    let (mut parts, ()) = http::Request::get(uri).body(()).ok()?.into_parts();
    parts.headers = request.headers().clone();
    Some(parts)
}

fn response_parts(status: StatusCode, headers: &HeaderMap) -> http::response::Parts {
    let (mut parts, ()) = http::Response::new(()).into_parts();
    parts.status = status;
    parts.headers = headers.clone();
    parts
}

/// A response made from a stored entry.
fn answer(
    status: StatusCode,
    headers: HeaderMap,
    body: Bytes,
    call: crate::CallInfo,
    attempts: u32,
) -> Response {
    let mut response = Response::new(status, headers, ResponseBody::full(body));
    response.head.call = call;
    response.attempts = attempts;
    response
}

fn with_status(mut response: Response, status: CacheStatus) -> Response {
    response.headers_mut().append(CACHE_STATUS, status.header());
    response
}
