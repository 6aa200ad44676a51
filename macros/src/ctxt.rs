//! The error accumulator: every phase records its errors here and goes on, so a
//! user sees all mistakes of a trait in one compile.

use proc_macro2::Span;
use quote::ToTokens;
use std::fmt::Display;

#[derive(Default)]
pub(crate) struct Ctxt {
    errors: Vec<syn::Error>,
}

impl Ctxt {
    pub(crate) fn new() -> Self {
        Self::default()
    }

    /// An error spanning the tokens of `node` (all of them, where the compiler allows).
    pub(crate) fn error_spanned_by(&mut self, node: impl ToTokens, message: impl Display) {
        self.errors.push(syn::Error::new_spanned(node, message));
    }

    /// An error at one span.
    pub(crate) fn error_at(&mut self, span: Span, message: impl Display) {
        self.errors.push(syn::Error::new(span, message));
    }

    /// Records an error that `syn` produced.
    pub(crate) fn syn_error(&mut self, error: syn::Error) {
        self.errors.push(error);
    }

    /// How many errors so far; with [`Ctxt::has_errors_since`] a phase can tell
    /// whether one item produced errors.
    pub(crate) fn mark(&self) -> usize {
        self.errors.len()
    }

    pub(crate) fn has_errors_since(&self, mark: usize) -> bool {
        self.errors.len() > mark
    }

    /// All errors combined into one, or `None`.
    pub(crate) fn into_error(self) -> Option<syn::Error> {
        let mut errors = self.errors.into_iter();
        let mut first = errors.next()?;
        for error in errors {
            first.combine(error);
        }
        Some(first)
    }
}

/// The name among `candidates` closest to `unknown`, if it is close enough to
/// be a likely typo.
pub(crate) fn closest<'a>(unknown: &str, candidates: &[&'a str]) -> Option<&'a str> {
    candidates
        .iter()
        .map(|c| (strsim::damerau_levenshtein(unknown, c), *c))
        .filter(|(distance, c)| *distance <= (c.len() / 3).clamp(1, 3))
        .min_by(|a, b| {
            a.0.cmp(&b.0).then_with(|| {
                strsim::jaro_winkler(unknown, b.1).total_cmp(&strsim::jaro_winkler(unknown, a.1))
            })
        })
        .map(|(_, c)| c)
}

/// "`a`, `b` or `c`".
pub(crate) fn one_of(candidates: &[&str]) -> String {
    let quoted: Vec<String> = candidates.iter().map(|c| format!("`{c}`")).collect();
    match quoted.split_last() {
        None => String::new(),
        Some((last, [])) => last.clone(),
        Some((last, init)) => format!("{} or {last}", init.join(", ")),
    }
}

/// "unknown argument `mx` in `#[retry]`, did you mean `max`? (expected `max` or `never`)".
pub(crate) fn unknown_message(
    what: &str,
    unknown: &str,
    context: &str,
    allowed: &[&str],
) -> String {
    let mut message = format!("unknown {what} `{unknown}`{context}");
    if let Some(best) = closest(unknown, allowed) {
        message.push_str(&format!(", did you mean `{best}`?"));
    }
    if !allowed.is_empty() {
        message.push_str(&format!(" (expected {})", one_of(allowed)));
    }
    message
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggestions() {
        assert_eq!(closest("mx", &["max", "never"]), Some("max"));
        assert_eq!(closest("nevr", &["max", "never"]), Some("never"));
        assert_eq!(closest("sec", &["secs", "ms"]), Some("secs"));
        assert_eq!(closest("zzz", &["max", "never"]), None);
        assert_eq!(one_of(&["a"]), "`a`");
        assert_eq!(one_of(&["a", "b", "c"]), "`a`, `b` or `c`");
        assert_eq!(
            unknown_message("argument", "mx", " in `#[retry]`", &["max", "never"]),
            "unknown argument `mx` in `#[retry]`, did you mean `max`? (expected `max` or `never`)"
        );
    }

    #[test]
    fn combines_all_errors() {
        let cx = Ctxt::new();
        assert!(cx.into_error().is_none());
        let mut cx = Ctxt::new();
        cx.error_at(Span::call_site(), "one");
        cx.error_at(Span::call_site(), "two");
        let error = cx.into_error().map(|e| e.into_iter().count());
        assert_eq!(error, Some(2));
    }
}
