//! The entries of a [`Cache`](super::Cache): bounded by bytes, the least
//! recently used evicted first.

use std::collections::{BTreeMap, HashMap};

use bytes::Bytes;
use http::{HeaderMap, Method};
use http_cache_semantics::CachePolicy;

/// What an entry is stored under: the method, the URL and the credential
/// (see `key.rs`), so that two users never share an entry.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct Key {
    pub(crate) method: Method,
    pub(crate) url: String,
    pub(crate) credential: u64,
}

/// One stored response: its policy (which holds the stored status and
/// headers) and its body.
#[derive(Clone)]
pub(crate) struct Entry {
    pub(crate) policy: CachePolicy,
    pub(crate) body: Bytes,
    /// The size of the stored headers.
    head_size: usize,
}

impl Entry {
    pub(crate) fn new(policy: CachePolicy, headers: &HeaderMap, body: Bytes) -> Self {
        let head_size = headers
            .iter()
            .map(|(n, v)| n.as_str().len().saturating_add(v.len()))
            .fold(0, usize::saturating_add);
        Entry {
            policy,
            body,
            head_size,
        }
    }

    /// What the entry counts against the limit: its body, headers and URL.
    fn size(&self, key: &Key) -> usize {
        self.body
            .len()
            .saturating_add(self.head_size)
            .saturating_add(key.url.len())
    }
}

struct Slot {
    entry: Entry,
    size: usize,
    /// When it was last used, on the store's own counter.
    tick: u64,
}

/// Entries under a byte limit.
pub(crate) struct Store {
    max_bytes: usize,
    bytes: usize,
    tick: u64,
    entries: HashMap<Key, Slot>,
    /// Ticks in use order, oldest first.
    order: BTreeMap<u64, Key>,
}

impl Store {
    pub(crate) fn new(max_bytes: usize) -> Self {
        Store {
            max_bytes,
            bytes: 0,
            tick: 0,
            entries: HashMap::new(),
            order: BTreeMap::new(),
        }
    }

    fn next_tick(&mut self) -> u64 {
        self.tick = self.tick.wrapping_add(1);
        self.tick
    }

    /// A copy of the entry under `key` (its body shared, not copied), now
    /// the most recently used.
    pub(crate) fn get(&mut self, key: &Key) -> Option<Entry> {
        let tick = self.next_tick();
        let slot = self.entries.get_mut(key)?;
        self.order.remove(&slot.tick);
        slot.tick = tick;
        self.order.insert(tick, key.clone());
        Some(slot.entry.clone())
    }

    /// Stores `entry`, evicting the least recently used ones to make room.
    /// An entry larger than the whole limit is not stored (and one stored
    /// before under the key is dropped). True if it was stored.
    pub(crate) fn put(&mut self, key: Key, entry: Entry) -> bool {
        self.remove(&key);
        let size = entry.size(&key);
        if size > self.max_bytes {
            return false;
        }
        while self.bytes.saturating_add(size) > self.max_bytes {
            let Some((_, oldest)) = self.order.pop_first() else {
                break;
            };
            if let Some(slot) = self.entries.remove(&oldest) {
                self.bytes = self.bytes.saturating_sub(slot.size);
            }
        }
        let tick = self.next_tick();
        self.order.insert(tick, key.clone());
        self.entries.insert(key, Slot { entry, size, tick });
        self.bytes = self.bytes.saturating_add(size);
        true
    }

    pub(crate) fn remove(&mut self, key: &Key) {
        if let Some(slot) = self.entries.remove(key) {
            self.order.remove(&slot.tick);
            self.bytes = self.bytes.saturating_sub(slot.size);
        }
    }

    /// Drops every entry for `url` (whatever the method and credential), as
    /// after a successful unsafe request to it.
    pub(crate) fn invalidate(&mut self, url: &str) {
        let keys: Vec<Key> = self
            .entries
            .keys()
            .filter(|k| k.url == url)
            .cloned()
            .collect();
        for key in &keys {
            self.remove(key);
        }
    }

    pub(crate) fn bytes(&self) -> usize {
        self.bytes
    }

    pub(crate) fn len(&self) -> usize {
        self.entries.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(url: &str) -> Key {
        Key {
            method: Method::GET,
            url: url.to_owned(),
            credential: 1,
        }
    }

    fn entry(body: usize) -> Entry {
        let req = http::Request::get("http://h/").body(()).expect("request");
        let res = http::Response::builder()
            .status(200)
            .body(())
            .expect("response");
        let body = Bytes::from(vec![b'x'; body]);
        Entry::new(CachePolicy::new(&req, &res), &HeaderMap::new(), body)
    }

    #[test]
    fn evicts_the_least_recently_used_to_stay_under_the_limit() {
        let mut store = Store::new(300);
        assert!(store.put(key("/a"), entry(100)));
        assert!(store.put(key("/b"), entry(100)));
        assert!(store.get(&key("/a")).is_some(), "touch /a");
        assert!(store.put(key("/c"), entry(100)));
        assert_eq!(store.len(), 2, "/b was the least recently used");
        assert!(store.get(&key("/b")).is_none());
        assert!(store.get(&key("/a")).is_some());
        assert!(store.bytes() <= 300);
        assert!(
            !store.put(key("/huge"), entry(1000)),
            "larger than the limit"
        );
        store.invalidate("/a");
        assert!(store.get(&key("/a")).is_none());
        assert_eq!(store.len(), 1);
    }
}
