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
    out.extend(utf8_percent_encode(literal, LITERAL));
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seg(v: &str) -> Result<String> {
        let mut s = String::new();
        push_segment(&mut s, "p", v).map(|()| s)
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

    /// A literal is appended, not dropped: `/` and escapes are kept, sub-
    /// delimiters too, and what a path cannot hold is encoded (found by
    /// cargo-mutants: replacing `push_literal` with `()` passed every test).
    #[test]
    fn literals_are_appended_and_encoded() {
        let mut s = String::from("https://h");
        push_literal(&mut s, "/v1/users/a b/%2F/ü;x=1?q#f");
        assert_eq!(s, "https://h/v1/users/a%20b/%2F/%C3%BC;x=1%3Fq%23f");
    }

    /// Property tests: for any string, encoding then decoding gives it back,
    /// and the encoding can never start a segment, query or fragment.
    mod props {
        use super::*;
        use proptest::prelude::*;

        fn decode(encoded: &str) -> String {
            percent_encoding::percent_decode_str(encoded)
                .decode_utf8()
                .expect("an encoding of UTF-8 decodes to UTF-8")
                .into_owned()
        }

        fn only_unreserved_and_escapes(encoded: &str) -> bool {
            let bytes = encoded.as_bytes();
            let mut i = 0;
            while i < bytes.len() {
                match bytes[i] {
                    b'%' => {
                        if !(i + 2 < bytes.len()
                            && bytes[i + 1].is_ascii_hexdigit()
                            && bytes[i + 2].is_ascii_hexdigit())
                        {
                            return false;
                        }
                        i += 3;
                    }
                    b if b.is_ascii_alphanumeric() || b"-._~".contains(&b) => i += 1,
                    _ => return false,
                }
            }
            true
        }

        /// Strings rich in the characters that matter here.
        fn tricky() -> impl Strategy<Value = String> {
            prop::collection::vec(
                prop_oneof![
                    Just("/".to_owned()),
                    Just(".".to_owned()),
                    Just("..".to_owned()),
                    Just("%".to_owned()),
                    Just("%2e".to_owned()),
                    Just("%2F".to_owned()),
                    Just("?".to_owned()),
                    Just("#".to_owned()),
                    Just("\r\n".to_owned()),
                    Just("\0".to_owned()),
                    Just(" ".to_owned()),
                    any::<char>().prop_map(String::from),
                    "[a-z]{1,3}",
                ],
                0..12,
            )
            .prop_map(|parts| parts.concat())
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(2000))]

            #[test]
            fn segment_round_trips(value in prop_oneof![any::<String>(), tricky()]) {
                let mut out = String::new();
                match push_segment(&mut out, "p", &value) {
                    Ok(()) => {
                        prop_assert!(!matches!(value.as_str(), "" | "." | ".."));
                        prop_assert!(!out.contains(['/', '?', '#']), "{out}");
                        prop_assert!(only_unreserved_and_escapes(&out), "{out}");
                        prop_assert_eq!(decode(&out), value);
                    }
                    Err(e) => {
                        prop_assert!(matches!(value.as_str(), "" | "." | ".."), "{value:?}: {e}");
                        prop_assert!(matches!(e, Error::InvalidRequest(_)));
                    }
                }
            }

            #[test]
            fn tail_round_trips(value in prop_oneof![any::<String>(), tricky()]) {
                let mut out = String::new();
                let refused = value
                    .split('/')
                    .any(|s| matches!(s, "" | "." | ".."));
                match push_tail(&mut out, "p", &value) {
                    Ok(()) => {
                        prop_assert!(!refused, "{value:?}");
                        prop_assert!(!out.contains(['?', '#']), "{out}");
                        let segments: Vec<String> = out.split('/').map(decode).collect();
                        prop_assert_eq!(segments.join("/"), value);
                        for segment in out.split('/') {
                            prop_assert!(only_unreserved_and_escapes(segment), "{out}");
                        }
                    }
                    Err(_) => prop_assert!(refused, "{value:?}"),
                }
            }

            #[test]
            fn literals_never_add_a_query_or_fragment(literal in prop_oneof![any::<String>(), tricky()]) {
                let mut out = String::from("https://h/api/");
                push_literal(&mut out, &literal);
                prop_assert!(out.starts_with("https://h/api/"));
                prop_assert!(!out["https://h/api/".len()..].contains(['?', '#', ' ', '\r', '\n']), "{out}");
            }
        }
    }
}
