//! Building the model from `syn`: the trait, each endpoint, each parameter's
//! role and each method attribute, with every mistake recorded in the `Ctxt`.

use super::*;

/// Problems that leave nothing to generate a client for; each is reported.
/// When there are any, the caller emits the trait as written, plus the errors.
pub(crate) fn structural_errors(cx: &Ctxt, item: &ItemTrait) {
    if !item.generics.params.is_empty() || item.generics.where_clause.is_some() {
        cx.error_spanned_by(
            &item.generics,
            "a `#[resource]` trait cannot have generic parameters: the generated client implements it for one concrete type",
        );
    }
    if let Some(unsafety) = &item.unsafety {
        cx.error_spanned_by(unsafety, "a `#[resource]` trait cannot be `unsafe`");
    }
    if let Some(auto) = &item.auto_token {
        cx.error_spanned_by(auto, "a `#[resource]` trait cannot be an auto trait");
    }
    for trait_item in &item.items {
        match trait_item {
            TraitItem::Fn(_) => {}
            TraitItem::Const(konst) if konst.default.is_some() => {}
            other => cx.error_spanned_by(
                other,
                "a `#[resource]` trait holds methods (and constants with a value) only: the generated client cannot implement this item",
            ),
        }
    }
}

/// Builds the model of a trait without [`structural_errors`]. Errors about
/// the trait go to `cx`; each endpoint gets its own collector.
pub(crate) fn from_syn<'a>(cx: &Ctxt, args: TokenStream, item: &'a ItemTrait) -> Resource<'a> {
    let args = attr::parse_resource_args(cx, args);
    let mut headers = Vec::new();
    let mut attrs = Vec::new();
    for attr in &item.attrs {
        match attr::our_name(attr).as_deref() {
            Some("headers") => attr::parse_headers(cx, attr, &mut headers),
            Some("resource") => cx.error_spanned_by(attr, "duplicate `#[resource]` attribute"),
            Some(name) if Verb::from_name(name).is_some() || attr::METHOD_ATTRS.contains(&name) => {
                cx.error_spanned_by(
                    attr,
                    format!("`#[{name}]` goes on a method of the trait, not on the trait"),
                );
            }
            Some(name) if attr::PARAM_ATTRS.contains(&name) => {
                cx.error_spanned_by(attr, format!("`#[{name}]` goes on a method's parameter, not on the trait"));
            }
            _ => match attr::misspelled(attr, &["headers"]) {
                Some((name, best)) => cx.error_spanned_by(
                    attr.path(),
                    format!("unknown attribute `{name}` on a `#[resource]` trait, did you mean `{best}`?"),
                ),
                None => attrs.push(attr),
            },
        }
    }

    let prefix = args.prefix.as_ref().map(LitStr::value).unwrap_or_default();
    let client = args
        .client
        .unwrap_or_else(|| Ident::new(&format!("{}Client", item.ident.unraw()), item.ident.span()));
    let items = item
        .items
        .iter()
        .map(|trait_item| match trait_item {
            TraitItem::Fn(method) if is_endpoint(method) => {
                let ecx = Ctxt::new();
                let endpoint = endpoint(&ecx, method, &prefix);
                Item::Endpoint(Box::new(endpoint), ecx)
            }
            other => Item::Kept(other),
        })
        .collect();
    let missing_supertraits = ["Send", "Sync"]
        .into_iter()
        .filter(|name| {
            !item.supertraits.iter().any(|bound| match bound {
                syn::TypeParamBound::Trait(t) => {
                    t.path.segments.last().is_some_and(|s| s.ident == name)
                }
                _ => false,
            })
        })
        .collect();
    Resource {
        item,
        attrs,
        missing_supertraits,
        client,
        paths: Paths::new(args.krate.as_ref()),
        headers,
        items,
        error: args.error,
        ok_field: args.ok_field,
        codec: args.codec,
        check: args.check,
        openapi: args.openapi,
    }
}

/// A method without a body, or with any of our attributes. A plain default
/// method is kept exactly as written.
fn is_endpoint(method: &TraitItemFn) -> bool {
    method.default.is_none()
        || method.attrs.iter().any(attr::is_ours_on_method)
        || method.sig.inputs.iter().any(|input| match input {
            FnArg::Typed(t) => t.attrs.iter().any(|a| {
                attr::our_name(a).is_some_and(|n| attr::PARAM_ATTRS.contains(&n.as_str()))
            }),
            FnArg::Receiver(_) => false,
        })
}

