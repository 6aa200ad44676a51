//! Method attributes: `#[headers(..)]`, the verbs, `#[timeout(..)]`,
//! `#[retry(..)]`, `#[rate_limit(..)]` and `#[sse(..)]`.

use super::*;

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
