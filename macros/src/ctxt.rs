//! The error accumulator: every phase records its errors here and goes on, so a
//! user sees all mistakes of a trait in one compile.

use proc_macro2::Span;
use quote::ToTokens;
use std::cell::RefCell;
use std::fmt::Display;

/// Errors of one scope (the trait, one endpoint, one attribute). Recording
/// takes `&self`, so phases that only read the model can still report.
///
/// A `Ctxt` must be consumed with [`Ctxt::check`]: its outcome is what
/// decides, for example, whether an endpoint gets a real body or a stub. In
/// debug builds, dropping one unchecked is a bug in the macro and panics
/// (as serde_derive's `Ctxt` does).
pub(crate) struct Ctxt {
    errors: RefCell<Option<Vec<syn::Error>>>,
}

impl Ctxt {
    pub(crate) fn new() -> Self {
        Ctxt {
            errors: RefCell::new(Some(Vec::new())),
        }
    }

    fn push(&self, error: syn::Error) {
        if let Some(errors) = self.errors.borrow_mut().as_mut() {
            errors.push(error);
        }
    }

    /// An error spanning the tokens of `node` (all of them, where the compiler allows).
    pub(crate) fn error_spanned_by(&self, node: impl ToTokens, message: impl Display) {
        self.push(syn::Error::new_spanned(node, message));
    }

    /// An error at one span.
    pub(crate) fn error_at(&self, span: Span, message: impl Display) {
        self.push(syn::Error::new(span, message));
    }

    /// Records an error that `syn` (or a nested [`Ctxt`]) produced.
    pub(crate) fn syn_error(&self, error: syn::Error) {
        self.push(error);
    }

    /// Consumes the collector: `Ok` when nothing was recorded, else all
    /// errors combined into one.
    pub(crate) fn check(self) -> syn::Result<()> {
        let errors = self.errors.borrow_mut().take().unwrap_or_default();
        let mut errors = errors.into_iter();
        let Some(mut first) = errors.next() else {
            return Ok(());
        };
        for error in errors {
            first.combine(error);
        }
        Err(first)
    }

    /// Runs `f` with a nested collector, folds its errors into `self`, and
    /// keeps `f`'s value only when `f` recorded none.
    pub(crate) fn scoped<T>(&self, f: impl FnOnce(&Ctxt) -> Option<T>) -> Option<T> {
        let inner = Ctxt::new();
        let value = f(&inner);
        match inner.check() {
            Ok(()) => value,
            Err(error) => {
                self.push(error);
                None
            }
        }
    }
}

impl Drop for Ctxt {
    fn drop(&mut self) {
        if cfg!(debug_assertions) && !std::thread::panicking() && self.errors.borrow().is_some() {
            panic!("restrait-macros: an error collector was dropped without `Ctxt::check`");
        }
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
        assert!(cx.check().is_ok());
        let cx = Ctxt::new();
        cx.error_at(Span::call_site(), "one");
        cx.error_at(Span::call_site(), "two");
        let error = cx.check().err().map(|e| e.into_iter().count());
        assert_eq!(error, Some(2));
    }

    #[test]
    fn scoped_keeps_a_value_only_without_errors() {
        let cx = Ctxt::new();
        assert_eq!(cx.scoped(|_| Some(1)), Some(1));
        assert_eq!(
            cx.scoped(|inner| {
                inner.error_at(Span::call_site(), "x");
                Some(2)
            }),
            None
        );
        assert_eq!(cx.check().err().map(|e| e.into_iter().count()), Some(1));
    }

    #[test]
    #[should_panic(expected = "without `Ctxt::check`")]
    #[cfg(debug_assertions)]
    fn unchecked_collector_panics_in_debug() {
        let _cx = Ctxt::new();
    }
}
