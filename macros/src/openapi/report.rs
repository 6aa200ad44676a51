//! From the model of an endpoint to [`matching::Declared`], and from each
//! [`Problem`] to a message at the user's token: the template for a path,
//! the verb attribute for a verb, the parameter for a parameter, and the
//! method's name for what is missing.

use super::matching::{self, BodyKind, Declared, Param, Problem, Wire, words};
use super::spec::{Place, Spec, Tok, push_lit};
use crate::ast::{Endpoint, Resource, Role, last_segment, type_args};
use crate::ctxt::{Ctxt, one_of};
use crate::template::{self, Piece};
use syn::Type;

/// Checks one endpoint against `spec`, into its own collector.
pub(crate) fn endpoint(cx: &Ctxt, spec: &Spec, resource: &Resource<'_>, e: &Endpoint<'_>) {
    let Some(declared) = declared(resource, e) else {
        return;
    };
    let outcome = matching::check(spec, &declared);
    let operation = outcome.operation.unwrap_or_default();
    for problem in outcome.problems {
        problem_at(cx, e, &declared, &operation, problem);
    }
}

/// What `e` declares, or `None` when it is not checked: it has no verb or
/// no usable template (already reported), or a `#[url]` (its URL comes
/// from the server, not from the spec's paths).
fn declared(resource: &Resource<'_>, e: &Endpoint<'_>) -> Option<Declared> {
    let (verb, _) = e.verbs.first()?;
    let template = e.template.as_ref()?;
    if e.params.iter().any(|p| p.role == Role::Url) {
        return None;
    }
    let mut paths = Vec::new();
    if let Ok(full) = template::parse(&template.full) {
        paths.push(toks(&full.pieces));
    }
    if !template.prefix.is_empty() {
        paths.push(toks(&template.parsed.pieces));
    }
    let mut params = Vec::new();
    let mut body = None;
    for (index, param) in e.params.iter().enumerate() {
        match &param.role {
            Role::Query(key) => params.push(Param {
                index,
                wire: if is_scalar(param.ty) {
                    Wire::Query
                } else {
                    Wire::QueryStruct
                },
                name: key.clone(),
            }),
            Role::Header { name, .. } => params.push(Param {
                index,
                wire: Wire::Header,
                name: name.clone(),
            }),
            Role::Json => body = body.or(Some((BodyKind::Json, Some(index)))),
            Role::Form => body = body.or(Some((BodyKind::Form, Some(index)))),
            Role::Raw { .. } | Role::Upload => body = body.or(Some((BodyKind::Raw, Some(index)))),
            Role::Part { .. } if e.options.multipart => body = Some((BodyKind::Multipart, None)),
            _ => {}
        }
    }
    let fixed_headers = resource
        .headers
        .iter()
        .chain(&e.options.headers)
        .map(|h| h.name.clone())
        .collect();
    Some(Declared {
        verb: verb.name(),
        paths,
        params,
        body,
        fixed_headers,
    })
}

fn toks(pieces: &[Piece]) -> Vec<Tok> {
    let mut out = Vec::new();
    for piece in pieces {
        match piece {
            Piece::Literal(text) => push_lit(&mut out, text),
            Piece::Segment(name) | Piece::Tail(name) => out.push(Tok::Var(name.clone())),
        }
    }
    out
}

/// Scalars by the name of their type: a `#[query]` of any other type may be
/// a struct, flattened into the query.
const SCALARS: &[&str] = &[
    "bool", "char", "str", "String", "u8", "u16", "u32", "u64", "u128", "usize", "i8", "i16",
    "i32", "i64", "i128", "isize", "f32", "f64",
];

fn is_scalar(ty: &Type) -> bool {
    match ty {
        Type::Reference(r) => is_scalar(&r.elem),
        Type::Slice(s) => is_scalar(&s.elem),
        Type::Array(a) => is_scalar(&a.elem),
        Type::Paren(p) => is_scalar(&p.elem),
        Type::Group(g) => is_scalar(&g.elem),
        _ => match (last_segment(ty), type_args(ty).as_slice()) {
            (Some(s), [inner])
                if ["Option", "Vec", "Box", "Cow", "Rc", "Arc"]
                    .iter()
                    .any(|w| s.ident == w) =>
            {
                is_scalar(inner)
            }
            (Some(s), []) => SCALARS.iter().any(|n| s.ident == n),
            _ => false,
        },
    }
}

