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

/// `#[resource(prefix = "..", client = "..", crate = "..", error = T, ok_field = "..", openapi = "..")]`.
#[derive(Default)]
pub(crate) struct ResourceArgs {
    pub(crate) prefix: Option<LitStr>,
    pub(crate) client: Option<Ident>,
    /// The path of the runtime crate, when it is not `::restrait`.
    pub(crate) krate: Option<syn::Path>,
    /// `error = Type`: error bodies are decoded as this type too.
    pub(crate) error: Option<syn::Type>,
    /// `ok_field = "ok"`: a 2xx body whose field is `false` is an error.
    pub(crate) ok_field: Option<LitStr>,
    /// `codec = xml`: the codec of bodies and responses.
    pub(crate) codec: Option<crate::codec::CodecName>,
    /// `check = path::to::fn`: a 2xx answer it gives a message for is an error.
    pub(crate) check: Option<syn::Path>,
    /// `openapi = "specs/api.yaml"`: the spec the endpoints are checked against.
    pub(crate) openapi: Option<LitStr>,
}

const RESOURCE_ARGS: &[&str] = &[
    "prefix", "client", "crate", "error", "ok_field", "codec", "check", "openapi",
];

pub(crate) fn parse_resource_args(cx: &Ctxt, args: TokenStream) -> ResourceArgs {
    let mut out = ResourceArgs::default();
    let parser = syn::meta::parser(|meta| {
        if meta.path.is_ident("prefix") {
            let lit: LitStr = meta.value()?.parse()?;
            if let Err(message) = crate::template::check_prefix(&lit.value()) {
                cx.error_spanned_by(&lit, message);
            }
            set_once(cx, &mut out.prefix, lit, &meta, "prefix");
        } else if meta.path.is_ident("client") {
            let lit: LitStr = meta.value()?.parse()?;
            match syn::parse_str::<Ident>(&lit.value()) {
                Ok(ident) => {
                    let ident = Ident::new(&ident.to_string(), lit.span());
                    set_once(cx, &mut out.client, ident, &meta, "client");
                }
                Err(_) => cx.error_spanned_by(
                    &lit,
                    format!(
                        "`client = {:?}` is not a valid type name: write an identifier such as `client = \"UsersApi\"`",
                        lit.value()
                    ),
                ),
            }
        } else if meta.path.is_ident("crate") {
            let lit: LitStr = meta.value()?.parse()?;
            match lit.parse_with(syn::Path::parse_mod_style) {
                Ok(path) => set_once(cx, &mut out.krate, path, &meta, "crate"),
                Err(_) => cx.error_spanned_by(
                    &lit,
                    format!(
                        "`crate = {:?}` is not a path: write the path of the `restrait` crate, e.g. `crate = \"::my_restrait\"`",
                        lit.value()
                    ),
                ),
            }
        } else if meta.path.is_ident("error") {
            let value = meta.value()?;
            if value.peek(LitStr) {
                let lit: LitStr = value.parse()?;
                cx.error_spanned_by(
                    &lit,
                    format!(
                        "`error = {:?}` names a type, not a string: write it without quotes, e.g. `error = {}`",
                        lit.value(),
                        lit.value()
                    ),
                );
            } else {
                let ty: syn::Type = value.parse()?;
                set_once(cx, &mut out.error, ty, &meta, "error");
            }
        } else if meta.path.is_ident("check") {
            let path: syn::Path = meta.value()?.parse()?;
            set_once(cx, &mut out.check, path, &meta, "check");
        } else if meta.path.is_ident("codec") {
            let codec = crate::codec::parse_resource_codec(&meta)?;
            set_once(cx, &mut out.codec, codec, &meta, "codec");
        } else if meta.path.is_ident("ok_field") {
            let lit: LitStr = meta.value()?.parse()?;
            if lit.value().trim().is_empty() {
                cx.error_spanned_by(
                    &lit,
                    "`ok_field` names the body's success flag and cannot be empty: write e.g. `ok_field = \"ok\"`",
                );
            }
            set_once(cx, &mut out.ok_field, lit, &meta, "ok_field");
        } else if meta.path.is_ident("openapi") {
            let lit: LitStr = meta.value()?.parse()?;
            set_once(cx, &mut out.openapi, lit, &meta, "openapi");
        } else {
            unknown_argument(cx, &meta, "`#[resource]`", RESOURCE_ARGS)?;
        }
        Ok(())
    });
    if let Err(error) = parser.parse2(args) {
        cx.syn_error(error);
    }
    out
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

/// Parses the `"Name: value"` strings of a `#[headers(..)]` attribute.
pub(crate) fn parse_headers(cx: &Ctxt, attr: &Attribute, out: &mut Vec<StaticHeader>) {
    let lits = match attr
        .parse_args_with(syn::punctuated::Punctuated::<LitStr, Token![,]>::parse_terminated)
    {
        Ok(lits) => lits,
        Err(_) => {
            cx.error_spanned_by(
                attr,
                "expected header strings: `#[headers(\"Accept: application/json\", ..)]`",
            );
            return;
        }
    };
    if lits.is_empty() {
        cx.error_spanned_by(
            attr,
            "`#[headers]` needs at least one header: `#[headers(\"Accept: application/json\")]`",
        );
    }
    for lit in lits {
        let text = lit.value();
        let Some((name, value)) = text.split_once(':') else {
            cx.error_spanned_by(
                &lit,
                format!(
                    "malformed header {text:?}: expected \"Name: value\", e.g. \"Accept: application/json\""
                ),
            );
            continue;
        };
        let (name, value) = (name.trim(), value.trim());
        if let Err(message) = check_header_name(name) {
            cx.error_spanned_by(&lit, format!("malformed header {text:?}: {message}"));
        } else if let Some(c) = value
            .chars()
            .find(|c| !(c.is_ascii_graphic() || *c == ' ' || *c == '\t'))
        {
            cx.error_spanned_by(
                &lit,
                format!(
                    "malformed header {text:?}: the value contains {c:?}; header values must be visible ASCII"
                ),
            );
        } else {
            out.push(StaticHeader {
                name: name.to_owned(),
                value: value.to_owned(),
            });
        }
    }
}

/// A header name is an RFC 9110 token.
pub(crate) fn check_header_name(name: &str) -> Result<(), String> {
    if name.is_empty() {
        return Err("the header name is empty".to_owned());
    }
    match name
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || "!#$%&'*+-.^_`|~".contains(*c)))
    {
        Some(c) => Err(format!(
            "the header name `{name}` contains {c:?}, which is not allowed in a header name"
        )),
        None => Ok(()),
    }
}

