//! Cross-checks between the parts of an endpoint: the verb, the signature, the
//! template and the parameters. Each rule records an error at the user's token
//! that is wrong; an endpoint that passes every rule is marked `valid`.

use crate::ast::{Endpoint, Item, Kind, Output, Param, Resource, is_bytes, is_named, type_args};
use crate::attr::{ParamAttr, Verb, verbs_list};
use crate::ctxt::{Ctxt, closest};
use crate::template::Piece;
use syn::FnArg;

pub(crate) fn run(cx: &mut Ctxt, resource: &mut Resource) {
    for item in &mut resource.items {
        if let Item::Endpoint(endpoint) = item {
            let mark = cx.mark();
            endpoint_rules(cx, endpoint);
            endpoint.valid = !endpoint.parse_errors && !cx.has_errors_since(mark);
        }
    }
}

fn endpoint_rules(cx: &mut Ctxt, e: &mut Endpoint) {
    let name = e.sig.ident.to_string();
    verbs(cx, e, &name);
    signature(cx, e, &name);
    bind_params(cx, e, &name);
    bodies(cx, e, &name);
    pagination(cx, e, &name);
}

fn verbs(cx: &mut Ctxt, e: &Endpoint, name: &str) {
    match e.verbs.as_slice() {
        [] if e.misspelled_verb => {}
        [] if e.default_body.is_some() => {
            for (attr, tokens) in &e.option_attrs {
                cx.error_spanned_by(
                    tokens,
                    format!(
                        "`#[{attr}]` applies to endpoints, but `{name}` has no HTTP verb: add one of {}, or remove `#[{attr}]`",
                        verbs_list()
                    ),
                );
            }
        }
        [] => cx.error_spanned_by(
            &e.sig.ident,
            format!(
                "method `{name}` has no HTTP verb: add one of {} with its path, e.g. `#[get(\"/items/<id>\")]`, or give `{name}` a default body",
                verbs_list()
            ),
        ),
        [(first, ..), rest @ ..] => {
            for (verb, attr, _) in rest {
                cx.error_spanned_by(
                    attr,
                    format!(
                        "endpoint `{name}` already has `#[{}]`; an endpoint has exactly one HTTP verb: remove `#[{}]`",
                        first.name(),
                        verb.name()
                    ),
                );
            }
        }
    }
}

fn signature(cx: &mut Ctxt, e: &Endpoint, name: &str) {
    let sig = &e.sig;
    if e.verbs.is_empty() {
        return;
    }
    if let Some(body) = &e.default_body {
        cx.error_at(
            body.brace_token.span.open(),
            format!("endpoint `{name}` must not have a body: `#[resource]` writes it; remove the `{{ .. }}` and end the declaration with `;`"),
        );
    }
    let paginated = e.paginate_attr.is_some();
    let streams = matches!(e.output, Some(Output::Stream(_)));
    if paginated {
        if let Some(asyncness) = &sig.asyncness {
            cx.error_spanned_by(
                asyncness,
                format!("paginated endpoint `{name}` is a plain `fn` that returns the stream, not an `async fn`: remove `async`; each page is requested when the stream is polled"),
            );
        }
    } else if !streams && sig.asyncness.is_none() {
        cx.error_spanned_by(
            sig.fn_token,
            format!("endpoint `{name}` must be an `async fn`: write `async fn {name}(..)`"),
        );
    }
    if let Some(constness) = &sig.constness {
        cx.error_spanned_by(
            constness,
            format!("endpoint `{name}` cannot be a `const fn`"),
        );
    }
    if let Some(unsafety) = &sig.unsafety {
        cx.error_spanned_by(unsafety, format!("endpoint `{name}` cannot be `unsafe`"));
    }
    if let Some(abi) = &sig.abi {
        cx.error_spanned_by(abi, format!("endpoint `{name}` cannot have an ABI"));
    }
    if let Some(variadic) = &sig.variadic {
        cx.error_spanned_by(variadic, format!("endpoint `{name}` cannot be variadic"));
    }
    match sig.inputs.first() {
        Some(FnArg::Receiver(r)) if r.reference.is_some() && r.mutability.is_none() => {}
        Some(FnArg::Receiver(r)) if r.mutability.is_some() && r.reference.is_some() => cx.error_spanned_by(
            r,
            format!("endpoint `{name}` takes `&self`, not `&mut self`: the client is shared, calls do not need exclusive access"),
        ),
        Some(FnArg::Receiver(r)) => cx.error_spanned_by(
            r,
            format!("endpoint `{name}` takes `&self` as its receiver: the client is shared, so calls borrow it"),
        ),
        _ => cx.error_spanned_by(
            &sig.ident,
            format!("endpoint `{name}` must take `&self` as its first parameter: write `{name}(&self, ..)`"),
        ),
    }
    for param in &e.params {
        if param.ident.is_none() {
            cx.error_at(
                param.pat_span,
                "an endpoint parameter must be a plain name, e.g. `id: u64`: its name is the placeholder, query or header it fills",
            );
        }
    }
    match &sig.output {
        syn::ReturnType::Default if paginated => cx.error_spanned_by(
            &sig.ident,
            format!("paginated endpoint `{name}` has no return type: write `-> restrait::Paginator<T>`, where `T` is the type of one item"),
        ),
        syn::ReturnType::Default => cx.error_spanned_by(
            &sig.ident,
            format!("endpoint `{name}` has no return type: write `-> restrait::Result<T>`, e.g. `-> Result<()>`"),
        ),
        syn::ReturnType::Type(_, ty) if paginated && !streams => cx.error_spanned_by(
            ty,
            format!(
                "a `#[paginate]` endpoint returns `restrait::Paginator<T>`, a stream of the items of every page{}",
                vec_hint(ty)
            ),
        ),
        syn::ReturnType::Type(_, ty) if streams && !paginated => cx.error_spanned_by(
            ty,
            format!("`{name}` returns a `Paginator` but does not say how to find the next page: add `#[paginate(..)]`, e.g. `#[paginate(link)]` or `#[paginate(cursor = \"next_cursor\", param = \"cursor\")]`"),
        ),
        syn::ReturnType::Type(_, ty) if e.output.is_none() => cx.error_spanned_by(
            ty,
            "an endpoint returns `restrait::Result<T>`, where `T` is `()`, `String`, `Bytes`, `Response<U>` or a type that implements `serde::Deserialize`",
        ),
        syn::ReturnType::Type(..) => {}
    }
}

