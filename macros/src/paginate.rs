//! `#[paginate(..)]`: how a list endpoint finds its next page. One strategy
//! (`link`, `cursor = ..`, `has_more = ..` or `page = ..`) and the keys that
//! go with it; every mistake is recorded at the key that is wrong.

use crate::attr::unknown_argument;
use crate::ctxt::Ctxt;
use syn::meta::ParseNestedMeta;
use syn::{Attribute, Ident, LitInt, LitStr, Token};

/// A parsed `#[paginate(..)]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Paginate {
    pub(crate) strategy: Strategy,
    /// The body field that holds the items (default: the body is the array).
    pub(crate) items: Option<String>,
    /// The guard on the number of pages (default: the runtime's).
    pub(crate) max_pages: Option<u32>,
}

/// How the next page is found; one constructor of `restrait::Pagination` each.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Strategy {
    /// `link`: `Link: <..>; rel="next"`.
    Link,
    /// `cursor = "field", param = "name"`.
    Cursor { field: String, param: String },
    /// `has_more = "field", param = "name", id = "id"`.
    HasMore {
        field: String,
        param: String,
        id: String,
    },
    /// `page = "name", per_page = "name", total = "field"`.
    Page {
        param: String,
        per_page: Option<String>,
        total: Option<String>,
    },
}

const KEYS: &[&str] = &[
    "link",
    "cursor",
    "has_more",
    "page",
    "param",
    "id",
    "items",
    "per_page",
    "total",
    "max_pages",
];

const NEEDS_STRATEGY: &str = "`#[paginate]` needs a strategy: `link` (a `Link: <..>; rel=\"next\"` header), \
     `cursor = \"next_cursor\", param = \"cursor\"`, `has_more = \"has_more\", param = \"starting_after\"` \
     or `page = \"page\"`";

/// A key and its string value.
type Keyed = Option<(Ident, String)>;

#[derive(Default)]
struct Args {
    /// Every strategy key, in order, with its value (`link` has none).
    strategies: Vec<(Ident, Option<String>)>,
    param: Keyed,
    id: Keyed,
    items: Keyed,
    per_page: Keyed,
    total: Keyed,
    max_pages: Option<(Ident, u32)>,
}

/// Parses `#[paginate(..)]`; `None` when it has errors (all recorded).
pub(crate) fn parse(cx: &Ctxt, attr: &Attribute) -> Option<Paginate> {
    if matches!(attr.meta, syn::Meta::Path(_)) {
        cx.error_spanned_by(attr, NEEDS_STRATEGY);
        return None;
    }
    let keys = Ctxt::new();
    let args = keys_of(&keys, attr);
    let keys = keys.check();
    cx.scoped(|cx| {
        let clean = keys.is_ok();
        if let Err(error) = keys {
            cx.syn_error(error);
        }
        combine(cx, attr, args?, clean)
    })
}

/// Reads the keys, each checked on its own; `None` when the attribute does not parse.
fn keys_of(cx: &Ctxt, attr: &Attribute) -> Option<Args> {
    let mut args = Args::default();
    let result = attr.parse_nested_meta(|meta| {
        let Some(key) = meta.path.get_ident().cloned() else {
            return unknown_argument(cx, &meta, "`#[paginate]`", KEYS);
        };
        let name = key.to_string();
        match name.as_str() {
            "link" => {
                if meta.input.peek(Token![=]) {
                    cx.error_spanned_by(&key, "`link` takes no value: write `#[paginate(link)]`");
                    meta.value()?.parse::<syn::Expr>()?;
                }
                args.strategies.push((key, None));
            }
            "cursor" | "has_more" | "page" => {
                let value = string(cx, &meta, &key)?;
                args.strategies.push((key, value));
            }
            "param" => set(cx, &mut args.param, &meta, key)?,
            "id" => set(cx, &mut args.id, &meta, key)?,
            "items" => set(cx, &mut args.items, &meta, key)?,
            "per_page" => set(cx, &mut args.per_page, &meta, key)?,
            "total" => set(cx, &mut args.total, &meta, key)?,
            "max_pages" => {
                if !meta.input.peek(Token![=]) {
                    cx.error_spanned_by(&key, "`max_pages` needs a value, e.g. `max_pages = 100`");
                    return Ok(());
                }
                let lit: LitInt = meta.value()?.parse()?;
                let n: u32 = lit.base10_parse()?;
                if n == 0 {
                    cx.error_spanned_by(&lit, "`max_pages` must be at least 1");
                } else if args.max_pages.is_some() {
                    cx.error_spanned_by(&key, "duplicate argument `max_pages`");
                } else {
                    args.max_pages = Some((key, n));
                }
            }
            _ => return unknown_argument(cx, &meta, "`#[paginate]`", KEYS),
        }
        Ok(())
    });
    if let Err(error) = result {
        cx.error_at(
            error.span(),
            format!("{error}; expected e.g. `#[paginate(link)]` or `#[paginate(cursor = \"next_cursor\", param = \"cursor\")]`"),
        );
        return None;
    }
    Some(args)
}