/// The path template of a verb attribute: `#[get("/users/<id>")]`.
pub(crate) fn parse_verb(cx: &Ctxt, attr: &Attribute, verb: Verb) -> Option<LitStr> {
    let example = format!("#[{}(\"/users/<id>\")]", verb.name());
    match &attr.meta {
        syn::Meta::Path(_) => {
            cx.error_spanned_by(
                attr,
                format!(
                    "`#[{}]` needs a path template, e.g. `{example}`",
                    verb.name()
                ),
            );
            None
        }
        _ => match attr.parse_args::<LitStr>() {
            Ok(lit) => Some(lit),
            Err(_) => {
                cx.error_spanned_by(
                    attr,
                    format!("expected one path template string, e.g. `{example}`"),
                );
                None
            }
        },
    }
}

pub(crate) fn parse_timeout(cx: &Ctxt, attr: &Attribute) -> Option<Timeout> {
    let keys = Ctxt::new();
    let out = timeout_keys(&keys, attr);
    match keys.check() {
        Err(error) => {
            cx.syn_error(error);
            None
        }
        Ok(()) if out.is_none() => {
            cx.error_spanned_by(
                attr,
                "expected `#[timeout(secs = N)]` or `#[timeout(ms = N)]`",
            );
            None
        }
        Ok(()) => out,
    }
}

