//! The checks behind restrait's fuzz targets, one function per target.
//!
//! Each takes arbitrary bytes, runs one parser and asserts what must hold
//! for any input (beyond "does not panic"). The `fuzz_targets/` binaries
//! hand them to libFuzzer (`cargo fuzz run <target>`); `tests/corpus.rs`
//! runs the same checks over a seed corpus and seeded random inputs with
//! plain `cargo test`, on a stable toolchain and without libFuzzer.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use restrait::fuzzing;

/// The path-template parser of `restrait-macros`, included as source: it is
/// plain Rust over `&str`, and a proc-macro crate cannot export it.
#[allow(dead_code, unreachable_pub)]
#[path = "../../../macros/src/template.rs"]
mod template;

use template::{Piece, Template};

fn text(data: &[u8]) -> &str {
    match std::str::from_utf8(data) {
        Ok(text) => text,
        Err(e) => std::str::from_utf8(&data[..e.valid_up_to()]).unwrap_or_default(),
    }
}

/// Writes a parsed template back in the `<name>` form.
fn render(template: &Template) -> String {
    let mut out = String::new();
    for piece in &template.pieces {
        match piece {
            Piece::Literal(text) => out.push_str(text),
            Piece::Segment(name) => {
                out.push('<');
                out.push_str(name);
                out.push('>');
            }
            Piece::Tail(name) => {
                out.push('<');
                out.push_str(name);
                out.push_str("..>");
            }
        }
    }
    out
}

/// Template parser: never panics; every error has a message; a template that
/// parses renders back to one that parses to the same pieces, with distinct
/// identifier names and a tail only at the end; `check_prefix` and `join`
/// never panic, and a prefix that passes joins into a template that parses,
/// with the same placeholders.
pub fn path_template(data: &[u8]) {
    let input = text(data);
    match template::parse(input) {
        Ok(parsed) => {
            assert!(input.is_empty() || input.starts_with('/'), "{input:?}");
            let again = template::parse(&render(&parsed)).expect("a rendered template parses");
            assert_eq!(again, parsed, "{input:?}");
            let names: Vec<&str> = parsed.placeholders().collect();
            for (i, name) in names.iter().enumerate() {
                assert!(!name.is_empty() && !names[..i].contains(name), "{input:?}");
                assert!(
                    name.chars().all(|c| c == '_' || c.is_ascii_alphanumeric()),
                    "{input:?}"
                );
            }
            for (i, piece) in parsed.pieces.iter().enumerate() {
                if let Piece::Literal(text) = piece {
                    assert!(!text.is_empty(), "{input:?}");
                    assert!(!text.contains(['<', '>', '{', '}', '?', '#']), "{input:?}");
                }
                if matches!(piece, Piece::Tail(_)) {
                    assert_eq!(i + 1, parsed.pieces.len(), "{input:?}");
                }
            }
        }
        Err(errors) => {
            assert!(!errors.is_empty());
            for e in &errors {
                assert!(!e.to_string().is_empty());
            }
        }
    }
    // The first line as a prefix, the rest as a template.
    let (prefix, rest) = input.split_once('\n').unwrap_or((input, "/x"));
    if template::check_prefix(prefix).is_ok()
        && let Ok(parsed) = template::parse(rest)
    {
        let joined = template::join(prefix, rest);
        let again = template::parse(&joined).expect("a valid prefix keeps a template valid");
        assert!(
            again.placeholders().eq(parsed.placeholders()),
            "{prefix:?} + {rest:?}"
        );
    }
}

/// The `now` the Retry-After check reads dates against:
/// Tue, 14 Nov 2023 22:13:20 GMT.
pub fn now() -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(1_700_000_000)
}

