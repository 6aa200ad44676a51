//! Rust identifiers from the names a spec uses: `snake_case` for fields,
//! parameters and methods, `PascalCase` for types and variants, keywords as
//! raw identifiers, and collisions resolved by a numeric suffix in the order
//! the (sorted) spec is walked, so the same spec always gives the same names.

use std::collections::BTreeSet;

/// Keywords that `r#` can escape.
const RAW_KEYWORDS: &[&str] = &[
    "abstract", "as", "async", "await", "become", "box", "break", "const", "continue", "do", "dyn",
    "else", "enum", "extern", "false", "final", "fn", "for", "gen", "if", "impl", "in", "let",
    "loop", "macro", "match", "mod", "move", "mut", "override", "priv", "pub", "ref", "return",
    "static", "struct", "trait", "true", "try", "type", "typeof", "unsafe", "unsized", "use",
    "virtual", "where", "while", "yield",
];

/// Keywords that cannot be raw identifiers: renamed with a trailing `_`.
const PLAIN_KEYWORDS: &[&str] = &["crate", "self", "super", "Self"];

/// Type names the generated code itself uses unqualified; a model never takes one.
pub(crate) const RESERVED_TYPES: &[&str] = &["Box", "Option", "Result", "String", "Vec"];

/// Splits a wire name into lower-case ASCII words: at separators, at
/// `camelCase` humps and before the last capital of an acronym (`HTTPServer`
/// gives `http`, `server`). A leading `+` or `-` becomes `plus` / `minus`, so
/// GitHub's `+1` and `-1` reactions stay apart.
pub(crate) fn words(name: &str) -> Vec<String> {
    let mut out = Vec::new();
    let trimmed = name.trim_start();
    if trimmed.starts_with('+') {
        out.push("plus".to_owned());
    } else if trimmed.starts_with('-') {
        out.push("minus".to_owned());
    }
    let chars: Vec<char> = name.chars().collect();
    let mut current = String::new();
    for (i, &c) in chars.iter().enumerate() {
        if !c.is_ascii_alphanumeric() {
            flush(&mut current, &mut out);
            continue;
        }
        let prev = i.checked_sub(1).and_then(|p| chars.get(p)).copied();
        let next = chars.get(i + 1).copied();
        if c.is_ascii_uppercase() && !current.is_empty() {
            let after_lower = prev.is_some_and(|p| p.is_ascii_lowercase() || p.is_ascii_digit());
            let acronym_end = prev.is_some_and(|p| p.is_ascii_uppercase())
                && next.is_some_and(|n| n.is_ascii_lowercase());
            if after_lower || acronym_end {
                flush(&mut current, &mut out);
            }
        }
        current.push(c.to_ascii_lowercase());
    }
    flush(&mut current, &mut out);
    out
}

fn flush(current: &mut String, out: &mut Vec<String>) {
    if !current.is_empty() {
        out.push(std::mem::take(current));
    }
}

/// `snake_case`, always a valid identifier (a keyword comes back raw, `r#type`).
pub(crate) fn snake(name: &str) -> String {
    let mut out = words(name).join("_");
    if out.is_empty() {
        out.push_str("value");
    }
    if out.starts_with(|c: char| c.is_ascii_digit()) {
        out.insert(0, '_');
    }
    escape(out)
}

/// `PascalCase`, always a valid identifier.
pub(crate) fn pascal(name: &str) -> String {
    let mut out: String = words(name)
        .iter()
        .map(|word| {
            let mut chars = word.chars();
            match chars.next() {
                Some(first) => first.to_ascii_uppercase().to_string() + chars.as_str(),
                None => String::new(),
            }
        })
        .collect();
    if out.is_empty() {
        out.push_str("Value");
    }
    if out.starts_with(|c: char| c.is_ascii_digit()) {
        out.insert(0, 'V');
    }
    escape(out)
}

fn escape(name: String) -> String {
    if RAW_KEYWORDS.contains(&name.as_str()) {
        format!("r#{name}")
    } else if PLAIN_KEYWORDS.contains(&name.as_str()) {
        name + "_"
    } else {
        name
    }
}

/// The name without `r#`: what the macro matches path placeholders against.
pub(crate) fn unraw(ident: &str) -> &str {
    ident.strip_prefix("r#").unwrap_or(ident)
}

/// One namespace: hands out each name once.
#[derive(Debug, Default)]
pub(crate) struct Names {
    used: BTreeSet<String>,
}

impl Names {
    /// A namespace where `reserved` are already taken.
    pub(crate) fn with_reserved(reserved: &[&str]) -> Self {
        Names {
            used: reserved.iter().map(|s| (*s).to_owned()).collect(),
        }
    }

    /// `base` if it is free, else `base2`, `base3`, ... (`base_2` for snake case).
    pub(crate) fn claim(&mut self, base: &str) -> String {
        let plain = unraw(base);
        let snake = plain
            .chars()
            .next()
            .is_some_and(|c| !c.is_ascii_uppercase());
        let mut candidate = base.to_owned();
        let mut n = 2u32;
        while self.used.contains(unraw(&candidate)) {
            candidate = if snake {
                format!("{plain}_{n}")
            } else {
                format!("{plain}{n}")
            };
            n += 1;
        }
        self.used.insert(unraw(&candidate).to_owned());
        candidate
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_split_humps_acronyms_and_separators() {
        assert_eq!(words("petId"), ["pet", "id"]);
        assert_eq!(words("HTTPServer"), ["http", "server"]);
        assert_eq!(words("per-page"), ["per", "page"]);
        assert_eq!(
            words("X-GitHub-Api-Version"),
            ["x", "git", "hub", "api", "version"]
        );
        assert_eq!(words("+1"), ["plus", "1"]);
        assert_eq!(words("-1"), ["minus", "1"]);
        assert_eq!(words("int32Value"), ["int32", "value"]);
    }

    #[test]
    fn identifiers_are_always_valid() {
        assert_eq!(snake("type"), "r#type");
        assert_eq!(snake("self"), "self_");
        assert_eq!(snake("2fa"), "_2fa");
        assert_eq!(snake("@@"), "value");
        assert_eq!(pascal("self"), "Self_");
        assert_eq!(pascal("2xx"), "V2xx");
        assert_eq!(pascal("nullable-simple-user"), "NullableSimpleUser");
    }

    #[test]
    fn collisions_get_deterministic_suffixes() {
        let mut names = Names::with_reserved(RESERVED_TYPES);
        assert_eq!(names.claim("Pet"), "Pet");
        assert_eq!(names.claim("Pet"), "Pet2");
        assert_eq!(names.claim("String"), "String2");
        let mut fields = Names::default();
        assert_eq!(fields.claim("r#type"), "r#type");
        assert_eq!(fields.claim("r#type"), "type_2");
        assert_eq!(fields.claim("id"), "id");
        assert_eq!(fields.claim("id"), "id_2");
    }
}
