//! Path values: each one becomes exactly one RFC 3986 path segment.

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

use crate::error::{Error, Result};

/// Everything but the RFC 3986 unreserved characters (`A-Z a-z 0-9 - . _ ~`)
/// is percent-encoded, so a value can never add a segment (`/`), start a
/// query (`?`) or fragment (`#`), or smuggle an escape (`%`).
const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// Appends `value` to `out` as one encoded path segment.
///
/// Rejects the values a server would read as something else than one
/// segment: empty, `.` and `..`.
pub(crate) fn push_segment(out: &mut String, name: &str, value: &str) -> Result<()> {
    check_segment(name, value)?;
    out.extend(utf8_percent_encode(value, SEGMENT));
    Ok(())
}

/// Appends a tail value (`<name..>`): its `/`s are kept, each segment between
/// them is encoded as by [`push_segment`].
pub(crate) fn push_tail(out: &mut String, name: &str, value: &str) -> Result<()> {
    if value.is_empty() {
        return Err(empty(name));
    }
    for (i, segment) in value.split('/').enumerate() {
        if i > 0 {
            out.push('/');
        }
        check_segment(name, segment)?;
        out.extend(utf8_percent_encode(segment, SEGMENT));
    }
    Ok(())
}

fn check_segment(name: &str, value: &str) -> Result<()> {
    match value {
        "" => Err(empty(name)),
        "." | ".." => Err(Error::invalid_request(format!(
            "path parameter `{name}` is `{value}`, which would change the path instead of naming a resource"
        ))),
        _ => Ok(()),
    }
}

fn empty(name: &str) -> Error {
    Error::invalid_request(format!(
        "path parameter `{name}` is empty (or has an empty segment), which would change the path"
    ))
}

/// Appends a literal piece of a path template. Characters that are not
/// allowed in a path are encoded; `/` and existing escapes are kept.
pub(crate) fn push_literal(out: &mut String, literal: &str) {
    const LITERAL: &AsciiSet = &SEGMENT
        .remove(b'/')
        .remove(b'%')
        .remove(b'!')
        .remove(b'$')
        .remove(b'&')
        .remove(b'\'')
        .remove(b'(')
        .remove(b')')
        .remove(b'*')
        .remove(b'+')
        .remove(b',')
        .remove(b';')
        .remove(b'=')
        .remove(b':')
        .remove(b'@');
    if out.ends_with('/') && literal.starts_with('/') {
        out.extend(utf8_percent_encode(&literal[1..], LITERAL));
    } else {
        out.extend(utf8_percent_encode(literal, LITERAL));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seg(v: &str) -> Result<String> {
        let mut s = String::new();
        push_segment(&mut s, "p", v).map(|()| s)
    }

    #[test]
    fn literal_join_avoids_double_slash() {
        let mut s = String::from("https://h/api/");
        push_literal(&mut s, "/users/");
        assert_eq!(s, "https://h/api/users/");
    }

    #[test]
    fn segments_round_trip() {
        for v in ["a b", "a/b", "ü", "%2F", "?#", "x.y~z_-"] {
            let enc = seg(v).expect("valid");
            let dec = percent_encoding::percent_decode_str(&enc)
                .decode_utf8()
                .expect("utf8");
            assert_eq!(dec, v);
            assert!(!enc.contains(['/', '?', '#']));
        }
    }

    #[test]
    fn tail_rejects_dot_segments() {
        let mut s = String::new();
        assert!(push_tail(&mut s, "p", "a/../b").is_err());
        let mut s = String::new();
        push_tail(&mut s, "p", "docs/read me.md").expect("valid");
        assert_eq!(s, "docs/read%20me.md");
    }
}
