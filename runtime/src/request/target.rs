//! Where a request goes: its URL, parsed only when something asks for it.
//!
//! A request that a resource method builds is the client's base URL and
//! the path and query the method wrote after it, already percent-encoded.
//! Parsing that text into a [`Url`] walks it character by character (the
//! longest step of building a call), and most requests never need it:
//! the hyper transport sends the text as it is. So such a request keeps
//! the text, and the [`Url`] is made from it the first time anything asks
//! ([`Request::url`](crate::Request::url), the reqwest transport, a
//! redirect), exactly as it would have been made at once.
//!
//! Only text that parsing would leave as it is is kept this way (see
//! [`sends_as_is`]): anything else is parsed when the request is built.

use std::sync::{Arc, OnceLock};

use url::Url;

/// A request's URL: parsed, or the text it is parsed from when asked.
pub(crate) enum Target {
    Parsed(Url),
    /// Text that nothing has changed, and the URL once made from it.
    Built {
        text: Built,
        url: OnceLock<Url>,
    },
}

/// A URL written as the client's base URL and what follows its origin.
#[derive(Clone)]
pub(crate) struct Built {
    base: Arc<Url>,
    /// The path and query, from the `/` after the origin: what goes on the
    /// request line.
    tail: String,
    /// Where the query starts in `tail` (after its `?`), if there is one.
    query_at: Option<usize>,
}

impl Target {
    /// `base`'s origin followed by `tail` (a path from its `/`, then `?`
    /// and the query if `query_at` says where): kept as text if
    /// [`sends_as_is`] accepts it, else parsed now.
    pub(crate) fn built(base: Arc<Url>, tail: String, query_at: Option<usize>) -> Target {
        let text = Built {
            base,
            tail,
            query_at,
        };
        let (path, query) = text.path_and_query();
        if sends_as_is(path, query.unwrap_or("")) {
            Target::Built {
                text,
                url: OnceLock::new(),
            }
        } else {
            Target::Parsed(text.parse())
        }
    }

    /// The URL, made now if it was not yet.
    pub(crate) fn url(&self) -> &Url {
        match self {
            Target::Parsed(url) => url,
            Target::Built { text, url } => url.get_or_init(|| text.parse()),
        }
    }

    /// The URL, to change: from here on it is what is sent.
    pub(crate) fn url_mut(&mut self) -> &mut Url {
        if let Target::Built { text, url } = self {
            let url = url.take().unwrap_or_else(|| text.parse());
            *self = Target::Parsed(url);
        }
        match self {
            Target::Parsed(url) => url,
            Target::Built { .. } => unreachable!("made parsed just above"),
        }
    }

    /// The URL, taken.
    pub(crate) fn into_url(self) -> Url {
        match self {
            Target::Parsed(url) => url,
            Target::Built { text, url } => url.into_inner().unwrap_or_else(|| text.parse()),
        }
    }

    /// The base URL and the path and query after its origin, as they go
    /// on the wire, if this is text that nothing has changed.
    #[cfg_attr(
        not(feature = "hyper-transport"),
        allow(dead_code, reason = "HyperTransport sends the text")
    )]
    pub(crate) fn text(&self) -> Option<(&Url, &str)> {
        match self {
            Target::Parsed(_) => None,
            Target::Built { text, .. } => Some((&text.base, text.tail.as_str())),
        }
    }

    /// The path and query text, taken, if this is text that nothing has
    /// changed; else the URL.
    #[cfg_attr(
        not(feature = "hyper-transport"),
        allow(dead_code, reason = "HyperTransport sends the text")
    )]
    pub(crate) fn into_text(self) -> Result<String, Url> {
        match self {
            Target::Built { text, .. } => Ok(text.tail),
            Target::Parsed(url) => Err(url),
        }
    }

    /// The query, without parsing the URL for it.
    pub(crate) fn query(&self) -> Option<&str> {
        match self {
            Target::Parsed(url) => url.query(),
            Target::Built { text, .. } => text.query_at.and_then(|at| text.tail.get(at..)),
        }
    }

    /// True if the URL has the origin of `other`, without parsing it for
    /// that: built text has its base's origin.
    pub(crate) fn same_origin(&self, other: &Url) -> bool {
        match self {
            Target::Parsed(url) => crate::middleware::same_origin(url, other),
            // Most often `other` is the very base the text was built on.
            Target::Built { text, .. } => {
                std::ptr::eq(&*text.base, other)
                    || crate::middleware::same_origin(&text.base, other)
            }
        }
    }
}