fn timeout_keys(cx: &Ctxt, attr: &Attribute) -> Option<Timeout> {
    let mut out = None;
    let result = attr.parse_nested_meta(|meta| {
        let unit = if meta.path.is_ident("secs") {
            Timeout::Secs
        } else if meta.path.is_ident("ms") {
            Timeout::Millis
        } else {
            return unknown_argument(cx, &meta, "`#[timeout]`", &["secs", "ms"]);
        };
        let lit: LitInt = meta.value()?.parse()?;
        let n: u64 = lit.base10_parse()?;
        if n == 0 {
            cx.error_spanned_by(&lit, "a timeout must be greater than zero");
        } else if out.is_some() {
            cx.error_spanned_by(
                &meta.path,
                "`#[timeout]` takes one of `secs = N` or `ms = N`",
            );
        } else {
            out = Some(unit(n));
        }
        Ok(())
    });
    if let Err(error) = result {
        cx.error_at(
            error.span(),
            format!("{error}; expected `#[timeout(secs = N)]` or `#[timeout(ms = N)]`"),
        );
        return None;
    }
    out
}

pub(crate) fn parse_retry(cx: &Ctxt, attr: &Attribute) -> Option<Retry> {
    let mut out: Option<Retry> = None;
    let mut seen = 0;
    let result = attr.parse_nested_meta(|meta| {
        if meta.path.is_ident("never") {
            seen += 1;
            out = Some(Retry::Never);
        } else if meta.path.is_ident("max") {
            seen += 1;
            let lit: LitInt = meta.value()?.parse()?;
            out = Some(Retry::Max(lit.base10_parse()?));
        } else {
            return unknown_argument(cx, &meta, "`#[retry]`", &["max", "never"]);
        }
        Ok(())
    });
    if let Err(error) = result {
        cx.error_at(
            error.span(),
            format!("{error}; expected `#[retry(max = N)]` or `#[retry(never)]`"),
        );
        return None;
    }
    if seen > 1 {
        cx.error_spanned_by(
            attr,
            "`#[retry]` takes one of `max = N` or `never`, not both",
        );
    }
    out
}

/// What a parameter attribute says.
#[derive(Debug, Clone)]
pub(crate) enum ParamAttr {
    /// `#[query]` or `#[query("name")]`.
    Query(Option<LitStr>),
    /// `#[header]` or `#[header("Name")]`.
    Header(Option<LitStr>),
    /// `#[body]`, `#[body(xml)]`, `#[body(gzip)]`, ..
    Body(crate::codec::BodyArgs),
    Form,
    /// `#[url]`: an absolute URL sent instead of the base URL and the path.
    Url,
    /// `#[part]`, `#[part("name")]`, `#[part("name", json)]`: one part of a
    /// `#[multipart]` body.
    Part {
        name: Option<LitStr>,
        json: bool,
    },
}

impl ParamAttr {
    pub(crate) fn name(&self) -> &'static str {
        match self {
            ParamAttr::Query(_) => "query",
            ParamAttr::Header(_) => "header",
            ParamAttr::Body(_) => "body",
            ParamAttr::Form => "form",
            ParamAttr::Url => "url",
            ParamAttr::Part { .. } => "part",
        }
    }
}

/// What a parameter's attributes say: `None` without one of ours,
/// `Some(Err(()))` when ours had errors (all recorded), and the attributes
/// that are not ours.
pub(crate) type ParamAttrs<'a> = (Option<Result<(ParamAttr, Span), ()>>, Vec<&'a Attribute>);