/// Checks which keys go together and builds the model; `clean` says whether
/// every key parsed.
fn combine(cx: &Ctxt, attr: &Attribute, args: Args, clean: bool) -> Option<Paginate> {
    let Args {
        strategies,
        param,
        id,
        items,
        per_page,
        total,
        max_pages,
    } = args;
    let Some(((first, value), rest)) = strategies.split_first() else {
        // After an unknown or malformed key (likely the strategy, misspelled)
        // "needs a strategy" would only repeat that error.
        if clean {
            cx.error_spanned_by(attr, NEEDS_STRATEGY);
        }
        return None;
    };
    for (other, _) in rest {
        cx.error_spanned_by(
            other,
            format!(
                "`#[paginate]` takes one strategy, and this one already has `{first}`: keep either `{first}` or `{other}`"
            ),
        );
    }
    if !rest.is_empty() {
        // Which keys apply depends on the strategy kept; say nothing more.
        return None;
    }
    let kind = first.to_string();
    let applies = |cx: &Ctxt, key: &Keyed, allowed: &[&str], why: &str| {
        if let Some((key, _)) = key
            && !allowed.contains(&kind.as_str())
        {
            cx.error_spanned_by(
                key,
                format!("`{key}` does not apply to `{kind}` pagination: {why}"),
            );
        }
    };
    let param_why = if kind == "page" {
        "`page = \"..\"` itself names the query parameter that counts pages"
    } else {
        "it names the query parameter that sends a cursor back, with `cursor = ..` or `has_more = ..`"
    };
    applies(cx, &param, &["cursor", "has_more"], param_why);
    applies(
        cx,
        &id,
        &["has_more"],
        "it names the item field sent back as the next cursor, with `has_more = ..`",
    );
    applies(
        cx,
        &per_page,
        &["page"],
        "it names the page-size query parameter, with `page = ..`",
    );
    applies(
        cx,
        &total,
        &["page"],
        "it names the body field with the total item count, with `page = ..`",
    );
    let strategy = match (kind.as_str(), value.clone()) {
        ("link", _) => Strategy::Link,
        // A strategy whose value was wrong; that is reported already.
        (_, None) => return None,
        ("cursor" | "has_more", Some(value)) => {
            let Some((_, param)) = param else {
                let example = if kind == "cursor" {
                    "#[paginate(cursor = \"next_cursor\", param = \"cursor\")]"
                } else {
                    "#[paginate(has_more = \"has_more\", param = \"starting_after\")]"
                };
                cx.error_spanned_by(
                    first,
                    format!(
                        "`{kind} = ..` needs `param = \"..\"`, the query parameter that sends the cursor back, e.g. `{example}`"
                    ),
                );
                return None;
            };
            if kind == "cursor" {
                Strategy::Cursor {
                    field: value,
                    param,
                }
            } else {
                Strategy::HasMore {
                    field: value,
                    param,
                    id: id.map_or_else(|| "id".to_owned(), |(_, id)| id),
                }
            }
        }
        (_, Some(value)) => Strategy::Page {
            param: value,
            per_page: per_page.map(|(_, v)| v),
            total: total.map(|(_, v)| v),
        },
    };
    Some(Paginate {
        strategy,
        items: items.map(|(_, v)| v),
        max_pages: max_pages.map(|(_, n)| n),
    })
}

