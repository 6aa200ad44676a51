//! The `Link` header (RFC 8288): finding the `rel="next"` target.

/// The target of the first link whose `rel` includes `next`, as written
/// (possibly relative). Malformed links are skipped, never an error.
pub(crate) fn next_link(header: &str) -> Option<&str> {
    links(header)
        .find(|(_, params)| rel_is_next(params))
        .map(|(target, _)| target)
}

/// Splits a Link header into `(target, parameters)` pairs.
fn links(header: &str) -> impl Iterator<Item = (&str, &str)> {
    let mut rest = header;
    std::iter::from_fn(move || {
        loop {
            let start = rest.find('<')?;
            let after = &rest[start + 1..];
            let end = after.find('>')?;
            let target = after[..end].trim();
            let params_start = &after[end + 1..];
            // Parameters run to the next comma that is outside quotes.
            let mut in_quotes = false;
            let mut cut = params_start.len();
            for (i, c) in params_start.char_indices() {
                match c {
                    '"' => in_quotes = !in_quotes,
                    ',' if !in_quotes => {
                        cut = i;
                        break;
                    }
                    _ => {}
                }
            }
            let params = &params_start[..cut];
            rest = &params_start[cut..];
            if !target.is_empty() {
                return Some((target, params));
            }
        }
    })
}

fn rel_is_next(params: &str) -> bool {
    params.split(';').any(|param| {
        let Some((name, value)) = param.split_once('=') else {
            return false;
        };
        name.trim().eq_ignore_ascii_case("rel")
            && value
                .trim()
                .trim_matches('"')
                .split_ascii_whitespace()
                .any(|rel| rel.eq_ignore_ascii_case("next"))
    })
}

#[cfg(test)]
mod tests {
    use super::next_link;

    #[test]
    fn github_style() {
        let h = r#"<https://api.github.com/repositories/1/issues?page=2>; rel="next", <https://api.github.com/repositories/1/issues?page=5>; rel="last""#;
        assert_eq!(
            next_link(h),
            Some("https://api.github.com/repositories/1/issues?page=2")
        );
    }

    #[test]
    fn forms_and_garbage() {
        let cases: &[(&str, Option<&str>)] = &[
            (r#"</items?page=3>; rel=next"#, Some("/items?page=3")),
            (r#"<a>; rel="prev", <b>; REL="Next""#, Some("b")),
            (r#"<a>; rel="prev next""#, Some("a")),
            (r#"<a>; title="x, rel=next"; rel="last""#, None),
            // A comma inside quotes does not end the link's parameters.
            (r#"<a>; title="one, two"; rel="next""#, Some("a")),
            (r#"<a>; rel="last""#, None),
            ("", None),
            ("<", None),
            ("<>; rel=next", None),
            ("garbage; rel=next", None),
            (r#"<unterminated; rel="next""#, None),
        ];
        for (header, want) in cases {
            assert_eq!(next_link(header), *want, "{header}");
        }
    }
}
