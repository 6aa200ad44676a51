//! Parameter attributes: `#[query]`, `#[header]`, `#[body]`, `#[form]`,
//! `#[url]` and `#[part(..)]`.

use super::*;

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
