//! Cross-checks between the parts of an endpoint: the verb, the signature,
//! the template and the parameters. Check reads the model and never changes
//! it: each rule records an error at the user's token that is wrong, in the
//! endpoint's own collector, whose outcome `expand` then consumes.

use crate::ast::{Endpoint, Item, Output, Param, Resource, Role, is_named, type_args};
use crate::attr::{Verb, verbs_list};
use crate::ctxt::{Ctxt, closest};
use crate::template::Piece;
use syn::FnArg;
use syn::spanned::Spanned;

/// Checks every endpoint of `resource`, each into its own collector.
pub(crate) fn run(resource: &Resource<'_>) {
    for item in &resource.items {
        if let Item::Endpoint(endpoint, cx) = item {
            check(cx, endpoint);
        }
    }
}

/// Every rule about one endpoint.
pub(crate) fn check(cx: &Ctxt, e: &Endpoint<'_>) {
    let name = e.name.as_str();
    verbs(cx, e, name);
    signature(cx, e, name);
    placeholders(cx, e, name);
    bodies(cx, e, name);
    url(cx, e, name);
    pagination(cx, e, name);
    multipart(cx, e, name);
    streaming(cx, e, name);
    sse(cx, e, name);
    codecs(cx, e, name);
}

/// `#[body(xml)]`, `#[body(gzip)]` and `#[returns(xml)]` where they can
/// apply: a codec encodes a value (not `Bytes` or a `restrait::Body`),
/// gzip compresses a body in memory (not a `restrait::Body`, which may be
/// a file or a stream), and a codec decodes a `Result<T>` or
/// `Result<Response<T>>`.
fn codecs(cx: &Ctxt, e: &Endpoint<'_>, name: &str) {
    for p in &e.params {
        if let Some(codec) = &p.body.codec
            && matches!(p.role, Role::Raw { .. } | Role::Upload)
        {
            cx.error_at(
                codec.span(),
                format!(
                    "a codec encodes a value, but `{}` is sent as it is (`Bytes` or `restrait::Body`): remove the codec, or pass a `Serialize` value",
                    p.name
                ),
            );
        }
        if let Some(gzip) = p.body.gzip
            && p.role == Role::Upload
        {
            cx.error_at(
                gzip,
                format!(
                    "`#[body(gzip)]` compresses a body built in memory, but `{}` is a `restrait::Body` (maybe a file or a stream), sent as it is: compress it yourself, or pass the value or its `Bytes`",
                    p.name
                ),
            );
        }
    }
    let Some(codec) = &e.options.returns else {
        return;
    };
    let decodes_a_value = match &e.output {
        Output::Call(decoder) => matches!(decoder.without_response(), crate::ast::Decoder::Json(_)),
        Output::Stream(_) | Output::Unknown => false,
    };
    if !decodes_a_value || e.paginate.is_some() {
        cx.error_at(
            codec.span(),
            format!(
                "`#[returns(..)]` names how a `Result<T>` or `Result<Response<T>>` body is decoded, but `{name}` returns {}",
                e.ret.map_or_else(|| "nothing".to_owned(), |ty| format!("`{}`", quote::quote!(#ty).to_string().replace(' ', "")))
            ),
        );
    }
}

fn verbs(cx: &Ctxt, e: &Endpoint<'_>, name: &str) {
    match e.verbs.as_slice() {
        [] if e.misspelled_verb => {}
        [] if e.method.default.is_some() => {
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
            &e.method.sig.ident,
            format!(
                "method `{name}` has no HTTP verb: add one of {} with its path, e.g. `#[get(\"/items/<id>\")]`, or give `{name}` a default body",
                verbs_list()
            ),
        ),
        [(first, _), rest @ ..] => {
            for (verb, attr) in rest {
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

fn signature(cx: &Ctxt, e: &Endpoint<'_>, name: &str) {
    let sig = &e.method.sig;
    if e.verbs.is_empty() {
        return;
    }
    if let Some(body) = &e.method.default {
        cx.error_at(
            body.brace_token.span.open(),
            format!("endpoint `{name}` must not have a body: `#[resource]` writes it; remove the `{{ .. }}` and end the declaration with `;`"),
        );
    }
    let paginated = e.paginate.is_some();
    let streams = matches!(e.output, Output::Stream(_));
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
                param.arg.pat.span(),
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
        syn::ReturnType::Type(_, ty) if paginated && !streams => match &e.output {
            Output::Call(decoder) if decoder.streaming().is_some() => cx.error_spanned_by(
                ty,
                format!(
                    "a `#[paginate]` endpoint cannot return a `{}`: that is one response read as it arrives, while `#[paginate]` requests page after page; remove `#[paginate]` to stream one response, or return `restrait::Paginator<T>` for the items of every page",
                    decoder.streaming().unwrap_or_default()
                ),
            ),
            _ => cx.error_spanned_by(
                ty,
                format!(
                    "a `#[paginate]` endpoint returns `restrait::Paginator<T>`, a stream of the items of every page{}",
                    vec_hint(ty)
                ),
            ),
        },
        syn::ReturnType::Type(_, ty) if streams && !paginated => cx.error_spanned_by(
            ty,
            format!("`{name}` returns a `Paginator` but does not say how to find the next page: add `#[paginate(..)]`, e.g. `#[paginate(link)]` or `#[paginate(cursor = \"next_cursor\", param = \"cursor\")]`"),
        ),
        syn::ReturnType::Type(_, ty) if matches!(e.output, Output::Unknown) => cx.error_spanned_by(
            ty,
            "an endpoint returns `restrait::Result<T>`, where `T` is `()`, `String`, `Bytes`, `Response<U>`, a stream (`ByteStream`, `JsonLines<U>`, `EventStream<U>`) or a type that implements `serde::Deserialize`",
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
fn pagination(cx: &Ctxt, e: &Endpoint<'_>, name: &str) {
    if e.paginate.is_none() {
        return;
    }
    if let [(verb, attr)] = e.verbs.as_slice()
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
    for param in e.params.iter().filter(|p| p.role.is_body()) {
        cx.error_at(
            param.role_span(),
            format!(
                "paginated endpoint `{name}` cannot send a request body: every page is a GET that repeats the path, query and headers; send `{}` as a `#[query]` or `#[header(\"..\")]`",
                param.name
            ),
        );
    }
}

/// Every placeholder names a parameter that fills it, and every bare
/// parameter names a placeholder.
fn placeholders(cx: &Ctxt, e: &Endpoint<'_>, name: &str) {
    let Some(template) = &e.template else {
        // No usable template: binding would only add noise to the errors.
        return;
    };
    let lit = &template.lit;
    // Candidates for "did you mean": bare parameters that fill no placeholder.
    let unbound: Vec<&str> = e
        .params
        .iter()
        .filter(|p| {
            p.ident.is_some()
                && (p.role == Role::Unbound
                    || (p.attr.is_none() && matches!(p.role, Role::Raw { .. })))
        })
        .map(|p| p.name.as_str())
        .collect();
    let mut unmatched = Vec::new();
    for piece in &template.parsed.pieces {
        let (placeholder, shown) = match piece {
            Piece::Segment(n) => (n, format!("<{n}>")),
            Piece::Tail(n) => (n, format!("<{n}..>")),
            Piece::Literal(_) => continue,
        };
        match e
            .params
            .iter()
            .find(|p| p.name == *placeholder && p.ident.is_some())
        {
            Some(p) if matches!(p.role, Role::Segment | Role::Tail | Role::Broken) => {}
            Some(p) => {
                let attr = p.attr.map_or("", |(a, _)| a);
                cx.error_spanned_by(lit, format!(
                    "path placeholder `{shown}` names parameter `{placeholder}`, which is marked `#[{attr}]`: remove `#[{attr}]` to fill the placeholder, or rename one of them"
                ));
            }
            // A parameter that is not a plain name may be the one meant.
            None if e.params.iter().any(|p| p.ident.is_none()) => {}
            None => {
                unmatched.push(placeholder.as_str());
                cx.error_spanned_by(lit, match closest(placeholder, &unbound) {
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
    let text = lit.value();
    for param in e
        .params
        .iter()
        .filter(|p| p.role == Role::Unbound && p.ident.is_some())
    {
        let hint = match closest(&param.name, &unmatched) {
            Some(other) => format!(" (did you mean `<{}>` instead of `<{other}>`?)", param.name),
            None => String::new(),
        };
        cx.error_at(
            param.arg.span(),
            format!(
                "parameter `{}` is used nowhere: the path {text:?} has no placeholder `<{}>`{hint}; add it to the path, or mark the parameter `#[query]`, `#[header(\"..\")]`, `#[body]` or `#[form]`",
                param.name, param.name
            ),
        );
    }
}

/// At most one request body: `#[body]`, `#[form]` or a raw `Bytes`. On a
/// `#[multipart]` endpoint, `multipart` reports every one of them instead.
fn bodies(cx: &Ctxt, e: &Endpoint<'_>, name: &str) {
    if e.options.multipart {
        return;
    }
    let bodies: Vec<&Param<'_>> = e.params.iter().filter(|p| p.role.is_body()).collect();
    let Some((first, rest)) = bodies.split_first() else {
        return;
    };
    for other in rest {
        let message = match (&first.role, &other.role) {
            (Role::Json, Role::Form) | (Role::Form, Role::Json) => format!(
                "`{name}` cannot send both a JSON `#[body]` and a `#[form]`: `{}` is already the request body",
                first.name
            ),
            _ => format!(
                "`{name}` has more than one request body: `{}` is already the body, so `{}` cannot be one too",
                first.name, other.name
            ),
        };
        cx.error_at(other.role_span(), message);
    }
}

/// At most one `#[url]`, and then the template is only the endpoint's name:
/// no placeholders to fill.
fn url(cx: &Ctxt, e: &Endpoint<'_>, name: &str) {
    let urls: Vec<&Param<'_>> = e.params.iter().filter(|p| p.role == Role::Url).collect();
    let Some((first, rest)) = urls.split_first() else {
        return;
    };
    for other in rest {
        cx.error_at(
            other.role_span(),
            format!(
                "`{name}` has more than one `#[url]`: `{}` is already the URL of the request, so `{}` cannot be one too",
                first.name, other.name
            ),
        );
    }
    if let Some(template) = &e.template
        && let Some(placeholder) = template.parsed.placeholders().next()
    {
        cx.error_spanned_by(
            &template.lit,
            format!(
                "`{name}` sends its request to the `#[url]` parameter `{}`, so its path template only names the endpoint and cannot have placeholders: remove `<{placeholder}>` from the path",
                first.name
            ),
        );
    }
}

/// `#[part]` parameters need `#[multipart]`, whose body is the parts alone,
/// sent with a verb that has a body.
fn multipart(cx: &Ctxt, e: &Endpoint<'_>, name: &str) {
    let parts = e
        .params
        .iter()
        .filter(|p| matches!(p.role, Role::Part { .. }));
    let Some(attr) = e.option_attr("multipart") else {
        for part in parts {
            cx.error_at(
                part.role_span(),
                format!(
                    "`#[part]` needs `#[multipart]` on the method: add `#[multipart]` to `{name}` to send its parts as a `multipart/form-data` body, or send `{}` as a `#[body]`",
                    part.name
                ),
            );
        }
        return;
    };
    // A broken attribute may have been a part: its error says enough.
    if parts.count() == 0 && !e.params.iter().any(|p| p.role == Role::Broken) {
        cx.error_spanned_by(
            attr,
            format!(
                "`#[multipart]` endpoint `{name}` has no parts: mark the parameters to send with `#[part]`, e.g. `#[part(\"file\")] file: restrait::multipart::Part`"
            ),
        );
    }
    if let [(verb @ (Verb::Get | Verb::Head), verb_attr)] = e.verbs.as_slice() {
        cx.error_spanned_by(
            verb_attr,
            format!(
                "`#[multipart]` sends its parts as the request body, and a `#[{}]` request has none: declare `{name}` with `#[post]`, `#[put]` or `#[patch]`",
                verb.name()
            ),
        );
    }
    for param in e.params.iter().filter(|p| p.role.is_body()) {
        let (what, fix) = match param.role {
            Role::Json => (
                "a JSON `#[body]`",
                format!("`#[part(\"{}\", json)]`", param.name),
            ),
            Role::Form => ("a `#[form]`", "a `#[part(\"..\")]` per field".to_owned()),
            _ => ("a body", format!("`#[part(\"{}\")]`", param.name)),
        };
        cx.error_at(
            param.role_span(),
            format!(
                "`{name}` is `#[multipart]`, so its body is its parts: `{}` cannot be {what} too; send it as {fix}",
                param.name
            ),
        );
    }
}

/// A streamed response is the return value itself, not inside `Response<..>`.
fn streaming(cx: &Ctxt, e: &Endpoint<'_>, name: &str) {
    if let (Output::Call(decoder @ crate::ast::Decoder::WithResponse(_)), Some(ty)) =
        (&e.output, e.ret)
        && let Some(kind) = decoder.streaming()
    {
        cx.error_spanned_by(
            ty,
            format!(
                "`{name}` cannot return a `{kind}` inside `Response<..>`: return `restrait::Result<{kind}<..>>` itself (an error status is still a `restrait::Error`, with its headers)"
            ),
        );
    }
}

/// `#[sse(..)]` configures an `EventStream` response.
fn sse(cx: &Ctxt, e: &Endpoint<'_>, name: &str) {
    let Some(attr) = e.option_attr("sse") else {
        return;
    };
    if !matches!(
        e.output,
        Output::Call(crate::ast::Decoder::Events(_)) | Output::Unknown
    ) {
        cx.error_spanned_by(
            attr,
            format!(
                "`#[sse]` applies to an endpoint that returns `restrait::Result<restrait::EventStream<T>>`, which `{name}` does not: remove `#[sse]`, or return an `EventStream`"
            ),
        );
    }
}
