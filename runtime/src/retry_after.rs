//! `Retry-After` (RFC 9110, section 10.2.3): how long a server asks a client to wait.

use std::time::{Duration, SystemTime};

use http::HeaderMap;
use http::header::RETRY_AFTER;

/// The wait a response asks for, read from its `Retry-After` header.
///
/// Accepts delta-seconds (a fraction is tolerated, e.g. `1.5`) and the three
/// HTTP date forms (IMF-fixdate, RFC 850, asctime); a date in the past means
/// no wait. A missing, negative, non-finite or unreadable value is `None`:
/// never an error, never a panic.
pub(crate) fn parse(headers: &HeaderMap) -> Option<Duration> {
    parse_at(headers, SystemTime::now())
}

pub(crate) fn parse_at(headers: &HeaderMap, now: SystemTime) -> Option<Duration> {
    let text = headers.get(RETRY_AFTER)?.to_str().ok()?.trim();
    parse_value(text, now)
}

fn parse_value(text: &str, now: SystemTime) -> Option<Duration> {
    if text.is_empty() {
        return None;
    }
    if text.bytes().all(|b| b.is_ascii_digit()) {
        // Saturate instead of overflowing on absurd values; the policy caps it.
        return Some(Duration::from_secs(text.parse::<u64>().unwrap_or(u64::MAX)));
    }
    if text.bytes().all(|b| b.is_ascii_digit() || b == b'.') {
        let secs: f64 = text.parse().ok()?;
        return Duration::try_from_secs_f64(secs).ok();
    }
    let at = httpdate::parse_http_date(text).ok()?;
    Some(at.duration_since(now).unwrap_or(Duration::ZERO))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::UNIX_EPOCH;

    #[test]
    fn every_form() {
        // 1994-11-06 08:49:37 UTC
        let now = UNIX_EPOCH + Duration::from_secs(784_111_777);
        let cases: &[(&str, Option<Duration>)] = &[
            ("120", Some(Duration::from_secs(120))),
            (" 7 ", Some(Duration::from_secs(7))),
            ("0", Some(Duration::ZERO)),
            ("1.5", Some(Duration::from_millis(1500))),
            (
                "99999999999999999999999",
                Some(Duration::from_secs(u64::MAX)),
            ),
            (
                "Sun, 06 Nov 1994 08:49:47 GMT",
                Some(Duration::from_secs(10)),
            ),
            (
                "Sunday, 06-Nov-94 08:49:57 GMT",
                Some(Duration::from_secs(20)),
            ),
            ("Sun Nov  6 08:50:37 1994", Some(Duration::from_secs(60))),
            ("Sun, 06 Nov 1994 08:00:00 GMT", Some(Duration::ZERO)),
            ("-5", None),
            ("soon", None),
            ("1e9", None),
            ("1..2", None),
            ("", None),
        ];
        for (value, want) in cases {
            let mut h = HeaderMap::new();
            h.insert(RETRY_AFTER, value.parse().expect("header value"));
            assert_eq!(parse_at(&h, now), *want, "{value:?}");
        }
    }

    #[test]
    fn non_ascii_is_ignored() {
        let mut h = HeaderMap::new();
        h.insert(
            RETRY_AFTER,
            http::HeaderValue::from_bytes(b"\xff10").expect("opaque value"),
        );
        assert_eq!(parse(&h), None);
    }
}