fn endpoint<'a>(cx: &Ctxt, method: &'a TraitItemFn, prefix: &str) -> Endpoint<'a> {
    let sig = &method.sig;
    let mut e = Endpoint {
        method,
        name: sig.ident.to_string(),
        attrs: Vec::new(),
        verbs: Vec::new(),
        misspelled_verb: false,
        template: None,
        options: Options::default(),
        paginate: None,
        option_attrs: Vec::new(),
        params: Vec::new(),
        ret: match &sig.output {
            syn::ReturnType::Type(_, ty) => Some(ty),
            syn::ReturnType::Default => None,
        },
        output: Output::Unknown,
        plain: false,
    };
    let mut verb_lit = None;
    for attr in &method.attrs {
        method_attr(cx, attr, &mut e, &mut verb_lit);
    }
    if let Some(lit) = verb_lit {
        let text = lit.value();
        match template::parse(&text) {
            Ok(parsed) => {
                e.template = Some(PathTemplate {
                    full: template::join(prefix, &text),
                    prefix: prefix.trim_end_matches('/').to_owned(),
                    lit,
                    parsed,
                });
            }
            Err(errors) => {
                for error in errors {
                    cx.error_spanned_by(&lit, error);
                }
            }
        }
    }

    for input in &sig.inputs {
        let FnArg::Typed(typed) = input else { continue };
        let (ours, attrs) = attr::parse_param_attrs(cx, &typed.attrs);
        let ident = match &*typed.pat {
            syn::Pat::Ident(p)
                if p.by_ref.is_none() && p.mutability.is_none() && p.subpat.is_none() =>
            {
                Some(&p.ident)
            }
            _ => None,
        };
        let name = ident.map(|i| i.unraw().to_string()).unwrap_or_default();
        let role = role(ours.as_ref(), &name, &typed.ty, e.template.as_ref());
        let body = match &ours {
            Some(Ok((ParamAttr::Body(args), _))) => args.clone(),
            _ => BodyArgs::default(),
        };
        e.params.push(Param {
            arg: typed,
            attrs,
            ident,
            name,
            ty: &typed.ty,
            attr: ours
                .as_ref()
                .and_then(|o| o.as_ref().ok())
                .map(|(a, span)| (a.name(), *span)),
            role,
            body,
        });
    }

    e.output = match e.ret {
        Some(ty) => match type_args(ty).as_slice() {
            [ok, ..] if is_named(ty, "Result") => Output::Call(decoder(ok)),
            [item] if is_named(ty, "Paginator") => Output::Stream(item),
            _ => Output::Unknown,
        },
        None => Output::Unknown,
    };
    e.plain =
        sig.asyncness.is_none() && (e.paginate.is_some() || matches!(e.output, Output::Stream(_)));
    e
}

/// The role of one parameter: from its attribute, else from the template
/// (a placeholder of its name), else from its type (`Bytes`).
///
/// `attr` is `None` without one of our attributes, `Some(Err(()))` when ours
/// had errors (already reported).
fn role<'a>(
    attr: Option<&Result<(ParamAttr, Span), ()>>,
    name: &str,
    ty: &'a Type,
    template: Option<&PathTemplate>,
) -> Role<'a> {
    match attr {
        Some(Err(())) => Role::Broken,
        Some(Ok((ParamAttr::Query(rename), _))) => Role::Query(
            rename
                .as_ref()
                .map_or_else(|| name.to_owned(), LitStr::value),
        ),
        Some(Ok((ParamAttr::Header(rename), _))) => Role::Header {
            name: rename
                .as_ref()
                .map_or_else(|| name.replace('_', "-"), LitStr::value),
            optional: match type_args(ty).as_slice() {
                [inner] if is_named(ty, "Option") => Some(inner),
                _ => None,
            },
        },
        Some(Ok((ParamAttr::Body(_), _))) if is_bytes(ty) => Role::Raw {
            by_ref: matches!(ty, Type::Reference(_)),
        },
        Some(Ok((ParamAttr::Body(_), _))) if is_upload(ty) => Role::Upload,
        Some(Ok((ParamAttr::Body(_), _))) => Role::Json,
        Some(Ok((ParamAttr::Part { name: rename, json }, _))) => Role::Part {
            name: rename
                .as_ref()
                .map_or_else(|| name.to_owned(), LitStr::value),
            json: *json,
            optional: match type_args(ty).as_slice() {
                [inner] if is_named(ty, "Option") => Some(inner),
                _ => None,
            },
        },
        Some(Ok((ParamAttr::Form, _))) => Role::Form,
        Some(Ok((ParamAttr::Url, _))) => Role::Url,
        None => {
            let placeholder = template.and_then(|t| {
                t.parsed.pieces.iter().find_map(|piece| match piece {
                    Piece::Segment(n) if n == name => Some(Role::Segment),
                    Piece::Tail(n) if n == name => Some(Role::Tail),
                    _ => None,
                })
            });
            match placeholder {
                Some(role) if !name.is_empty() => role,
                _ if is_bytes(ty) => Role::Raw {
                    by_ref: matches!(ty, Type::Reference(_)),
                },
                _ => Role::Unbound,
            }
        }
    }
}

