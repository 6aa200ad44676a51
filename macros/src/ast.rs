//! The typed model of a `#[resource]` trait, parsed once from `syn`.
//!
//! Nodes borrow the syntax they came from (`&'a TraitItemFn`, `&'a Type`,
//! `&'a Attribute`), so later errors and generated code carry the user's
//! spans without copying the trait. Everything that depends on the shape of
//! the user's tokens is decided here: the role of each parameter, the decoder
//! of the return type, whether a method returns a future. `check` and
//! `expand` read the model and never look at syntax to decide anything.

use crate::attr::{self, ParamAttr, Retry, StaticHeader, Timeout, Verb};
use crate::codec::{BodyArgs, CodecName};
use crate::ctxt::Ctxt;
use crate::paginate::{self, Paginate};
use crate::paths::Paths;
use crate::template::{self, Piece, Template};
use proc_macro2::{Span, TokenStream};
use syn::ext::IdentExt;
use syn::spanned::Spanned;
use syn::{Attribute, FnArg, Ident, ItemTrait, LitStr, PatType, TraitItem, TraitItemFn, Type};

/// A `#[resource]` trait.
pub(crate) struct Resource<'a> {
    pub(crate) item: &'a ItemTrait,
    /// The trait's attributes that are not ours (docs, lints, ..).
    pub(crate) attrs: Vec<&'a Attribute>,
    pub(crate) client: Ident,
    /// How generated code names the runtime (`::restrait` or `crate = ".."`).
    pub(crate) paths: Paths,
    /// `#[headers(..)]` on the trait: sent with every request.
    pub(crate) headers: Vec<StaticHeader>,
    /// `Send` and `Sync` supertraits the trait lacks (the client is shared
    /// across tasks, and the futures must be `Send`).
    pub(crate) missing_supertraits: Vec<&'static str>,
    /// One entry per trait item, in order.
    pub(crate) items: Vec<Item<'a>>,
    /// `#[resource(error = T)]`.
    pub(crate) error: Option<syn::Type>,
    /// `#[resource(ok_field = "..")]`.
    pub(crate) ok_field: Option<LitStr>,
    /// `#[resource(codec = ..)]`: the default codec of bodies and responses.
    pub(crate) codec: Option<CodecName>,
    /// `#[resource(check = path)]`.
    pub(crate) check: Option<syn::Path>,
    /// `#[resource(openapi = "..")]`: the spec to check the endpoints against.
    pub(crate) openapi: Option<LitStr>,
}

pub(crate) enum Item<'a> {
    /// A method with a verb (or one that should have had one), with the
    /// collector of its own errors: its outcome decides between a real body
    /// and a stub.
    Endpoint(Box<Endpoint<'a>>, Ctxt),
    /// Anything else, kept as written (plain default methods, consts).
    Kept(&'a TraitItem),
}

/// One endpoint method.
pub(crate) struct Endpoint<'a> {
    pub(crate) method: &'a TraitItemFn,
    /// The method's name, for messages.
    pub(crate) name: String,
    /// Attributes kept on the trait method (docs, lints, ..).
    pub(crate) attrs: Vec<&'a Attribute>,
    /// Every verb attribute found; the first one counts, `check` reports the rest.
    pub(crate) verbs: Vec<(Verb, &'a Attribute)>,
    /// True when an unknown attribute was a likely misspelled verb.
    pub(crate) misspelled_verb: bool,
    /// The first verb's template, when it parsed.
    pub(crate) template: Option<PathTemplate>,
    /// `#[headers]`, `#[timeout]`, `#[retry]`, `#[idempotent]`, `#[multipart]`, `#[sse]`.
    pub(crate) options: Options,
    /// `#[paginate(..)]` (even a wrong one), and what it says when it parsed.
    pub(crate) paginate: Option<(&'a Attribute, Option<Paginate>)>,
    /// `#[timeout]`, `#[retry]`, `#[idempotent]`, `#[headers]`, `#[paginate]`,
    /// `#[multipart]`, `#[sse]`, for "needs a verb" errors on default methods
    /// and for spans of the rules about them.
    pub(crate) option_attrs: Vec<(&'static str, &'a Attribute)>,
    pub(crate) params: Vec<Param<'a>>,
    /// The declared return type.
    pub(crate) ret: Option<&'a Type>,
    pub(crate) output: Output<'a>,
    /// A plain `fn .. -> R` (a paginated method, or one returning
    /// `Paginator<T>`, written without `async`): the impl returns `R` itself.
    /// Every other endpoint returns `impl Future<Output = R> + Send`.
    pub(crate) plain: bool,
}

impl<'a> Endpoint<'a> {
    pub(crate) fn verb(&self) -> Verb {
        self.verbs.first().map_or(Verb::Get, |(verb, _)| *verb)
    }

    /// A method with a body and no verb stays a default method of the trait,
    /// even when it carries errors (e.g. a misspelled verb).
    pub(crate) fn is_default_method(&self) -> bool {
        self.verbs.is_empty() && self.method.default.is_some()
    }

    /// The first method attribute named `name` (`multipart`, `sse`, ..).
    pub(crate) fn option_attr(&self, name: &str) -> Option<&'a Attribute> {
        self.option_attrs
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, attr)| *attr)
    }
}

