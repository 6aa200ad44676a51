//! How a response came out of the cache: the `Cache-Status` field of
//! RFC 9211, which the cache adds to every response it handles, read back
//! as a [`CacheStatus`].

use http::HeaderValue;
use http::header::HeaderName;

use crate::response::Response;

/// The `Cache-Status` response header (RFC 9211) the cache sets.
pub(crate) const CACHE_STATUS: HeaderName = HeaderName::from_static("cache-status");

/// What the client's [`Cache`](crate::Cache) did for a response, from
/// [`Response::cache_status`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum CacheStatus {
    /// Served from the cache without asking the server: the stored
    /// response was still fresh (`Cache-Control: max-age`).
    Hit,
    /// The server answered `304 Not Modified` to a conditional request
    /// (`If-None-Match` / `If-Modified-Since`): the stored body was
    /// returned with the stored status and the headers the 304 updated.
    Revalidated,
    /// Sent to the server and answered in full; the response was stored
    /// if it may be.
    Miss,
}

impl CacheStatus {
    pub(crate) fn header(self) -> HeaderValue {
        HeaderValue::from_static(match self {
            CacheStatus::Hit => "restrait; hit",
            CacheStatus::Revalidated => "restrait; fwd=stale; fwd-status=304",
            CacheStatus::Miss => "restrait; fwd=uri-miss",
        })
    }

    fn parse(value: &HeaderValue) -> Option<CacheStatus> {
        // The last member is the cache nearest the client: ours.
        let ours = value.to_str().ok()?.rsplit(',').next()?.trim();
        let mut params = ours.split(';').map(str::trim);
        if params.next()? != "restrait" {
            return None;
        }
        let params: Vec<&str> = params.collect();
        Some(if params.contains(&"hit") {
            CacheStatus::Hit
        } else if params.contains(&"fwd-status=304") {
            CacheStatus::Revalidated
        } else {
            CacheStatus::Miss
        })
    }
}

impl<T> Response<T> {
    /// What the client's [`Cache`](crate::Cache) did for this response,
    /// or `None` when the call did not go through one (no cache, not a
    /// GET, a streamed call). The same is in the response's
    /// `Cache-Status` header (RFC 9211): `restrait; hit`,
    /// `restrait; fwd=stale; fwd-status=304` or `restrait; fwd=uri-miss`.
    ///
    /// A revalidated response keeps the stored status (say 200), so that
    /// a method returning `Result<User>` decodes it as usual; this is
    /// where the 304 shows.
    pub fn cache_status(&self) -> Option<CacheStatus> {
        self.head
            .headers
            .get_all(CACHE_STATUS)
            .iter()
            .next_back()
            .and_then(CacheStatus::parse)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_back_what_it_writes_and_ignores_other_caches() {
        for status in [
            CacheStatus::Hit,
            CacheStatus::Revalidated,
            CacheStatus::Miss,
        ] {
            assert_eq!(CacheStatus::parse(&status.header()), Some(status));
        }
        let other = HeaderValue::from_static("ExampleCDN; hit");
        assert_eq!(CacheStatus::parse(&other), None);
        let both = HeaderValue::from_static("ExampleCDN; hit, restrait; fwd=uri-miss");
        assert_eq!(CacheStatus::parse(&both), Some(CacheStatus::Miss));
    }
}
