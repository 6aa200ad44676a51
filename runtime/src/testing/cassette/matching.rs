//! Which recording answers a request: the parts compared, and the closest
//! recording when none matches.

use std::fmt;
use std::ops::BitOr;
use std::sync::Arc;

use super::format::RecordedRequest;

/// The parts of a request a cassette compares to find its recording;
/// combine them with `|`. The default is
/// `Match::METHOD | Match::PATH | Match::QUERY | Match::BODY`.
///
/// Values that were scrubbed do not count: the request being replayed
/// carries the real token, the recording `[REDACTED]`, and both are
/// scrubbed the same way before they are compared.
///
/// ```
/// use restrait::testing::{Cassette, Match};
/// // Any `GET /users/<id>` gets the recorded user, whatever the id.
/// let cassette = Cassette::replay("tests/cassettes/users.json")
///     .map(|c| c.match_on(Match::METHOD | Match::TEMPLATE));
/// # let _ = cassette;
/// ```
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Match(u8);

impl Match {
    /// The HTTP method.
    pub const METHOD: Match = Match(1);
    /// The URL path, as sent (scheme, host and port never count, so a
    /// recording made against one server replays for another).
    pub const PATH: Match = Match(1 << 1);
    /// The declared path template (`/users/<id>`) of the `#[resource]`
    /// method, or the path of a request built by hand: looser than `PATH`.
    pub const TEMPLATE: Match = Match(1 << 2);
    /// The query parameters, in any order.
    pub const QUERY: Match = Match(1 << 3);
    /// The body (JSON compared as JSON, so key order does not count).
    pub const BODY: Match = Match(1 << 4);
    /// The headers, all of them.
    pub const HEADERS: Match = Match(1 << 5);

    const NAMES: [(Match, &'static str); 6] = [
        (Match::METHOD, "method"),
        (Match::PATH, "path"),
        (Match::TEMPLATE, "template"),
        (Match::QUERY, "query"),
        (Match::BODY, "body"),
        (Match::HEADERS, "headers"),
    ];

    /// True if every part of `other` is in `self`.
    pub fn contains(self, other: Match) -> bool {
        self.0 & other.0 == other.0
    }

    /// The parts of `self` in which `a` and `b` differ.
    pub(super) fn differences(self, a: &RecordedRequest, b: &RecordedRequest) -> Match {
        let mut out = Match(0);
        for (part, _) in Match::NAMES {
            let same = match part {
                Match::METHOD => a.method == b.method,
                Match::PATH => a.path() == b.path(),
                Match::TEMPLATE => a.template == b.template,
                Match::QUERY => a.query() == b.query(),
                Match::BODY => a.body == b.body,
                _ => a.headers == b.headers,
            };
            if self.contains(part) && !same {
                out.0 |= part.0;
            }
        }
        out
    }
}

impl Default for Match {
    fn default() -> Self {
        Match::METHOD | Match::PATH | Match::QUERY | Match::BODY
    }
}

impl BitOr for Match {
    type Output = Match;
    fn bitor(self, rhs: Match) -> Match {
        Match(self.0 | rhs.0)
    }
}

/// `method | path | ...`
impl fmt::Debug for Match {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

/// The parts' names, e.g. `method, path`.
impl fmt::Display for Match {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names: Vec<&str> = Match::NAMES
            .iter()
            .filter(|(part, _)| self.contains(*part))
            .map(|(_, name)| *name)
            .collect();
        if names.is_empty() {
            f.write_str("nothing")
        } else {
            f.write_str(&names.join(", "))
        }
    }
}

type MatchFn = dyn Fn(&RecordedRequest, &RecordedRequest) -> bool + Send + Sync;

/// How a cassette decides that a recording answers a request.
#[derive(Clone)]
pub(super) enum Matcher {
    Parts(Match),
    Fn(Arc<MatchFn>),
}

impl Default for Matcher {
    fn default() -> Self {
        Matcher::Parts(Match::default())
    }
}

impl fmt::Debug for Matcher {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Matcher::Parts(parts) => write!(f, "{parts}"),
            Matcher::Fn(_) => f.write_str("a custom rule"),
        }
    }
}

