//! Path templates: `/users/<id>`, `/users/{id}`, `/files/<path..>`.
//!
//! Plain Rust over `&str`, with no syntax tree involved, so that every rule is
//! unit-tested here. The caller turns a [`TemplateError`] into a compile error
//! at the template literal; since a span cannot point inside a string literal
//! on stable Rust, every message names the offending placeholder.

use std::fmt;

/// One piece of a parsed template, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Piece {
    /// Text sent as written, e.g. `/users/`.
    Literal(String),
    /// `<name>` or `{name}`: one path segment.
    Segment(String),
    /// `<name..>` or `{name..}`: the rest of the path, several segments.
    Tail(String),
}

/// A parsed template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Template {
    pub(crate) pieces: Vec<Piece>,
}

impl Template {
    /// The names of the placeholders, in order.
    pub(crate) fn placeholders(&self) -> impl Iterator<Item = &str> {
        self.pieces.iter().filter_map(|piece| match piece {
            Piece::Segment(name) | Piece::Tail(name) => Some(name.as_str()),
            Piece::Literal(_) => None,
        })
    }
}

/// What is wrong with a template. `Display` gives the user-facing message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum TemplateError {
    /// The template neither is empty nor starts with `/`.
    NoLeadingSlash,
    /// `?` or `#`: queries and fragments are not part of a path template.
    Forbidden(char),
    /// `<id` with no closing `>`.
    Unclosed { open: char, text: String },
    /// A `>` or `}` with no opening bracket.
    Unopened(char),
    /// `<>` or `<..>`.
    EmptyName { open: char, close: char },
    /// `<user-id>`: not a Rust identifier.
    InvalidName { name: String, suggestion: String },
    /// The same name twice.
    Duplicate(String),
    /// `<path..>` followed by more text.
    TailNotLast(String),
}

impl fmt::Display for TemplateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TemplateError::NoLeadingSlash => {
                f.write_str("a path template must start with `/`, e.g. \"/users/<id>\"")
            }
            TemplateError::Forbidden('?') => f.write_str(
                "a path template cannot contain `?`: declare query parameters with `#[query]` instead",
            ),
            TemplateError::Forbidden(c) => {
                write!(f, "a path template cannot contain `{c}`")
            }
            TemplateError::Unclosed { open, text } => {
                let close = closing(*open);
                write!(
                    f,
                    "unclosed `{open}` in path template: `{text}` needs a closing `{close}`"
                )
            }
            TemplateError::Unopened(c) => write!(
                f,
                "unmatched `{c}` in path template: placeholders are written `<name>` or `{{name}}`"
            ),
            TemplateError::EmptyName { open, close } => write!(
                f,
                "empty placeholder `{open}{close}` in path template: write the parameter's name, e.g. `<id>`"
            ),
            TemplateError::InvalidName { name, suggestion } => write!(
                f,
                "invalid placeholder name `{name}`: a placeholder names a parameter, so it must be a Rust identifier; did you mean `<{suggestion}>`?"
            ),
            TemplateError::Duplicate(name) => write!(
                f,
                "placeholder `<{name}>` appears more than once in the path template; each parameter fills one placeholder"
            ),
            TemplateError::TailNotLast(name) => write!(
                f,
                "the tail placeholder `<{name}..>` must come last in the path template"
            ),
        }
    }
}

fn closing(open: char) -> char {
    if open == '<' { '>' } else { '}' }
}

/// Is `name` usable as a parameter name (an ASCII Rust identifier)?
fn is_ident(name: &str) -> bool {
    let mut chars = name.chars();
    match chars.next() {
        Some(c) if c == '_' || c.is_ascii_alphabetic() => {}
        _ => return false,
    }
    name != "_" && chars.all(|c| c == '_' || c.is_ascii_alphanumeric())
}

/// A best-effort identifier for an invalid name: `user-id` -> `user_id`.
fn to_ident(name: &str) -> String {
    let mut out: String = name
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect();
    if out.starts_with(|c: char| c.is_ascii_digit()) {
        out.insert(0, '_');
    }
    out
}

