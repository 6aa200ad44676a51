//! What a server says about its rate limit, read from its response
//! headers: pure parsing, no clock but the one handed in.
//!
//! - IETF `RateLimit` (draft-ietf-httpapi-ratelimit-headers-08 and on): a
//!   list of policies with `r` (remaining) and `t` (seconds to reset), e.g.
//!   `"default";r=0;t=30`, beside `RateLimit-Policy`; the earlier
//!   dictionary `limit=100, remaining=0, reset=30`; and the first drafts'
//!   `RateLimit-Remaining` / `RateLimit-Reset`.
//! - GitHub's `X-RateLimit-Remaining` and `X-RateLimit-Reset`, the reset in
//!   Unix epoch seconds.
//! - OpenAI's `x-ratelimit-remaining-requests` and
//!   `x-ratelimit-reset-requests`, the reset a duration like `1s`, `6m0s`
//!   or `20ms`.
//!
//! Anything unreadable is ignored, never an error.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use http::HeaderMap;

/// The budget a server reported: how many requests are left, and when it
/// fills up again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct ServerLimit {
    pub(crate) remaining: u64,
    /// From the moment the response was read.
    pub(crate) reset: Duration,
}

/// The longest reset believed: a day. A later one is taken as a day, so a
/// wrong header cannot hold a client for ever.
pub(crate) const MAX_RESET: Duration = Duration::from_secs(24 * 60 * 60);

/// The most restrictive limit the headers report, if any: the fewest
/// requests left (and, among those used up, the latest reset).
pub(crate) fn parse(headers: &HeaderMap, now: SystemTime) -> Option<ServerLimit> {
    [ietf(headers), github(headers, now), openai(headers)]
        .into_iter()
        .flatten()
        .flatten()
        .map(|l| ServerLimit {
            remaining: l.remaining,
            reset: l.reset.min(MAX_RESET),
        })
        .min_by_key(|l| (l.remaining, std::cmp::Reverse(l.reset)))
}

fn text<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name)?.to_str().ok().map(str::trim)
}

fn integer(text: &str) -> Option<u64> {
    text.trim().parse().ok()
}

/// The IETF forms; several policies can be reported at once.
fn ietf(headers: &HeaderMap) -> Option<Vec<ServerLimit>> {
    if let Some(value) = text(headers, "ratelimit") {
        let mut limits = Vec::new();
        let mut dictionary = (None, None);
        for member in value.split(',') {
            // `"name";r=0;t=30` (a policy) or `remaining=0` (the old dictionary).
            let mut params = member.split(';').map(str::trim);
            let first = params.next().unwrap_or_default();
            match first.split_once('=') {
                Some(("remaining", n)) => dictionary.0 = integer(n),
                Some(("reset", n)) => dictionary.1 = integer(n),
                Some(_) => {}
                None => {
                    let (mut r, mut t) = (None, None);
                    for param in params {
                        match param.split_once('=') {
                            Some(("r", n)) => r = integer(n),
                            Some(("t", n)) => t = integer(n),
                            _ => {}
                        }
                    }
                    if let Some(remaining) = r {
                        limits.push(ServerLimit {
                            remaining,
                            reset: Duration::from_secs(t.unwrap_or(0)),
                        });
                    }
                }
            }
        }
        if let (Some(remaining), reset) = dictionary {
            limits.push(ServerLimit {
                remaining,
                reset: Duration::from_secs(reset.unwrap_or(0)),
            });
        }
        return Some(limits);
    }
    let remaining = integer(text(headers, "ratelimit-remaining")?)?;
    let reset = text(headers, "ratelimit-reset")
        .and_then(integer)
        .unwrap_or(0);
    Some(vec![ServerLimit {
        remaining,
        reset: Duration::from_secs(reset),
    }])
}

/// GitHub's: the reset is a Unix time (or, from others, delta-seconds).
fn github(headers: &HeaderMap, now: SystemTime) -> Option<Vec<ServerLimit>> {
    let remaining = integer(text(headers, "x-ratelimit-remaining")?)?;
    let reset_at = text(headers, "x-ratelimit-reset").and_then(integer);
    // Below this a value is a number of seconds, as some APIs send it; above,
    // a Unix time (the retry policy reads a 429's reset the same way).
    const UNIX_TIME_FROM: u64 = 1_000_000_000;
    let reset = match reset_at {
        Some(secs) if secs < UNIX_TIME_FROM => Duration::from_secs(secs),
        Some(secs) => UNIX_EPOCH
            .checked_add(Duration::from_secs(secs))
            .map_or(MAX_RESET, |at| {
                at.duration_since(now).unwrap_or(Duration::ZERO)
            }),
        None => Duration::ZERO,
    };
    Some(vec![ServerLimit { remaining, reset }])
}