/// Splits a parameter's attributes into ours (at most one) and the others.
pub(crate) fn parse_param_attrs<'a>(cx: &Ctxt, attrs: &'a [Attribute]) -> ParamAttrs<'a> {
    let mut ours: Option<Result<(ParamAttr, Span), ()>> = None;
    let mut rest = Vec::new();
    for attr in attrs {
        let Some(name) = our_name(attr) else {
            rest.push(attr);
            continue;
        };
        let parsed = match name.as_str() {
            "query" => {
                optional_name(cx, attr, "query", "#[query(\"per-page\")]").map(ParamAttr::Query)
            }
            "header" => {
                let name = optional_name(cx, attr, "header", "#[header(\"X-Request-Id\")]");
                match &name {
                    Some(Some(lit)) => match check_header_name(&lit.value()) {
                        Ok(()) => name.map(ParamAttr::Header),
                        Err(message) => {
                            cx.error_spanned_by(lit, message);
                            None
                        }
                    },
                    _ => name.map(ParamAttr::Header),
                }
            }
            "body" => crate::codec::parse_body(cx, attr).map(ParamAttr::Body),
            "form" => no_args(cx, attr, "form").then_some(ParamAttr::Form),
            "url" => no_args(cx, attr, "url").then_some(ParamAttr::Url),
            "part" => parse_part(cx, attr),
            _ if is_lint_attr(attr) => {
                rest.push(attr);
                continue;
            }
            other if Verb::from_name(other).is_some() || METHOD_ATTRS.contains(&other) => {
                cx.error_spanned_by(
                    attr,
                    format!("`#[{other}]` goes on the method, not on a parameter"),
                );
                None
            }
            other => {
                cx.error_spanned_by(
                    attr.path(),
                    unknown_message("parameter attribute", other, "", PARAM_ATTRS),
                );
                None
            }
        };
        let Some(parsed) = parsed else {
            ours = Some(Err(()));
            continue;
        };
        match &ours {
            Some(Ok((previous, _))) => {
                cx.error_spanned_by(
                    attr,
                    format!(
                        "a parameter takes one of `#[query]`, `#[header]`, `#[body]`, `#[form]`, `#[url]` or `#[part]`; this one already has `#[{}]`",
                        previous.name()
                    ),
                );
                ours = Some(Err(()));
            }
            Some(Err(())) => {}
            None => {
                let span = attr
                    .path()
                    .segments
                    .last()
                    .map_or_else(Span::call_site, |s| s.ident.span());
                ours = Some(Ok((parsed, span)));
            }
        }
    }
    (ours, rest)
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

/// `#[query]` or `#[query("name")]`: `Some(None)`, `Some(Some(lit))`, or `None` on error.
fn optional_name(cx: &Ctxt, attr: &Attribute, what: &str, example: &str) -> Option<Option<LitStr>> {
    match &attr.meta {
        syn::Meta::Path(_) => Some(None),
        syn::Meta::List(_) => match attr.parse_args::<LitStr>() {
            Ok(lit) if lit.value().is_empty() => {
                cx.error_spanned_by(&lit, format!("the `#[{what}]` name is empty"));
                None
            }
            Ok(lit) => Some(Some(lit)),
            Err(_) => {
                cx.error_spanned_by(
                    attr,
                    format!("expected `#[{what}]` or a name in a string, e.g. `{example}`"),
                );
                None
            }
        },
        syn::Meta::NameValue(_) => {
            cx.error_spanned_by(
                attr,
                format!("expected `#[{what}]` or a name in a string, e.g. `{example}`"),
            );
            None
        }
    }
}

const PART_EXAMPLE: &str = "`#[part]`, `#[part(\"file\")]` or `#[part(\"metadata\", json)]`";

/// `#[part]`, `#[part("name")]`, `#[part(json)]` or `#[part("name", json)]`;
/// `None` on error (recorded).
fn parse_part(cx: &Ctxt, attr: &Attribute) -> Option<ParamAttr> {
    let syn::Meta::List(list) = &attr.meta else {
        if matches!(attr.meta, syn::Meta::NameValue(_)) {
            cx.error_spanned_by(attr, format!("expected {PART_EXAMPLE}"));
            return None;
        }
        return Some(ParamAttr::Part {
            name: None,
            json: false,
        });
    };
    let keys = Ctxt::new();
    let mut name: Option<LitStr> = None;
    let mut json = false;
    let parser = |input: syn::parse::ParseStream<'_>| -> syn::Result<()> {
        if input.peek(LitStr) {
            let lit: LitStr = input.parse()?;
            if lit.value().is_empty() {
                keys.error_spanned_by(&lit, "the `#[part]` name is empty: write the form field's name, e.g. `#[part(\"file\")]`, or `#[part]` for the parameter's name");
            }
            name = Some(lit);
            if input.is_empty() {
                return Ok(());
            }
            input.parse::<Token![,]>()?;
        }
        while !input.is_empty() {
            let key: Ident = input.parse()?;
            if key == "json" {
                if json {
                    keys.error_spanned_by(&key, "duplicate argument `json`");
                }
                json = true;
            } else {
                keys.error_spanned_by(
                    &key,
                    unknown_message("argument", &key.to_string(), " in `#[part]`", &["json"]),
                );
            }
            if input.is_empty() {
                break;
            }
            input.parse::<Token![,]>()?;
        }
        Ok(())
    };
    if let Err(error) = parser.parse2(list.tokens.clone()) {
        keys.error_at(error.span(), format!("{error}; expected {PART_EXAMPLE}"));
    }
    match keys.check() {
        Ok(()) => Some(ParamAttr::Part { name, json }),
        Err(error) => {
            cx.syn_error(error);
            None
        }
    }
}