/// For `Result<Vec<X>>` on a paginated endpoint: "write `Paginator<X>`".
fn vec_hint(ty: &syn::Type) -> String {
    let item = match type_args(ty).as_slice() {
        [ok, ..] if is_named(ty, "Result") => match type_args(ok).as_slice() {
            [item] if is_named(ok, "Vec") => Some(*item),
            _ => None,
        },
        _ => None,
    };
    match item.and_then(|item| crate::ast::last_segment(item).map(|s| (item, s))) {
        Some((item, segment))
            if matches!(item, syn::Type::Path(_)) && segment.arguments.is_none() =>
        {
            format!(
                ": write `-> Paginator<{}>` to stream the items one by one",
                segment.ident
            )
        }
        _ => ", e.g. `-> Paginator<User>`".to_owned(),
    }
}

/// A paginated endpoint is a GET without a body: each next page re-sends it.
fn pagination(cx: &mut Ctxt, e: &Endpoint, name: &str) {
    if e.paginate_attr.is_none() {
        return;
    }
    if let [(verb, attr, _)] = e.verbs.as_slice()
        && *verb != Verb::Get
    {
        cx.error_spanned_by(
            attr,
            format!(
                "`#[paginate]` needs a `#[get]` endpoint, not `#[{}]`: every next page re-sends the request with a new cursor or URL, which is safe only for a GET (a `rel=\"next\"` link is fetched with GET, and a failed POST page could not be retried)",
                verb.name()
            ),
        );
    }
    for param in &e.params {
        if matches!(param.kind, Some(Kind::Json | Kind::Form | Kind::Raw)) {
            let span = param.attr.as_ref().map_or(param.span, |(_, span)| *span);
            cx.error_at(
                span,
                format!(
                    "paginated endpoint `{name}` cannot send a request body: every page is a GET that repeats the path, query and headers; send `{}` as a `#[query]` or `#[header(\"..\")]`",
                    param.name
                ),
            );
        }
    }
}