/// The string value of `key = ".."`, or `None` after recording why not.
fn string(cx: &Ctxt, meta: &ParseNestedMeta<'_>, key: &Ident) -> syn::Result<Option<String>> {
    let example = example(&key.to_string());
    if !meta.input.peek(Token![=]) {
        cx.error_spanned_by(key, format!("`{key}` needs a value, e.g. `{example}`"));
        return Ok(None);
    }
    let expr: syn::Expr = meta.value()?.parse()?;
    let syn::Expr::Lit(syn::ExprLit {
        lit: syn::Lit::Str(lit),
        ..
    }) = &expr
    else {
        cx.error_spanned_by(&expr, format!("`{key}` takes a string, e.g. `{example}`"));
        return Ok(None);
    };
    Ok(non_empty(cx, key, lit))
}

fn non_empty(cx: &Ctxt, key: &Ident, lit: &LitStr) -> Option<String> {
    let value = lit.value();
    if value.trim().is_empty() {
        cx.error_spanned_by(
            lit,
            format!("`{key}` is empty, e.g. `{}`", example(&key.to_string())),
        );
        return None;
    }
    Some(value)
}

fn set(cx: &Ctxt, slot: &mut Keyed, meta: &ParseNestedMeta<'_>, key: Ident) -> syn::Result<()> {
    let Some(value) = string(cx, meta, &key)? else {
        return Ok(());
    };
    if slot.is_some() {
        cx.error_spanned_by(&key, format!("duplicate argument `{key}`"));
    } else {
        *slot = Some((key, value));
    }
    Ok(())
}

fn example(key: &str) -> String {
    let value = match key {
        "cursor" => "next_cursor",
        "has_more" => "has_more",
        "page" => "page",
        "param" => "cursor",
        "items" => "data",
        "per_page" => "per_page",
        "total" => "total",
        _ => key,
    };
    format!("{key} = \"{value}\"")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_attr(attr: Attribute) -> (Option<Paginate>, Vec<String>) {
        let cx = Ctxt::new();
        let out = parse(&cx, &attr);
        let errors = cx
            .check()
            .err()
            .map(|e| e.into_iter().map(|e| e.to_string()).collect())
            .unwrap_or_default();
        (out, errors)
    }

    #[test]
    fn strategies() {
        let (link, errors) = parse_attr(syn::parse_quote!(#[paginate(link, max_pages = 5)]));
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(
            link,
            Some(Paginate {
                strategy: Strategy::Link,
                items: None,
                max_pages: Some(5)
            })
        );
        let (stripe, _) = parse_attr(syn::parse_quote!(
            #[paginate(has_more = "has_more", param = "starting_after", items = "data")]
        ));
        assert_eq!(
            stripe.map(|p| p.strategy),
            Some(Strategy::HasMore {
                field: "has_more".into(),
                param: "starting_after".into(),
                id: "id".into()
            })
        );
        let (pages, _) = parse_attr(syn::parse_quote!(#[paginate(page = "p", per_page = "n")]));
        assert_eq!(
            pages.map(|p| p.strategy),
            Some(Strategy::Page {
                param: "p".into(),
                per_page: Some("n".into()),
                total: None
            })
        );
    }

    #[test]
    fn mistakes() {
        let cases: Vec<(Attribute, &str)> = vec![
            (syn::parse_quote!(#[paginate]), "needs a strategy"),
            (
                syn::parse_quote!(#[paginate(items = "data")]),
                "needs a strategy",
            ),
            (
                syn::parse_quote!(#[paginate(link, page = "page")]),
                "takes one strategy",
            ),
            (
                syn::parse_quote!(#[paginate(cursr = "c")]),
                "did you mean `cursor`?",
            ),
            (syn::parse_quote!(#[paginate(cursor = "c")]), "needs `param"),
            (syn::parse_quote!(#[paginate(link = "x")]), "takes no value"),
            (syn::parse_quote!(#[paginate(page = 1)]), "takes a string"),
            (syn::parse_quote!(#[paginate(page = "")]), "is empty"),
            (
                syn::parse_quote!(#[paginate(link, per_page = "n")]),
                "does not apply",
            ),
            (
                syn::parse_quote!(#[paginate(link, max_pages = 0)]),
                "at least 1",
            ),
            (
                syn::parse_quote!(#[paginate(link, items = "a", items = "b")]),
                "duplicate",
            ),
        ];
        for (attr, expected) in cases {
            let shown = quote::quote!(#attr).to_string();
            let (out, errors) = parse_attr(attr);
            assert!(out.is_none(), "{shown}");
            assert!(
                errors.iter().any(|e| e.contains(expected)),
                "{shown}: {errors:?} lacks {expected:?}"
            );
        }
    }
}