/// The URL, redacted as a request shows it.
impl std::fmt::Debug for Target {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&crate::redact::redacted_url(self.url()))
    }
}

/// A copy: of the text alone when there is text (the copy parses it if it
/// needs to), so that a URL is not copied twice.
impl Clone for Target {
    fn clone(&self) -> Target {
        match self {
            Target::Parsed(url) => Target::Parsed(url.clone()),
            Target::Built { text, .. } => Target::Built {
                text: text.clone(),
                url: OnceLock::new(),
            },
        }
    }
}

impl Built {
    /// The path, and the query if there is one.
    fn path_and_query(&self) -> (&str, Option<&str>) {
        match self.query_at.and_then(|at| self.tail.split_at_checked(at)) {
            // The path, without the `?` that ends it.
            Some((path, query)) => (path.strip_suffix('?').unwrap_or(path), Some(query)),
            None => (self.tail.as_str(), None),
        }
    }

    /// The URL: the client's parsed base URL with this path and query set
    /// on it, so that the scheme and host (IDNA included) are not parsed
    /// again. `url` parses a path or query set this way as it parses them
    /// within a whole URL (the builder's tests hold the two equal).
    fn parse(&self) -> Url {
        let mut url = (*self.base).clone();
        let (path, query) = self.path_and_query();
        url.set_path(path);
        url.set_query(query);
        url
    }
}

/// True if parsing `path` (from its leading `/`) and `query` into an
/// `http(s)` URL leaves them exactly as they are, so that the text can be
/// sent without parsing: only characters that need no encoding in a path
/// (or a query), `%` followed by two hex digits, and no segment that
/// parsing would resolve (`.`, `..`, or either spelt with `%2e`).
pub(crate) fn sends_as_is(path: &str, query: &str) -> bool {
    path.starts_with('/')
        && plain(path.as_bytes(), &PATH)
        && !path.as_bytes().split(|&b| b == b'/').any(is_dot_segment)
        && plain(query.as_bytes(), &QUERY)
}

/// The characters a path keeps as they are, besides `%HH`.
const PATH: [bool; 256] = plain_set(b"!$&'()*+,;=:@-._~/");
/// The characters a query keeps as they are, besides `%HH`.
const QUERY: [bool; 256] = plain_set(b"!$&()*+,;=:@-._~/?");

/// ASCII letters and digits, and `extra`.
const fn plain_set(extra: &[u8]) -> [bool; 256] {
    let mut set = [false; 256];
    let mut c = 0;
    while c < 256 {
        set[c] = (c as u8).is_ascii_alphanumeric();
        c += 1;
    }
    let mut i = 0;
    while i < extra.len() {
        set[extra[i] as usize] = true;
        i += 1;
    }
    set
}

/// Only characters of `set`, and `%HH`.
fn plain(bytes: &[u8], set: &[bool; 256]) -> bool {
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        if b == b'%' {
            let hex = |j: usize| bytes.get(j).is_some_and(u8::is_ascii_hexdigit);
            if !(hex(i + 1) && hex(i + 2)) {
                return false;
            }
            i += 3;
        } else if set[usize::from(b)] {
            i += 1;
        } else {
            return false;
        }
    }
    true
}