/// Parses `text`, reporting every error found (not only the first).
pub(crate) fn parse(text: &str) -> Result<Template, Vec<TemplateError>> {
    let mut errors = Vec::new();
    let mut pieces = Vec::new();
    let mut literal = String::new();
    let mut seen: Vec<String> = Vec::new();

    if !text.is_empty() && !text.starts_with('/') {
        errors.push(TemplateError::NoLeadingSlash);
    }

    let mut rest = text;
    while let Some(c) = rest.chars().next() {
        match c {
            '?' | '#' => {
                if !errors.contains(&TemplateError::Forbidden(c)) {
                    errors.push(TemplateError::Forbidden(c));
                }
                rest = &rest[1..];
            }
            '>' | '}' => {
                errors.push(TemplateError::Unopened(c));
                rest = &rest[1..];
            }
            '<' | '{' => {
                let close = closing(c);
                let Some(end) = rest[1..].find([close, '<', '{', '/']) else {
                    errors.push(TemplateError::Unclosed {
                        open: c,
                        text: rest.to_owned(),
                    });
                    break;
                };
                let end = end + 1;
                if !rest[end..].starts_with(close) {
                    errors.push(TemplateError::Unclosed {
                        open: c,
                        text: rest[..end].to_owned(),
                    });
                    rest = &rest[end..];
                    continue;
                }
                let inner = &rest[1..end];
                rest = &rest[end + 1..];
                let (name, tail) = match inner.strip_suffix("..") {
                    Some(name) => (name, true),
                    None => (inner, false),
                };
                if name.is_empty() {
                    errors.push(TemplateError::EmptyName { open: c, close });
                    continue;
                }
                if !is_ident(name) {
                    errors.push(TemplateError::InvalidName {
                        name: name.to_owned(),
                        suggestion: to_ident(name),
                    });
                    continue;
                }
                if seen.iter().any(|s| s == name) {
                    errors.push(TemplateError::Duplicate(name.to_owned()));
                    continue;
                }
                seen.push(name.to_owned());
                if !literal.is_empty() {
                    pieces.push(Piece::Literal(std::mem::take(&mut literal)));
                }
                if tail {
                    if !rest.is_empty() {
                        errors.push(TemplateError::TailNotLast(name.to_owned()));
                    }
                    pieces.push(Piece::Tail(name.to_owned()));
                } else {
                    pieces.push(Piece::Segment(name.to_owned()));
                }
            }
            _ => {
                literal.push(c);
                rest = &rest[c.len_utf8()..];
            }
        }
    }
    if !literal.is_empty() {
        pieces.push(Piece::Literal(literal));
    }
    if errors.is_empty() {
        Ok(Template { pieces })
    } else {
        Err(errors)
    }
}

/// Checks a `prefix = ".."` value: a literal path with no placeholders.
pub(crate) fn check_prefix(text: &str) -> Result<(), String> {
    if text.is_empty() {
        return Ok(());
    }
    if !text.starts_with('/') {
        return Err(format!(
            "a prefix must start with `/`, e.g. `prefix = \"/{}\"`",
            text.trim_start_matches('/')
        ));
    }
    if let Some(c) = text
        .chars()
        .find(|c| matches!(c, '<' | '>' | '{' | '}' | '?' | '#'))
    {
        return Err(format!(
            "a prefix is a literal path and cannot contain `{c}`; put placeholders in the method's template"
        ));
    }
    Ok(())
}