/// Matches placeholders with parameters, and gives every parameter a kind.
fn bind_params(cx: &mut Ctxt, e: &mut Endpoint, name: &str) {
    for param in &mut e.params {
        param.kind = match &param.attr {
            Some((ParamAttr::Query(rename), _)) => Some(Kind::Query(
                rename
                    .as_ref()
                    .map_or_else(|| param.name.clone(), syn::LitStr::value),
            )),
            Some((ParamAttr::Header(rename), _)) => Some(Kind::Header(
                rename
                    .as_ref()
                    .map_or_else(|| param.name.replace('_', "-"), syn::LitStr::value),
            )),
            Some((ParamAttr::Body, _)) if is_bytes(&param.ty) => Some(Kind::Raw),
            Some((ParamAttr::Body, _)) => Some(Kind::Json),
            Some((ParamAttr::Form, _)) => Some(Kind::Form),
            None => None,
        };
    }
    let Some((lit, template)) = &e.template else {
        // No usable template: binding would only add noise to the errors.
        for param in e.params.iter_mut().filter(|p| p.kind.is_none()) {
            if is_bytes(&param.ty) {
                param.kind = Some(Kind::Raw);
            }
        }
        return;
    };
    let placeholders: Vec<&str> = template.placeholders().collect();
    let unbound: Vec<String> = e
        .params
        .iter()
        .filter(|p| {
            p.kind.is_none() && p.ident.is_some() && !placeholders.contains(&p.name.as_str())
        })
        .map(|p| p.name.clone())
        .collect();
    let unbound: Vec<&str> = unbound.iter().map(String::as_str).collect();
    let mut errors = Vec::new();
    let mut unmatched = Vec::new();
    for piece in &template.pieces {
        let (placeholder, kind, shown) = match piece {
            Piece::Segment(n) => (n, Kind::Segment, format!("<{n}>")),
            Piece::Tail(n) => (n, Kind::Tail, format!("<{n}..>")),
            Piece::Literal(_) => continue,
        };
        match e
            .params
            .iter()
            .position(|p| p.name == *placeholder && p.ident.is_some())
        {
            Some(i) if e.params[i].kind.is_none() => e.params[i].kind = Some(kind),
            Some(i) => {
                let attr = e.params[i].attr.as_ref().map_or("", |(a, _)| a.name());
                errors.push(format!(
                    "path placeholder `{shown}` names parameter `{placeholder}`, which is marked `#[{attr}]`: remove `#[{attr}]` to fill the placeholder, or rename one of them"
                ));
            }
            // A parameter that is not a plain name may be the one meant.
            None if e.params.iter().any(|p| p.ident.is_none()) => {}
            None => {
                unmatched.push(placeholder.as_str());
                errors.push(match closest(placeholder, &unbound) {
                    Some(best) => format!(
                        "path placeholder `{shown}` has no matching parameter in `{name}`; did you mean `<{best}>`?"
                    ),
                    None => format!(
                        "path placeholder `{shown}` has no matching parameter: add a parameter `{placeholder}` to `{name}`, or remove `{shown}` from the path"
                    ),
                });
            }
        }
    }
    for error in errors {
        cx.error_spanned_by(lit, error);
    }
    let text = lit.value();
    for param in e
        .params
        .iter_mut()
        .filter(|p| p.kind.is_none() && p.ident.is_some())
    {
        if is_bytes(&param.ty) {
            param.kind = Some(Kind::Raw);
            continue;
        }
        if param.attr_error {
            continue;
        }
        let hint = match closest(&param.name, &unmatched) {
            Some(other) => format!(" (did you mean `<{}>` instead of `<{other}>`?)", param.name),
            None => String::new(),
        };
        cx.error_at(
            param.span,
            format!(
                "parameter `{}` is used nowhere: the path {text:?} has no placeholder `<{}>`{hint}; add it to the path, or mark the parameter `#[query]`, `#[header(\"..\")]`, `#[body]` or `#[form]`",
                param.name, param.name
            ),
        );
    }
}

/// At most one request body: `#[body]`, `#[form]` or a raw `Bytes`.
fn bodies(cx: &mut Ctxt, e: &Endpoint, name: &str) {
    let bodies: Vec<&Param> = e
        .params
        .iter()
        .filter(|p| matches!(p.kind, Some(Kind::Json | Kind::Form | Kind::Raw)))
        .collect();
    let Some((first, rest)) = bodies.split_first() else {
        return;
    };
    for other in rest {
        let message = match (&first.kind, &other.kind) {
            (Some(Kind::Json), Some(Kind::Form)) | (Some(Kind::Form), Some(Kind::Json)) => format!(
                "`{name}` cannot send both a JSON `#[body]` and a `#[form]`: `{}` is already the request body",
                first.name
            ),
            _ => format!(
                "`{name}` has more than one request body: `{}` is already the body, so `{}` cannot be one too",
                first.name, other.name
            ),
        };
        let span = other.attr.as_ref().map_or(other.span, |(_, span)| *span);
        cx.error_at(span, message);
    }
}