/// The method attributes that become per-request settings.
#[derive(Default)]
pub(crate) struct Options {
    /// `#[headers(..)]` on the method, sent after the trait's.
    pub(crate) headers: Vec<StaticHeader>,
    pub(crate) timeout: Option<Timeout>,
    pub(crate) retry: Option<Retry>,
    pub(crate) idempotent: bool,
    /// `#[multipart]`: the body is the `#[part]` parameters.
    pub(crate) multipart: bool,
    /// `#[sse(done = "..")]`: the data of the event that ends an `EventStream`.
    pub(crate) sse_done: Option<LitStr>,
    /// `#[returns(xml)]`: the codec of the response body.
    pub(crate) returns: Option<CodecName>,
    /// `#[rate_limit("group")]`: the endpoint group of the method's requests.
    pub(crate) rate_limit: Option<LitStr>,
}

/// A verb's path template.
pub(crate) struct PathTemplate {
    pub(crate) lit: LitStr,
    pub(crate) parsed: Template,
    /// The full template as sent to the runtime, with the prefix.
    pub(crate) full: String,
    /// The prefix without its trailing `/`, the first literal of the path.
    pub(crate) prefix: String,
}

/// One typed parameter (not the receiver).
pub(crate) struct Param<'a> {
    pub(crate) arg: &'a PatType,
    /// Its attributes that are not ours, re-emitted.
    pub(crate) attrs: Vec<&'a Attribute>,
    /// The user's binding, when it is a plain identifier.
    pub(crate) ident: Option<&'a Ident>,
    /// `ident` without `r#`: the name placeholders and queries use.
    pub(crate) name: String,
    pub(crate) ty: &'a Type,
    /// Our attribute's name and the span of its name.
    pub(crate) attr: Option<(&'static str, Span)>,
    pub(crate) role: Role<'a>,
    /// `#[body(..)]`: its codec and compression.
    pub(crate) body: BodyArgs,
}

impl Param<'_> {
    /// Where an error about the parameter's role points: its attribute, else the parameter.
    pub(crate) fn role_span(&self) -> Span {
        self.attr.map_or_else(|| self.arg.span(), |(_, span)| span)
    }
}

/// How a parameter goes into the request. Decided in [`role`], the one place.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Role<'a> {
    /// Fills `<name>`.
    Segment,
    /// Fills `<name..>`.
    Tail,
    /// `#[query]`, with the key.
    Query(String),
    /// `#[header]`, with the header name; `optional` is the `T` of an `Option<T>`.
    Header {
        name: String,
        optional: Option<&'a Type>,
    },
    /// `#[body]`: JSON.
    Json,
    /// `#[form]`: urlencoded.
    Form,
    /// A `Bytes` (or `#[body] Bytes`): the raw body; `by_ref` for `&Bytes`.
    Raw { by_ref: bool },
    /// `#[url]`: the absolute URL of the request.
    Url,
    /// `#[body]` on a type whose last path segment is `Body`, by value
    /// (`restrait::Body`: bytes, a file or a stream), sent as it is.
    Upload,
    /// `#[part]` of a `#[multipart]` body, with the part's name; `json` for
    /// `#[part("..", json)]`; `optional` is the `T` of an `Option<T>` (no part
    /// for `None`).
    Part {
        name: String,
        json: bool,
        optional: Option<&'a Type>,
    },
    /// A bare parameter that names no placeholder; `check` reports it.
    Unbound,
    /// Its attribute had errors, already reported.
    Broken,
}

impl Role<'_> {
    pub(crate) fn is_body(&self) -> bool {
        matches!(
            self,
            Role::Json | Role::Form | Role::Raw { .. } | Role::Upload
        )
    }
}

