//! The fuzz checks as a plain test: each target's seed corpus, then seeded
//! random inputs built from the characters its parser cares about. Runs on
//! stable, in `cargo test --workspace` (this crate, fuzz/checks, is a
//! workspace member); `FUZZ_SEED` and `FUZZ_ITERATIONS` change the seed and
//! the number of random inputs per target.

use restrait_fuzz as checks;

fn seed() -> u64 {
    std::env::var("FUZZ_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0x00F0_5EED)
}

fn iterations() -> usize {
    std::env::var("FUZZ_ITERATIONS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(20_000)
}

/// Random inputs: pieces drawn from `alphabet`, up to `max` of them.
fn run(name: &str, seeds: &[&[u8]], alphabet: &[&[u8]], max: usize, check: fn(&[u8])) {
    for input in seeds {
        check(input);
    }
    let seed = seed();
    let mut rng = fastrand::Rng::with_seed(seed);
    for i in 0..iterations() {
        let mut input = Vec::new();
        for _ in 0..rng.usize(0..=max) {
            if rng.u8(..) < 16 {
                input.push(rng.u8(..));
            } else {
                input.extend_from_slice(alphabet[rng.usize(..alphabet.len())]);
            }
        }
        let outcome = std::panic::catch_unwind(|| check(&input));
        assert!(
            outcome.is_ok(),
            "{name}: input {i} of seed {seed} failed: {:?}",
            String::from_utf8_lossy(&input)
        );
    }
}

#[test]
fn path_template() {
    run(
        "path_template",
        &[
            b"",
            b"/",
            b"/users/<id>",
            b"/users/{id}/posts/<post..>",
            b"/a/<b..>/c",
            b"/<a><a>",
            b"/<user-id>",
            b"/<>",
            b"/<..>",
            b"/<a",
            b"/a>",
            b"/?q",
            b"users",
            b"/v2\n/users/<id>",
            b"/v2/\n/<id>",
            b"/\xff<\xc3>",
            b"/<\xc3\xa9>",
            // Found by cargo fuzz: a `{v}` template after an empty prefix
            // (the check compared the joined text with the `<v>` rendering).
            b"\n/.\0\0\0;u.{v}'o\x88\x88\x88",
        ],
        &[
            b"/",
            b"<",
            b">",
            b"{",
            b"}",
            b"..",
            b".",
            b"id",
            b"a",
            b"_",
            b"9",
            b"-",
            b"?",
            b"#",
            b"\n",
            b" ",
            "é".as_bytes(),
            b"\xff",
        ],
        16,
        checks::path_template,
    );
}

#[test]
fn retry_after() {
    run(
        "retry_after",
        &[
            b"120",
            b" 7 ",
            b"-5",
            b"1.5",
            b"99999999999999999999999",
            b"18446744073709551616.5",
            b"1e400",
            b"NaN",
            b"inf",
            b".",
            b"..",
            b"Sun, 06 Nov 1994 08:49:37 GMT",
            b"Sunday, 06-Nov-94 08:49:37 GMT",
            b"Sun Nov  6 08:49:37 1994",
            b"Fri, 31 Dec 9999 23:59:59 GMT",
            b"Tue, 14 Nov 2023 22:13:19 GMT",
            b"Tue, 14 Nov 2023 22:13:21 GMT",
            b"\xff10",
            b"\t5\t",
        ],
        &[
            b"0",
            b"1",
            b"9",
            b".",
            b"-",
            b" ",
            b"\t",
            b"e",
            b"Sun, ",
            b"06 Nov 1994 ",
            b"08:49:37",
            b" GMT",
            b"Nov",
            b"9999",
            b",",
            b"\xff",
        ],
        12,
        checks::retry_after,
    );
}

/// The invariants the random inputs may rarely reach, case by case: a link
/// is followed only for `rel="next"` (among other rels, in any case), and a
/// `Retry-After` date in the past means no wait.
#[test]
fn next_links_and_past_dates() {
    use restrait::fuzzing::{next_link, retry_after};
    use std::time::Duration;
    for (header, want) in [
        ("<a>; rel=\"last\"", None),
        ("<a>; rel=\"prev\", <b>; rel=\"first\"", None),
        ("<a>; rel=\"nextpage\"", None),
        ("<a>; title=\"rel=next\"", None),
        ("<a>; title=\"x, rel=next\"; rel=\"last\"", None),
        ("<a>; rel=\"last\", <b>; rel=next", Some("b")),
        ("<a>; rel=\"prev NEXT\"", Some("a")),
        ("< a >; REL=Next", Some("a")),
        ("<>; rel=next, <c>; rel=next", Some("c")),
    ] {
        assert_eq!(next_link(header), want, "{header:?}");
        checks::link_header(header.as_bytes());
    }
    let now = checks::now();
    for past in [
        "Sun, 06 Nov 1994 08:49:37 GMT",
        "Sunday, 06-Nov-94 08:49:37 GMT",
        "Sun Nov  6 08:49:37 1994",
        "Tue, 14 Nov 2023 22:13:19 GMT",
    ] {
        assert_eq!(
            retry_after(past.as_bytes(), now),
            Some(Duration::ZERO),
            "{past}"
        );
        checks::retry_after(past.as_bytes());
    }
    // One second after `now`, and a day after.
    let soon = "Tue, 14 Nov 2023 22:13:21 GMT";
    assert_eq!(
        retry_after(soon.as_bytes(), now),
        Some(Duration::from_secs(1))
    );
    let day = "Wed, 15 Nov 2023 22:13:20 GMT";
    assert_eq!(
        retry_after(day.as_bytes(), now),
        Some(Duration::from_secs(86_400))
    );
}

#[test]
fn link_header() {
    run(
        "link_header",
        &[
            b"<https://api.github.com/x?page=2>; rel=\"next\", <https://a/b?page=5>; rel=\"last\"",
            b"</items?page=3>; rel=next",
            b"<a>; title=\"x, rel=next\"; rel=\"last\"",
            b"<",
            b"<>; rel=next",
            b"< a >; rel=next",
            b"<<a>>; rel=next",
            b"<\"a\">; rel=\"next\"",
            b";;;,,,<<<>>>",
        ],
        &[
            b"<",
            b">",
            b";",
            b",",
            b"\"",
            b"rel",
            b"=",
            b"next",
            b" ",
            b"a",
            b"/x?p=1",
            b"title",
            "é".as_bytes(),
        ],
        24,
        checks::link_header,
    );
}

#[test]
fn error_body() {
    let deep_array = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
    let deep_object = format!("{}1{}", "{\"error\":".repeat(10_000), "}".repeat(10_000));
    run(
        "error_body",
        &[
            br#"{"error":{"message":"No such customer"}}"#,
            br#"{"error":"invalid_grant","error_description":"expired"}"#,
            br#"{"error":"  ","error_description":"x"}"#,
            br#"{"message":" padded "}"#,
            br#"{"title":"t","detail":"d"}"#,
            br#"{"message":"\ud83d\ude00"}"#,
            br#"{"message":"\u0000"}"#,
            b"\xff\xfe",
            deep_array.as_bytes(),
            deep_object.as_bytes(),
        ],
        &[
            b"{",
            b"}",
            b"[",
            b"]",
            b"\"",
            b":",
            b",",
            b"\"error\"",
            b"\"message\"",
            b"\"error_description\"",
            b"\"title\"",
            b"\"detail\"",
            b"\"x\"",
            b"\" \"",
            b"\"\\u00e9\"",
            b"1",
            b"null",
        ],
        24,
        checks::error_body,
    );
}

#[test]
fn path_encoding() {
    run(
        "path_encoding",
        &[
            b"",
            b".",
            b"..",
            b"...",
            b"a/b",
            b"../etc",
            b"%2e%2e",
            b"a//b",
            b"/",
            b"?#",
            b"\r\n\0",
            "ü".as_bytes(),
        ],
        &[
            b"/",
            b".",
            b"..",
            b"%",
            b"2e",
            b"?",
            b"#",
            b"\r",
            b"\n",
            b"\0",
            b" ",
            b"a",
            b"~",
            "é".as_bytes(),
            "\u{202e}".as_bytes(),
        ],
        12,
        checks::path_encoding,
    );
}
