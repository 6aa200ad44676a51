//! Attribute slots: `#[resource(..)]` arguments, the method attributes
//! (`#[get("..")]`, `#[headers(..)]`, `#[timeout(..)]`, `#[retry(..)]`,
//! `#[idempotent]`, `#[paginate(..)]`, `#[multipart]`, `#[sse(..)]`) and the
//! parameter attributes (`#[query]`, `#[header]`, `#[body]`, `#[form]`,
//! `#[url]`, `#[part(..)]`). Each mistake is recorded in the [`Ctxt`] at the
//! offending token, and parsing goes on.

use crate::ctxt::{Ctxt, closest, one_of, unknown_message};
use proc_macro2::{Span, TokenStream};
use syn::meta::ParseNestedMeta;
use syn::parse::Parser;
use syn::{Attribute, Ident, LitInt, LitStr, Token};

mod method;
mod param;
mod resource;

pub(crate) use method::*;
pub(crate) use param::*;
pub(crate) use resource::*;

/// An HTTP verb attribute.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Verb {
    Get,
    Post,
    Put,
    Patch,
    Delete,
    Head,
    Options,
}

impl Verb {
    pub(crate) const NAMES: &'static [&'static str] =
        &["get", "post", "put", "patch", "delete", "head", "options"];

    pub(crate) fn from_name(name: &str) -> Option<Self> {
        Some(match name {
            "get" => Verb::Get,
            "post" => Verb::Post,
            "put" => Verb::Put,
            "patch" => Verb::Patch,
            "delete" => Verb::Delete,
            "head" => Verb::Head,
            "options" => Verb::Options,
            _ => return None,
        })
    }

    pub(crate) fn name(self) -> &'static str {
        match self {
            Verb::Get => "get",
            Verb::Post => "post",
            Verb::Put => "put",
            Verb::Patch => "patch",
            Verb::Delete => "delete",
            Verb::Head => "head",
            Verb::Options => "options",
        }
    }
}

/// Method attributes other than the verbs.
pub(crate) const METHOD_ATTRS: &[&str] = &[
    "headers",
    "timeout",
    "retry",
    "idempotent",
    "paginate",
    "multipart",
    "sse",
    "returns",
    "rate_limit",
];
/// Parameter attributes.
pub(crate) const PARAM_ATTRS: &[&str] = &["query", "header", "body", "form", "url", "part"];
/// Attributes the compiler allows on parameters; kept as they are.
const LINT_ATTRS: &[&str] = &["allow", "warn", "deny", "expect", "forbid"];

/// The name of one of our attributes: `get`, `restrait::get` or `::restrait::get`.
pub(crate) fn our_name(attr: &Attribute) -> Option<String> {
    let path = attr.path();
    let segments: Vec<&syn::PathSegment> = path.segments.iter().collect();
    match segments.as_slice() {
        [name] if path.leading_colon.is_none() => Some(name.ident.to_string()),
        [krate, name] if krate.ident == "restrait" => Some(name.ident.to_string()),
        _ => None,
    }
}

fn is_lint_attr(attr: &Attribute) -> bool {
    attr.path()
        .get_ident()
        .is_some_and(|i| LINT_ATTRS.iter().any(|l| i == l))
}

/// Attributes of the generated impl method copied from the trait method.
pub(crate) fn forwarded_to_impl(attr: &Attribute) -> bool {
    is_lint_attr(attr) || attr.path().is_ident("cfg")
}

/// One `"Name: value"` of a `#[headers(..)]` attribute.
#[derive(Debug, Clone)]
pub(crate) struct StaticHeader {
    pub(crate) name: String,
    pub(crate) value: String,
}

/// `#[timeout(..)]`.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Timeout {
    Secs(u64),
    Millis(u64),
}

/// `#[retry(..)]`.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Retry {
    Max(u32),
    Never,
}

fn set_once<T>(cx: &Ctxt, slot: &mut Option<T>, value: T, meta: &ParseNestedMeta<'_>, name: &str) {
    if slot.is_some() {
        cx.error_spanned_by(&meta.path, format!("duplicate argument `{name}`"));
    } else {
        *slot = Some(value);
    }
}

/// Records "unknown argument" at the key and skips its value, so parsing goes on.
pub(crate) fn unknown_argument(
    cx: &Ctxt,
    meta: &ParseNestedMeta<'_>,
    context: &str,
    allowed: &[&str],
) -> syn::Result<()> {
    let name = meta
        .path
        .get_ident()
        .map_or_else(|| path_to_string(&meta.path), Ident::to_string);
    let context = format!(" in {context}");
    cx.error_spanned_by(
        &meta.path,
        unknown_message("argument", &name, &context, allowed),
    );
    if meta.input.peek(Token![=]) {
        meta.value()?.parse::<syn::Expr>()?;
    } else if meta.input.peek(syn::token::Paren) {
        meta.parse_nested_meta(|inner| {
            inner.input.parse::<TokenStream>()?;
            Ok(())
        })?;
    }
    Ok(())
}

fn path_to_string(path: &syn::Path) -> String {
    let names: Vec<String> = path.segments.iter().map(|s| s.ident.to_string()).collect();
    names.join("::")
}

/// Whether a method attribute is one `#[resource]` reads (or reports): then
/// a method with a default body is still an endpoint (or a mistake).
pub(crate) fn is_ours_on_method(attr: &Attribute) -> bool {
    let Some(name) = our_name(attr) else {
        return false;
    };
    Verb::from_name(&name).is_some()
        || METHOD_ATTRS.contains(&name.as_str())
        || PARAM_ATTRS.contains(&name.as_str())
        || name == "resource"
        || misspelled(attr, &method_candidates()).is_some()
}

/// The names a misspelled method attribute is compared with.
pub(crate) fn method_candidates() -> Vec<&'static str> {
    Verb::NAMES.iter().chain(METHOD_ATTRS).copied().collect()
}

fn no_args(cx: &Ctxt, attr: &Attribute, what: &str) -> bool {
    if matches!(attr.meta, syn::Meta::Path(_)) {
        true
    } else {
        cx.error_spanned_by(attr, format!("`#[{what}]` takes no arguments"));
        false
    }
}

/// An attribute that is not ours but is a likely misspelling of one of `candidates`:
/// its name and the suggestion.
pub(crate) fn misspelled(
    attr: &Attribute,
    candidates: &[&'static str],
) -> Option<(String, &'static str)> {
    let name = attr.path().get_ident()?.to_string();
    closest(&name, candidates).map(|best| (name, best))
}

/// "`#[get]`, `#[post]` .. or `#[options]`".
pub(crate) fn verbs_list() -> String {
    let quoted: Vec<String> = Verb::NAMES.iter().map(|v| format!("#[{v}]")).collect();
    let refs: Vec<&str> = quoted.iter().map(String::as_str).collect();
    one_of(&refs)
}