/// Retry-After: never panics, whatever the bytes; the all-digit form is
/// always read (saturating); a negative number is never a wait; an HTTP date
/// in the past means no wait, and one in the future the time until it; a
/// date is never a wait longer than the distance from `now` to the year
/// 10000.
pub fn retry_after(data: &[u8]) {
    let now = now();
    let wait = fuzzing::retry_after(data, now);
    if let Ok(text) = std::str::from_utf8(data)
        && let Ok(date) = httpdate::parse_http_date(text.trim())
        && !text.contains(['\r', '\n', '\0'])
    {
        let want = date.duration_since(now).unwrap_or(Duration::ZERO);
        assert_eq!(wait, Some(want), "{text:?} at {now:?}");
    }
    let Some(wait) = wait else {
        let visible = data.iter().all(|b| (0x20..0x7f).contains(b) || *b == b'\t');
        let trimmed = text(data).trim();
        let digits = !trimmed.is_empty() && trimmed.bytes().all(|b| b.is_ascii_digit());
        assert!(!(visible && digits), "digits not read: {trimmed:?}");
        return;
    };
    let shown = text(data).trim();
    assert!(
        !shown.starts_with('-'),
        "negative wait {shown:?} -> {wait:?}"
    );
    if !shown.bytes().all(|b| b.is_ascii_digit() || b == b'.') {
        let year_10000 = UNIX_EPOCH + Duration::from_secs(253_402_300_800);
        let limit = year_10000.duration_since(now).unwrap_or(Duration::ZERO);
        assert!(wait <= limit, "{shown:?} -> {wait:?}");
    }
    let _ = SystemTime::now().checked_add(wait.min(Duration::from_secs(1)));
}

/// Link header: never panics; a target is found only where a `rel`
/// parameter after it names `next` (so never in a header without "next");
/// the target found is a non-empty, trimmed piece of the header without `>`.
pub fn link_header(data: &[u8]) {
    let header = text(data);
    if let Some(target) = fuzzing::next_link(header) {
        let lower = header.to_ascii_lowercase();
        let followed_by_rel_next =
            lower
                .match_indices(&target.to_ascii_lowercase())
                .any(|(i, _)| {
                    let after = &lower[i..];
                    after
                        .find("rel")
                        .is_some_and(|r| after[r..].contains("next"))
                });
        assert!(
            followed_by_rel_next,
            "{target:?} followed without rel=next in {header:?}"
        );
        assert!(!target.is_empty(), "{header:?}");
        assert_eq!(target, target.trim(), "{header:?}");
        assert!(!target.contains('>'), "{header:?}");
        assert!(header.contains(target), "{header:?}");
    }
}

/// Error-body messages: never panic (deep nesting included); a message is
/// non-empty, trimmed at its ends, and no longer than the body allows.
pub fn error_body(data: &[u8]) {
    if let Some(message) = fuzzing::error_message(data) {
        assert!(!message.is_empty());
        assert_eq!(message, message.trim());
        // JSON escapes only shrink text; ": " joins an OAuth2 code and description.
        assert!(message.len() <= data.len() + 2, "{message:?}");
    }
}

/// Path encoding: a segment is refused exactly for "", "." and "..", never
/// holds `/`, `?` or `#`, and decodes back to the value; a tail is refused
/// exactly when one of its segments would be, and decodes back segment by
/// segment; literals never add a query or fragment.
pub fn path_encoding(data: &[u8]) {
    let value = text(data);
    match fuzzing::encode_segment(value) {
        Ok(encoded) => {
            assert!(!matches!(value, "" | "." | ".."));
            assert!(!encoded.contains(['/', '?', '#']), "{encoded}");
            assert_eq!(decode(&encoded), value);
        }
        Err(message) => {
            assert!(matches!(value, "" | "." | ".."), "{value:?}: {message}");
        }
    }
    let refused = value.split('/').any(|s| matches!(s, "" | "." | ".."));
    match fuzzing::encode_tail(value) {
        Ok(encoded) => {
            assert!(!refused, "{value:?}");
            assert!(!encoded.contains(['?', '#']), "{encoded}");
            let decoded: Vec<String> = encoded.split('/').map(decode).collect();
            assert_eq!(decoded.join("/"), value);
        }
        Err(_) => assert!(refused, "{value:?}"),
    }
    let joined = fuzzing::push_literal("https://h/api/", value);
    assert!(joined.starts_with("https://h/api/"));
    assert!(!joined["https://h/api/".len()..].contains(['?', '#', ' ', '\r', '\n']));
}

fn decode(encoded: &str) -> String {
    percent_encoding::percent_decode_str(encoded)
        .decode_utf8()
        .map(|text| text.into_owned())
        .unwrap_or_else(|e| panic!("{encoded:?} does not decode to UTF-8: {e}"))
}