/// The declared return type, as the decoder sees it.
pub(crate) enum Output<'a> {
    /// `Result<X>`: one call, `X` decoded by the decoder.
    Call(Decoder<'a>),
    /// `Paginator<T>`: a stream of `T`s, one page request at a time.
    Stream(&'a Type),
    /// Neither (`check` reports it).
    Unknown,
}

/// How the response body becomes `X`; see `PRIVATE_API.md`.
pub(crate) enum Decoder<'a> {
    Unit,
    Text,
    Raw,
    Json(&'a Type),
    WithResponse(Box<Decoder<'a>>),
    /// `ByteStream`: the body as it arrives.
    Streamed,
    /// `JsonLines<T>`: one `T` per line.
    Lines(&'a Type),
    /// `EventStream<T>`: server-sent events whose data is a `T`.
    Events(&'a Type),
}

impl<'a> Decoder<'a> {
    /// The decoder inside any `Response<..>`.
    pub(crate) fn without_response(&self) -> &Decoder<'a> {
        match self {
            Decoder::WithResponse(inner) => inner.without_response(),
            other => other,
        }
    }

    /// The types decoded as JSON (a whole body, a line or an event's data),
    /// for the `DeserializeOwned` checks.
    pub(crate) fn json_leaf(&self) -> Option<&'a Type> {
        match self {
            Decoder::Json(ty) | Decoder::Lines(ty) | Decoder::Events(ty) => Some(ty),
            Decoder::WithResponse(inner) => inner.json_leaf(),
            Decoder::Unit | Decoder::Text | Decoder::Raw | Decoder::Streamed => None,
        }
    }

    /// The name of a kind whose body stays a stream, read as it arrives.
    pub(crate) fn streaming(&self) -> Option<&'static str> {
        match self {
            Decoder::Streamed => Some("ByteStream"),
            Decoder::Lines(_) => Some("JsonLines"),
            Decoder::Events(_) => Some("EventStream"),
            Decoder::WithResponse(inner) => inner.streaming(),
            Decoder::Unit | Decoder::Text | Decoder::Raw | Decoder::Json(_) => None,
        }
    }
}

/// The ident of the last path segment of `ty`.
pub(crate) fn last_segment(ty: &Type) -> Option<&syn::PathSegment> {
    match ty {
        Type::Path(path) if path.qself.is_none() => path.path.segments.last(),
        Type::Paren(inner) => last_segment(&inner.elem),
        Type::Group(inner) => last_segment(&inner.elem),
        _ => None,
    }
}

pub(crate) fn is_named(ty: &Type, name: &str) -> bool {
    last_segment(ty).is_some_and(|s| s.ident == name)
}

/// The type arguments of the last segment of `ty`.
pub(crate) fn type_args(ty: &Type) -> Vec<&Type> {
    match last_segment(ty).map(|s| &s.arguments) {
        Some(syn::PathArguments::AngleBracketed(args)) => args
            .args
            .iter()
            .filter_map(|a| match a {
                syn::GenericArgument::Type(t) => Some(t),
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    }
}

/// `Bytes` or `&Bytes`: a raw body.
fn is_bytes(ty: &Type) -> bool {
    match ty {
        Type::Reference(r) => is_bytes(&r.elem),
        _ => is_named(ty, "Bytes") && type_args(ty).is_empty(),
    }
}

/// `Body` by value (any path ending in `Body`, e.g. `restrait::Body`): a
/// body sent as it is. Decided by the name, as for `Bytes`, since a macro
/// cannot ask whether a type implements a trait. A `restrait::Body` is
/// consumed when sent, so `&Body` stays JSON: a user's own `&Body` struct
/// keeps working, and a user's own `Body` by value meets the bound error of
/// `__private::body` at its type, whose note says how to send it as JSON.
fn is_upload(ty: &Type) -> bool {
    is_named(ty, "Body") && type_args(ty).is_empty()
}

fn decoder(ty: &Type) -> Decoder<'_> {
    if let Type::Tuple(tuple) = ty
        && tuple.elems.is_empty()
    {
        return Decoder::Unit;
    }
    if let Some(segment) = last_segment(ty) {
        let args = type_args(ty);
        match (segment.ident.to_string().as_str(), args.as_slice()) {
            ("String", []) => return Decoder::Text,
            ("Bytes", []) => return Decoder::Raw,
            ("Response", [inner]) => return Decoder::WithResponse(Box::new(decoder(inner))),
            ("ByteStream", []) => return Decoder::Streamed,
            ("JsonLines", [item]) => return Decoder::Lines(item),
            ("EventStream", [item]) => return Decoder::Events(item),
            _ => {}
        }
    }
    Decoder::Json(ty)
}

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