/// `#[rate_limit("group")]`: the endpoint group whose quota the method's
/// requests draw on.
pub(crate) fn parse_rate_limit(cx: &Ctxt, attr: &Attribute) -> Option<LitStr> {
    const EXAMPLE: &str = "`#[rate_limit(\"search\")]`";
    let syn::Meta::List(list) = &attr.meta else {
        cx.error_spanned_by(
            attr,
            format!("`#[rate_limit]` needs the name of an endpoint group, e.g. {EXAMPLE}, configured with `ClientBuilder::rate_limit_group`"),
        );
        return None;
    };
    match syn::parse2::<LitStr>(list.tokens.clone()) {
        Ok(lit) if lit.value().trim().is_empty() => {
            cx.error_spanned_by(
                &lit,
                format!("the group name is empty: name the endpoint group, e.g. {EXAMPLE}"),
            );
            None
        }
        Ok(lit) => Some(lit),
        Err(_) => {
            cx.error_spanned_by(
                &list.tokens,
                format!("`#[rate_limit]` takes the group's name as one string, e.g. {EXAMPLE}"),
            );
            None
        }
    }
}

/// `#[sse(done = "..")]`: the data of the event that ends the stream.
pub(crate) fn parse_sse(cx: &Ctxt, attr: &Attribute) -> Option<LitStr> {
    const EXAMPLE: &str = "`#[sse(done = \"[DONE]\")]`";
    if !matches!(attr.meta, syn::Meta::List(_)) {
        cx.error_spanned_by(
            attr,
            format!("`#[sse]` needs `done = \"..\"`, the data of the event that ends the stream, e.g. {EXAMPLE}; an `EventStream` endpoint without a terminator needs no `#[sse]`"),
        );
        return None;
    }
    let keys = Ctxt::new();
    let mut done: Option<LitStr> = None;
    let result = attr.parse_nested_meta(|meta| {
        if !meta.path.is_ident("done") {
            return unknown_argument(&keys, &meta, "`#[sse]`", &["done"]);
        }
        let expr: syn::Expr = meta.value()?.parse()?;
        match expr {
            syn::Expr::Lit(syn::ExprLit {
                lit: syn::Lit::Str(lit),
                ..
            }) if lit.value().is_empty() => keys.error_spanned_by(
                &lit,
                format!("`done` is empty: write the data of the event that ends the stream, e.g. {EXAMPLE}"),
            ),
            syn::Expr::Lit(syn::ExprLit {
                lit: syn::Lit::Str(lit),
                ..
            }) => {
                if done.is_some() {
                    keys.error_spanned_by(&meta.path, "duplicate argument `done`");
                } else {
                    done = Some(lit);
                }
            }
            other => keys.error_spanned_by(
                &other,
                format!("`done` takes a string, e.g. {EXAMPLE}"),
            ),
        }
        Ok(())
    });
    if let Err(error) = result {
        keys.error_at(error.span(), format!("{error}; expected {EXAMPLE}"));
    }
    match keys.check() {
        Err(error) => {
            cx.syn_error(error);
            None
        }
        Ok(()) if done.is_none() => {
            cx.error_spanned_by(
                attr,
                format!("`#[sse]` needs `done = \"..\"`, e.g. {EXAMPLE}"),
            );
            None
        }
        Ok(()) => done,
    }
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