fn problem_at(cx: &Ctxt, e: &Endpoint<'_>, declared: &Declared, operation: &str, problem: Problem) {
    let name = &e.name;
    let ident = &e.method.sig.ident;
    let Some(template) = &e.template else { return };
    // At the whole parameter, attribute to type.
    let at_param = |index: usize, message: String| match e.params.get(index) {
        Some(p) => cx.error_spanned_by(p.arg, message),
        None => cx.error_spanned_by(ident, message),
    };
    match problem {
        Problem::NoPath { suggestion } => {
            let hint = match suggestion {
                Some(path) => format!("; did you mean {path:?}?"),
                None => String::new(),
            };
            cx.error_spanned_by(
                &template.lit,
                format!("the OpenAPI spec has no path {:?}{hint}", template.full),
            );
        }
        Problem::NoVerb { path, verbs } => {
            let attrs: Vec<String> = verbs.iter().map(|v| format!("#[{v}]")).collect();
            let attrs: Vec<&str> = attrs.iter().map(String::as_str).collect();
            let shown: Vec<String> = verbs.iter().map(|v| v.to_ascii_uppercase()).collect();
            let shown: Vec<&str> = shown.iter().map(String::as_str).collect();
            let fix = match attrs.as_slice() {
                [one] => format!("did you mean `{one}`?"),
                _ => format!("use one of {}", one_of(&attrs)),
            };
            let message = format!(
                "the OpenAPI spec has no `{} {path}`: that path takes {} only; {fix}",
                declared.verb.to_ascii_uppercase(),
                one_of(&shown).replace('`', "")
            );
            match e.verbs.first() {
                Some((_, attr)) => cx.error_spanned_by(attr, message),
                None => cx.error_spanned_by(ident, message),
            }
        }
        Problem::Placeholder { ours, spec } => {
            let snake = words(&spec).join("_");
            let message = format!(
                "path placeholder `<{ours}>` is `{{{spec}}}` in the OpenAPI spec (`{operation}`): name it `<{snake}>` and its parameter `{snake}`"
            );
            match e
                .params
                .iter()
                .find(|p| p.name == ours && matches!(p.role, Role::Segment | Role::Tail))
            {
                Some(p) => cx.error_spanned_by(p.arg, message),
                None => cx.error_spanned_by(&template.lit, message),
            }
        }
        Problem::Missing { place, name: wire } => {
            let rust = words(&wire).join("_");
            let attr = match place {
                Place::Query if wire == rust => "#[query]".to_owned(),
                Place::Query => format!("#[query({wire:?})]"),
                _ => format!("#[header({wire:?})]"),
            };
            cx.error_spanned_by(
                ident,
                format!(
                    "`{name}` does not declare the required {} parameter `{wire}` of `{operation}`: add `{attr} {rust}: T`",
                    place.name()
                ),
            );
        }
        Problem::Unknown {
            index,
            wire,
            name: key,
            suggestion,
            elsewhere,
        } => {
            let place = if wire == Wire::Header {
                Place::Header
            } else {
                Place::Query
            };
            let attr = if place == Place::Header {
                "header"
            } else {
                "query"
            };
            let hint = match (elsewhere, suggestion) {
                (Some((other, spec_name)), _) => {
                    let fix = match other {
                        Place::Path => format!(
                            "a placeholder `<{}>` in the path",
                            words(&spec_name).join("_")
                        ),
                        Place::Query => format!("`#[query({spec_name:?})]`"),
                        Place::Header => format!("`#[header({spec_name:?})]`"),
                        Place::Cookie => "a cookie, which restrait does not declare".to_owned(),
                    };
                    format!(
                        "; the spec has `{spec_name}` as a {} parameter: send it as {fix}",
                        other.name()
                    )
                }
                (None, Some(spec_name))
                    if place == Place::Query && words(&spec_name).join("_") == spec_name =>
                {
                    format!("; did you mean `{spec_name}`?")
                }
                (None, Some(spec_name)) => {
                    format!("; did you mean `{spec_name}`? (write `#[{attr}({spec_name:?})]`)")
                }
                (None, None) => String::new(),
            };
            at_param(
                index,
                format!(
                    "`{operation}` has no {} parameter `{key}` in the OpenAPI spec{hint}",
                    place.name()
                ),
            );
        }
        Problem::MissingBody { media } => {
            let fix = match media.iter().find_map(|m| kind_for(m)) {
                Some(BodyKind::Json) | None => "`#[body] body: &T`",
                Some(BodyKind::Form) => "`#[form] body: &T`",
                Some(BodyKind::Multipart) => "`#[multipart]` with its `#[part]` parameters",
                Some(BodyKind::Raw) => "a raw `body: Bytes`",
            };
            cx.error_spanned_by(
                ident,
                format!(
                    "`{operation}` requires a request body ({}) in the OpenAPI spec, and `{name}` sends none: add {fix}",
                    media.join(", ")
                ),
            );
        }
        Problem::NoBody { index } => {
            let message = format!(
                "`{operation}` takes no request body in the OpenAPI spec: remove the body from `{name}`"
            );
            match (index, e.option_attr("multipart")) {
                (Some(index), _) => at_param(index, message),
                (None, Some(attr)) => cx.error_spanned_by(attr, message),
                (None, None) => cx.error_spanned_by(ident, message),
            }
        }
        Problem::BodyKind { index, kind, media } => {
            let what = match kind {
                BodyKind::Json => "a JSON `#[body]`",
                BodyKind::Form => "a `#[form]` body",
                BodyKind::Multipart => "a `#[multipart]` body",
                BodyKind::Raw => "a raw body",
            };
            let fix = match media.iter().find_map(|m| kind_for(m)) {
                Some(BodyKind::Json) => ": send it as `#[body]`",
                Some(BodyKind::Form) => ": send it as `#[form]`",
                Some(BodyKind::Multipart) => ": send it as `#[multipart]` with `#[part]`s",
                Some(BodyKind::Raw) | None => ": send it as a raw `Bytes` or `restrait::Body`",
            };
            let message = format!(
                "`{operation}` takes {} in the OpenAPI spec, not {what}{fix}",
                media.join(", ")
            );
            match index {
                Some(index) => at_param(index, message),
                None => cx.error_spanned_by(ident, message),
            }
        }
    }
}

/// The attribute that sends a body of `media`.
fn kind_for(media: &str) -> Option<BodyKind> {
    [BodyKind::Json, BodyKind::Form, BodyKind::Multipart]
        .into_iter()
        .find(|k| k.accepts(media) && !media.starts_with("*/*"))
}