impl Matcher {
    /// True if `recorded` answers `request`.
    pub(super) fn matches(&self, recorded: &RecordedRequest, request: &RecordedRequest) -> bool {
        match self {
            Matcher::Parts(parts) => parts.differences(recorded, request) == Match(0),
            Matcher::Fn(f) => f(recorded, request),
        }
    }
}

/// The index of the recording most like `request`: the same method first,
/// then the most leading path segments in common, then the same template,
/// then the same query; the earliest of equals.
pub(super) fn closest<'a>(
    request: &RecordedRequest,
    recorded: impl IntoIterator<Item = &'a RecordedRequest>,
) -> Option<usize> {
    let segments = |r: &'a RecordedRequest| r.path().split('/').filter(|s| !s.is_empty());
    let wanted: Vec<&str> = request
        .path()
        .split('/')
        .filter(|s| !s.is_empty())
        .collect();
    let mut best: Option<(usize, (bool, usize, bool, bool))> = None;
    for (i, candidate) in recorded.into_iter().enumerate() {
        let common = segments(candidate)
            .zip(&wanted)
            .take_while(|(a, b)| a == *b)
            .count();
        let score = (
            candidate.method == request.method,
            common,
            candidate.template == request.template,
            candidate.query() == request.query(),
        );
        if best.as_ref().is_none_or(|(_, b)| score > *b) {
            best = Some((i, score));
        }
    }
    best.map(|(i, _)| i)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req(method: &str, url: &str, template: &str) -> RecordedRequest {
        RecordedRequest {
            method: method.into(),
            url: url.into(),
            template: template.into(),
            operation: None,
            headers: Default::default(),
            body: None,
        }
    }

    #[test]
    fn the_default_compares_method_path_query_and_body() {
        let m = Matcher::default();
        let a = req("GET", "http://one:1/users/1?b=2&a=1", "/users/<id>");
        assert!(m.matches(
            &a,
            &req("GET", "http://two:2/users/1?a=1&b=2", "/users/<id>")
        ));
        assert!(!m.matches(
            &a,
            &req("GET", "http://one:1/users/2?b=2&a=1", "/users/<id>")
        ));
        assert!(!m.matches(
            &a,
            &req("PUT", "http://one:1/users/1?b=2&a=1", "/users/<id>")
        ));
        assert!(!m.matches(
            &a,
            &req("GET", "http://one:1/users/1?b=3&a=1", "/users/<id>")
        ));
        let mut with_body = a.clone();
        with_body.body = Some(super::super::format::RecordedBody::Text("x".into()));
        assert!(!m.matches(&a, &with_body));
    }

    #[test]
    fn parts_can_be_chosen() {
        let m = Matcher::Parts(Match::METHOD | Match::TEMPLATE);
        let a = req("GET", "http://h/users/1", "/users/<id>");
        assert!(m.matches(&a, &req("GET", "http://h/users/2?x=1", "/users/<id>")));
        assert!(!m.matches(&a, &req("GET", "http://h/users", "/users")));
        assert_eq!((Match::METHOD | Match::QUERY).to_string(), "method, query");

        let headers = Matcher::Parts(Match::METHOD | Match::HEADERS);
        let mut other = a.clone();
        other.url = "http://h/elsewhere".into();
        assert!(headers.matches(&a, &other), "the path is not compared");
        other.headers.insert(
            "accept".into(),
            super::super::format::HeaderValues::One("x".into()),
        );
        assert!(!headers.matches(&a, &other));
        assert!(Match::default().contains(Match::PATH | Match::BODY));
        assert!(!Match::default().contains(Match::HEADERS));
    }

    #[test]
    fn the_closest_shares_method_then_path() {
        let recorded = [
            req("POST", "http://h/users/7", "/users/<id>"),
            req("GET", "http://h/orders/7", "/orders/<id>"),
            req("GET", "http://h/users/7", "/users/<id>"),
            req("GET", "http://h/users/8", "/users/<id>"),
        ];
        let wanted = req("GET", "http://h/users/9", "/users/<id>");
        assert_eq!(closest(&wanted, &recorded), Some(2));
        assert_eq!(closest(&wanted, &[]), None);
    }
}