/// OpenAI's: the reset is a duration such as `6m0s`.
fn openai(headers: &HeaderMap) -> Option<Vec<ServerLimit>> {
    let remaining = integer(text(headers, "x-ratelimit-remaining-requests")?)?;
    let reset = text(headers, "x-ratelimit-reset-requests")
        .and_then(go_duration)
        .unwrap_or(Duration::ZERO);
    Some(vec![ServerLimit { remaining, reset }])
}

/// A duration written as numbers with units, `1h2m3.5s`, `6m0s`, `20ms`.
pub(crate) fn go_duration(text: &str) -> Option<Duration> {
    let mut total = Duration::ZERO;
    let mut rest = text.trim();
    if rest.is_empty() {
        return None;
    }
    while !rest.is_empty() {
        let digits = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        let (number, tail) = rest.split_at(digits);
        let number: f64 = number.parse().ok()?;
        let unit_len = tail
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(tail.len());
        let (unit, tail) = tail.split_at(unit_len);
        let secs = match unit {
            "h" => number * 3600.0,
            "m" => number * 60.0,
            "s" => number,
            "ms" => number / 1e3,
            "us" | "µs" => number / 1e6,
            "ns" => number / 1e9,
            _ => return None,
        };
        total = total.checked_add(Duration::try_from_secs_f64(secs).ok()?)?;
        rest = tail;
    }
    Some(total)
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;

    /// A header map of `pairs`, for the tests here and in `holds.rs`.
    pub(in crate::middleware::rate_limit) fn headers(
        pairs: &[(&'static str, &'static str)],
    ) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.append(*name, http::HeaderValue::from_static(value));
        }
        map
    }

    fn limit(remaining: u64, reset_secs: u64) -> Option<ServerLimit> {
        Some(ServerLimit {
            remaining,
            reset: Duration::from_secs(reset_secs),
        })
    }

    const NOW: u64 = 1_700_000_000;

    fn at(pairs: &[(&'static str, &'static str)]) -> Option<ServerLimit> {
        parse(&headers(pairs), UNIX_EPOCH + Duration::from_secs(NOW))
    }

    #[test]
    fn ietf_policies_take_the_most_restrictive() {
        let h = [
            (
                "ratelimit-policy",
                r#""burst";q=100;w=60, "daily";q=1000;w=86400"#,
            ),
            ("ratelimit", r#""burst";r=0;t=30, "daily";r=400;t=3600"#),
        ];
        assert_eq!(at(&h), limit(0, 30));
        assert_eq!(at(&[("ratelimit", "\"default\";r=7;t=2")]), limit(7, 2));
        assert_eq!(
            at(&[("ratelimit", "limit=100, remaining=0, reset=12")]),
            limit(0, 12)
        );
        assert_eq!(
            at(&[("ratelimit-remaining", "3"), ("ratelimit-reset", "9")]),
            limit(3, 9)
        );
    }

    #[test]
    fn github_resets_at_an_epoch_second() {
        let h = [
            ("x-ratelimit-limit", "5000"),
            ("x-ratelimit-remaining", "0"),
            ("x-ratelimit-reset", "1700000042"),
        ];
        assert_eq!(at(&h), limit(0, 42));
        // A reset in the past: no wait.
        let past = [
            ("x-ratelimit-remaining", "0"),
            ("x-ratelimit-reset", "1600000000"),
        ];
        assert_eq!(at(&past), limit(0, 0));
        let delta = [("x-ratelimit-remaining", "0"), ("x-ratelimit-reset", "15")];
        assert_eq!(at(&delta), limit(0, 15));
    }

    #[test]
    fn openai_resets_after_a_duration() {
        let h = [
            ("x-ratelimit-limit-requests", "60"),
            ("x-ratelimit-remaining-requests", "0"),
            ("x-ratelimit-reset-requests", "6m0s"),
        ];
        assert_eq!(at(&h), limit(0, 360));
        assert_eq!(go_duration("1s"), Some(Duration::from_secs(1)));
        assert_eq!(go_duration("20ms"), Some(Duration::from_millis(20)));
        assert_eq!(
            go_duration("1h2m3.5s"),
            Some(Duration::from_millis(3_723_500))
        );
        for bad in ["", "s", "5", "5x", "1e400s", "-1s"] {
            assert_eq!(go_duration(bad), None, "{bad}");
        }
    }

    #[test]
    fn nonsense_is_ignored_and_resets_are_capped() {
        assert_eq!(at(&[]), None);
        assert_eq!(at(&[("x-ratelimit-remaining", "lots")]), None);
        assert_eq!(at(&[("ratelimit", "garbage;;;==,,")]), None);
        let far = [
            ("ratelimit-remaining", "0"),
            ("ratelimit-reset", "99999999999"),
        ];
        assert_eq!(at(&far).map(|l| l.reset), Some(MAX_RESET));
        let far = [
            ("x-ratelimit-remaining", "0"),
            ("x-ratelimit-reset", "18446744073709551615"),
        ];
        assert!(at(&far).is_some_and(|l| l.reset <= MAX_RESET));
    }
}