/// `.` or `..`, any of whose dots may be written `%2e`.
fn is_dot_segment(segment: &[u8]) -> bool {
    matches!(segment.first(), Some(b'.' | b'%'))
        && [".", "..", "%2e", "%2e%2e", ".%2e", "%2e."]
            .iter()
            .any(|dots| segment.eq_ignore_ascii_case(dots.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn base(s: &str) -> Arc<Url> {
        Arc::new(Url::parse(s).expect("base"))
    }

    /// What `sends_as_is` accepts, the URL crate leaves as it is: the text
    /// and the parsed URL agree, for every base and tail here.
    #[test]
    fn text_and_parsed_url_agree_wherever_text_is_kept() {
        let bases = [
            "https://api.test",
            "https://api.test/v1",
            "http://127.0.0.1:8080",
            "https://[::1]:8443/a/b/",
        ];
        let tails = [
            ("/users/42", ""),
            ("/users/42", "page=2&per_page=100"),
            ("/a%20b/c%2Fd/%E2%9C%93", "q=a+b&x=%26"),
            ("/repos/rust-lang/rust/issues", "state=open"),
            ("/v1.2/x~y/@me/a:b/c;d=e/f,g/(h)/i*j/k!l/m$n/o&p/'q'", ""),
            ("/", ""),
            ("/trailing/", "a=1"),
            ("/x", "a=b?c/d"),
            ("/.well-known/x", ""),
            ("/a..b/...", ""),
        ];
        for b in bases {
            for (path, query) in tails {
                let prefix = Url::parse(b)
                    .expect("base")
                    .path()
                    .trim_end_matches('/')
                    .to_owned();
                let path = format!("{prefix}{path}");
                assert!(sends_as_is(&path, query), "{path} {query}");
                let (tail, query_at) = match query {
                    "" => (path.clone(), None),
                    q => (format!("{path}?{q}"), Some(path.len() + 1)),
                };
                let target = Target::built(base(b), tail.clone(), query_at);
                let url = target.url();
                assert_eq!(&url[url::Position::BeforePath..], tail, "{b} {tail}");
                assert_eq!(target.query(), url.query(), "{b} {tail}");
                assert!(target.same_origin(&Url::parse(b).expect("base")));
            }
        }
    }

    /// Each character that may be kept as text, alone in a path segment
    /// and in a query: the url crate leaves it as it is.
    #[test]
    fn every_character_kept_as_text_parses_to_itself() {
        let base = base("https://api.test/v1");
        let mut kept = 0;
        for c in (0x20u8..0x7f).map(char::from) {
            for (path, query) in [
                (format!("/v1/a{c}b"), String::new()),
                (format!("/v1/{c}"), String::new()),
                ("/v1/p".into(), format!("x{c}y")),
            ] {
                if !sends_as_is(&path, &query) {
                    continue;
                }
                kept += 1;
                let (tail, query_at) = match query.as_str() {
                    "" => (path.clone(), None),
                    q => (format!("{path}?{q}"), Some(path.len() + 1)),
                };
                let target = Target::built(Arc::clone(&base), tail.clone(), query_at);
                let url = target.url();
                assert_eq!(&url[url::Position::BeforePath..], tail, "{c:?}");
            }
        }
        assert!(kept > 180, "{kept}");
    }

    /// Text that parsing would change is parsed when the request is built.
    #[test]
    fn text_that_parsing_would_change_is_not_kept() {
        for (path, query) in [
            ("/a b", ""),
            ("/a/./b", ""),
            ("/a/../b", ""),
            ("/a/%2E/b", ""),
            ("/a/.%2e", ""),
            ("/a\\b", ""),
            ("/a#b", ""),
            ("/a%2", ""),
            ("/a%zz", ""),
            ("/caf\u{e9}", ""),
            ("/a{b}", ""),
            ("/x", "a b"),
            ("/x", "a#b"),
            ("/x", "a'b"),
            ("/x", "a<b"),
            ("x", ""),
        ] {
            assert!(!sends_as_is(path, query), "{path} {query}");
        }
    }

    #[test]
    fn changing_the_url_drops_the_text_and_copies_keep_it() {
        let mut target = Target::built(base("https://api.test"), "/a?b=1".into(), Some(3));
        assert_eq!(target.query(), Some("b=1"));
        let copy = target.clone();
        assert!(copy.text().is_some());
        target.url_mut().set_path("/changed");
        assert!(target.text().is_none());
        assert_eq!(target.url().as_str(), "https://api.test/changed?b=1");
        assert_eq!(copy.url().as_str(), "https://api.test/a?b=1");
        assert_eq!(copy.clone().into_url().as_str(), "https://api.test/a?b=1");
        assert!(!target.same_origin(&Url::parse("https://other.test").expect("url")));
    }
}