/// Reads one attribute of an endpoint method into `e`; the first verb's
/// template goes to `verb_lit`.
fn method_attr<'a>(
    cx: &Ctxt,
    attr: &'a Attribute,
    e: &mut Endpoint<'a>,
    verb_lit: &mut Option<LitStr>,
) {
    let Some(name) = attr::our_name(attr) else {
        e.attrs.push(attr);
        return;
    };
    if let Some(verb) = Verb::from_name(&name) {
        let lit = attr::parse_verb(cx, attr, verb);
        if e.verbs.is_empty() {
            *verb_lit = lit;
        }
        e.verbs.push((verb, attr));
        return;
    }
    let seen = |e: &Endpoint<'_>, name: &str| e.option_attrs.iter().any(|(n, _)| *n == name);
    match name.as_str() {
        "headers" => {
            attr::parse_headers(cx, attr, &mut e.options.headers);
            e.option_attrs.push(("headers", attr));
        }
        "timeout" => {
            let timeout = attr::parse_timeout(cx, attr);
            duplicate(cx, attr, &name, seen(e, "timeout"));
            e.options.timeout = e.options.timeout.or(timeout);
            e.option_attrs.push(("timeout", attr));
        }
        "retry" => {
            let retry = attr::parse_retry(cx, attr);
            duplicate(cx, attr, &name, seen(e, "retry"));
            e.options.retry = e.options.retry.or(retry);
            e.option_attrs.push(("retry", attr));
        }
        "idempotent" => {
            if !matches!(attr.meta, syn::Meta::Path(_)) {
                cx.error_spanned_by(attr, "`#[idempotent]` takes no arguments");
            }
            duplicate(cx, attr, &name, e.options.idempotent);
            e.options.idempotent = true;
            e.option_attrs.push(("idempotent", attr));
        }
        "paginate" => {
            let paginate = paginate::parse(cx, attr);
            duplicate(cx, attr, &name, e.paginate.is_some());
            match &mut e.paginate {
                Some((_, slot)) => {
                    if slot.is_none() {
                        *slot = paginate;
                    }
                }
                None => e.paginate = Some((attr, paginate)),
            }
            e.option_attrs.push(("paginate", attr));
        }
        "multipart" => {
            if !matches!(attr.meta, syn::Meta::Path(_)) {
                cx.error_spanned_by(
                    attr,
                    "`#[multipart]` takes no arguments: name each part on its parameter, e.g. `#[part(\"file\")] file: Part`",
                );
            }
            duplicate(cx, attr, &name, e.options.multipart);
            e.options.multipart = true;
            e.option_attrs.push(("multipart", attr));
        }
        "sse" => {
            let done = attr::parse_sse(cx, attr);
            duplicate(cx, attr, &name, seen(e, "sse"));
            e.options.sse_done = e.options.sse_done.take().or(done);
            e.option_attrs.push(("sse", attr));
        }
        "returns" => {
            let codec = crate::codec::parse_returns(cx, attr);
            duplicate(cx, attr, &name, seen(e, "returns"));
            e.options.returns = e.options.returns.take().or(codec);
            e.option_attrs.push(("returns", attr));
        }
        "rate_limit" => {
            let group = attr::parse_rate_limit(cx, attr);
            duplicate(cx, attr, &name, seen(e, "rate_limit"));
            e.options.rate_limit = e.options.rate_limit.take().or(group);
            e.option_attrs.push(("rate_limit", attr));
        }
        "header" => cx.error_spanned_by(
            attr,
            "`#[header]` goes on a parameter; for fixed headers on a method write `#[headers(\"Name: value\")]`",
        ),
        "query" | "body" | "form" | "url" | "part" => cx.error_spanned_by(
            attr,
            format!("`#[{name}]` goes on a parameter of the method, e.g. `#[{name}] value: T`"),
        ),
        "resource" => cx.error_spanned_by(attr, "`#[resource]` goes on the trait, not on a method"),
        _ => match attr::misspelled(attr, &attr::method_candidates()) {
            Some((unknown, best)) => {
                e.misspelled_verb |= Verb::from_name(best).is_some();
                cx.error_spanned_by(
                    attr.path(),
                    format!("unknown attribute `{unknown}`, did you mean `{best}`?"),
                );
            }
            None => e.attrs.push(attr),
        },
    }
}

fn duplicate(cx: &Ctxt, attr: &Attribute, name: &str, seen: bool) {
    if seen {
        cx.error_spanned_by(attr, format!("duplicate `#[{name}]` attribute"));
    }
}