/// A literal piece of a path as sent: what a path cannot carry is
/// percent-encoded (each UTF-8 byte as `%XX`), while `/`, existing escapes
/// and the RFC 3986 sub-delimiters stay. The runtime appends the result as
/// it is, so this is the one place a literal is encoded, at compile time.
pub(crate) fn encode_literal(literal: &str) -> String {
    const KEPT: &[u8] = b"-._~/%!$&'()*+,;=:@";
    let mut out = String::with_capacity(literal.len());
    for byte in literal.bytes() {
        if byte.is_ascii_alphanumeric() || KEPT.contains(&byte) {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// Joins a prefix and a template with exactly one `/` between them.
pub(crate) fn join(prefix: &str, template: &str) -> String {
    let prefix = prefix.trim_end_matches('/');
    if prefix.is_empty() {
        template.to_owned()
    } else if template.is_empty() {
        prefix.to_owned()
    } else {
        format!("{prefix}{template}")
    }
}

#[cfg(test)]
mod tests {
    use super::Piece::{Literal, Segment, Tail};
    use super::TemplateError as E;
    use super::*;

    fn lit(s: &str) -> Piece {
        Literal(s.to_owned())
    }
    fn seg(s: &str) -> Piece {
        Segment(s.to_owned())
    }
    fn tail(s: &str) -> Piece {
        Tail(s.to_owned())
    }

    #[test]
    fn valid_templates() {
        let table: &[(&str, Vec<Piece>)] = &[
            ("", vec![]),
            ("/", vec![lit("/")]),
            ("/users", vec![lit("/users")]),
            ("/users/<id>", vec![lit("/users/"), seg("id")]),
            ("/users/{id}", vec![lit("/users/"), seg("id")]),
            (
                "/users/<id>/posts/{post_id}",
                vec![lit("/users/"), seg("id"), lit("/posts/"), seg("post_id")],
            ),
            ("/files/<path..>", vec![lit("/files/"), tail("path")]),
            ("/files/{path..}", vec![lit("/files/"), tail("path")]),
            ("/<a>.json", vec![lit("/"), seg("a"), lit(".json")]),
            ("/<_a1>", vec![lit("/"), seg("_a1")]),
            ("/ünïcode/<x>", vec![lit("/ünïcode/"), seg("x")]),
        ];
        for (text, pieces) in table {
            assert_eq!(
                parse(text),
                Ok(Template {
                    pieces: pieces.clone()
                }),
                "{text}"
            );
        }
    }

    #[test]
    fn invalid_templates() {
        let invalid = |name: &str, suggestion: &str| E::InvalidName {
            name: name.to_owned(),
            suggestion: suggestion.to_owned(),
        };
        let unclosed = |open: char, text: &str| E::Unclosed {
            open,
            text: text.to_owned(),
        };
        let table: &[(&str, Vec<TemplateError>)] = &[
            ("users", vec![E::NoLeadingSlash]),
            ("/users?page=1", vec![E::Forbidden('?')]),
            ("/users#top", vec![E::Forbidden('#')]),
            ("/users/<id", vec![unclosed('<', "<id")]),
            ("/users/{id", vec![unclosed('{', "{id")]),
            ("/users/<id/posts", vec![unclosed('<', "<id")]),
            ("/users/<id}", vec![unclosed('<', "<id}")]),
            ("/users/id>", vec![E::Unopened('>')]),
            ("/users/id}", vec![E::Unopened('}')]),
            (
                "/users/<>",
                vec![E::EmptyName {
                    open: '<',
                    close: '>',
                }],
            ),
            (
                "/users/{..}",
                vec![E::EmptyName {
                    open: '{',
                    close: '}',
                }],
            ),
            ("/users/<user-id>", vec![invalid("user-id", "user_id")]),
            ("/users/<1st>", vec![invalid("1st", "_1st")]),
            ("/users/<_>", vec![invalid("_", "_")]),
            ("/users/< id>", vec![invalid(" id", "_id")]),
            ("/a/<id>/b/<id>", vec![E::Duplicate("id".into())]),
            ("/a/<id>/b/{id}", vec![E::Duplicate("id".into())]),
            ("/files/<path..>/raw", vec![E::TailNotLast("path".into())]),
            (
                "x/<a-b>/<c",
                vec![
                    E::NoLeadingSlash,
                    invalid("a-b", "a_b"),
                    unclosed('<', "<c"),
                ],
            ),
        ];
        for (text, errors) in table {
            assert_eq!(parse(text), Err(errors.clone()), "{text}");
        }
    }

    #[test]
    fn messages_name_the_placeholder() {
        let msg = |text: &str| match parse(text) {
            Err(errors) => errors[0].to_string(),
            Ok(_) => String::new(),
        };
        assert!(msg("/users/<id").contains("`<id`"));
        assert!(msg("/users/<user-id>").contains("did you mean `<user_id>`?"));
        assert!(msg("/a/<id>/<id>").contains("`<id>`"));
        assert!(msg("/a/<p..>/b").contains("`<p..>`"));
        assert!(msg("/a?b").contains("#[query]"));
    }

    #[test]
    fn literals_are_encoded_once_at_compile_time() {
        assert_eq!(encode_literal("/v2/users/"), "/v2/users/");
        assert_eq!(encode_literal("/a b/é"), "/a%20b/%C3%A9");
        assert_eq!(
            encode_literal("/x;y=1,z:@!$&'()*+~-._"),
            "/x;y=1,z:@!$&'()*+~-._"
        );
        assert_eq!(encode_literal("/100%25/\"q\""), "/100%25/%22q%22");
    }

    #[test]
    fn prefixes() {
        assert_eq!(check_prefix(""), Ok(()));
        assert_eq!(check_prefix("/v2"), Ok(()));
        assert!(check_prefix("v2").is_err_and(|e| e.contains("\"/v2\"")));
        assert!(check_prefix("/v2/<x>").is_err());
        assert_eq!(join("/v2", "/users"), "/v2/users");
        assert_eq!(join("/v2/", "/users"), "/v2/users");
        assert_eq!(join("", "/users"), "/users");
        assert_eq!(join("/v2", ""), "/v2");
    }
}
