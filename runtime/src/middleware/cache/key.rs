//! Whose an entry is: a keyed hash of the credentials a request carries,
//! so that two users never share a cached response.
//!
//! The cache sits above auth, so it does not see the `Authorization` header
//! that auth adds. It hashes instead the client's *partition*, which the
//! builder takes from the auth ([`Auth::cache_key`](crate::auth::Auth::cache_key):
//! a hash of a static token, key or password) or, for an auth that cannot
//! say (OAuth2, your own), makes unique to the client; and every credential
//! header the request already has (a default `Authorization`, a cookie, a
//! header marked sensitive).

use std::hash::{BuildHasher, Hash, Hasher};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, Ordering};

use http::HeaderMap;

/// One random key per process: hashes are never stable across runs, so they
/// say nothing about the secret outside it.
fn hasher() -> std::collections::hash_map::DefaultHasher {
    static KEY: OnceLock<std::collections::hash_map::RandomState> = OnceLock::new();
    KEY.get_or_init(Default::default).build_hasher()
}

/// A keyed hash of a secret, for [`Auth::cache_key`](crate::auth::Auth::cache_key).
pub(crate) fn hash_secret(secret: &[u8]) -> u64 {
    let mut h = hasher();
    secret.hash(&mut h);
    h.finish()
}

/// A partition no other client has: for an auth whose credential cannot be
/// hashed.
pub(crate) fn unique_partition() -> u64 {
    static NEXT: AtomicU64 = AtomicU64::new(1);
    hash_secret(&NEXT.fetch_add(1, Ordering::Relaxed).to_be_bytes())
}

/// The credential part of an entry's key.
pub(crate) fn credential(partition: u64, headers: &HeaderMap) -> u64 {
    let mut secrets: Vec<(&str, &[u8])> = headers
        .iter()
        .filter(|(name, value)| crate::redact::is_sensitive(name) || value.is_sensitive())
        .map(|(name, value)| (name.as_str(), value.as_bytes()))
        .collect();
    secrets.sort_unstable();
    let mut h = hasher();
    partition.hash(&mut h);
    secrets.hash(&mut h);
    h.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn different_credentials_never_share_a_key() {
        let mut a = HeaderMap::new();
        a.insert("authorization", "Bearer a".parse().expect("value"));
        a.insert("accept", "application/json".parse().expect("value"));
        let mut b = a.clone();
        b.insert("authorization", "Bearer b".parse().expect("value"));
        let mut a_other_accept = a.clone();
        a_other_accept.insert("accept", "text/plain".parse().expect("value"));
        assert_ne!(credential(0, &a), credential(0, &b));
        assert_ne!(credential(0, &a), credential(1, &a));
        assert_eq!(credential(0, &a), credential(0, &a_other_accept));
        assert_ne!(unique_partition(), unique_partition());
        assert_ne!(hash_secret(b"k1"), hash_secret(b"k2"));
    }
}
