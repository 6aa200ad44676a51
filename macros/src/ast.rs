//! The typed model of a `#[resource]` trait, built from `syn`. Nodes keep the
//! user's tokens (idents, types, literals) so that later errors and generated
//! code carry the user's spans.

use crate::attr::{self, ParamAttr, Retry, StaticHeader, Timeout, Verb};
use crate::ctxt::Ctxt;
use crate::paginate::{self, Paginate};
use crate::template::{self, Template};
use proc_macro2::{Span, TokenStream};
use syn::ext::IdentExt;
use syn::spanned::Spanned;
use syn::{Attribute, FnArg, Ident, ItemTrait, LitStr, Signature, TraitItem, TraitItemFn, Type};

/// A `#[resource]` trait.
pub(crate) struct Resource {
    /// The trait as written, with the attributes we consumed removed.
    pub(crate) item: ItemTrait,
    pub(crate) client: Ident,
    pub(crate) prefix: String,
    pub(crate) headers: Vec<StaticHeader>,
    /// One entry per trait item, in order.
    pub(crate) items: Vec<Item>,
}

pub(crate) enum Item {
    /// A method with a verb (or one that should have had one).
    Endpoint(Box<Endpoint>),
    /// Anything else, kept as written (default methods, consts).
    Other(Box<TraitItem>),
}

/// One endpoint method.
pub(crate) struct Endpoint {
    /// Attributes kept on the trait method (docs, lints, ..).
    pub(crate) attrs: Vec<Attribute>,
    /// The signature as written, minus our parameter attributes.
    pub(crate) sig: Signature,
    pub(crate) default_body: Option<syn::Block>,
    /// The user's `;`, re-emitted so that the method's span stays in user code.
    pub(crate) semi_token: Option<syn::Token![;]>,
    /// Every verb attribute found: the verb, the attribute, its template.
    pub(crate) verbs: Vec<(Verb, Attribute, Option<LitStr>)>,
    /// True when an unknown attribute was a likely misspelled verb.
    pub(crate) misspelled_verb: bool,
    /// The parsed template, once `check` has found exactly one verb.
    pub(crate) template: Option<(LitStr, Template)>,
    /// The full template as sent to the runtime, with the prefix.
    pub(crate) full_template: String,
    pub(crate) headers: Vec<StaticHeader>,
    pub(crate) timeout: Option<Timeout>,
    pub(crate) retry: Option<Retry>,
    pub(crate) idempotent: bool,
    /// The `#[paginate(..)]` attribute, when there is one (even a wrong one).
    pub(crate) paginate_attr: Option<Attribute>,
    /// What it says, when it parsed.
    pub(crate) paginate: Option<Paginate>,
    /// The `#[timeout]`, `#[retry]`, `#[idempotent]`, `#[headers]`, `#[paginate]`, for
    /// "needs a verb" errors on default methods.
    pub(crate) option_attrs: Vec<(String, Attribute)>,
    pub(crate) params: Vec<Param>,
    pub(crate) output: Option<Output>,
    /// Whether parsing its attributes or template already failed.
    pub(crate) parse_errors: bool,
    /// Set by `check` when every rule holds: the endpoint gets a real body.
    pub(crate) valid: bool,
}

impl Endpoint {
    pub(crate) fn verb(&self) -> Option<Verb> {
        match self.verbs.as_slice() {
            [(verb, ..)] => Some(*verb),
            _ => None,
        }
    }
}

/// One typed parameter (not the receiver).
pub(crate) struct Param {
    /// The user's binding, when it is a plain identifier.
    pub(crate) ident: Option<Ident>,
    /// `ident` without `r#`: the name placeholders and queries use.
    pub(crate) name: String,
    pub(crate) ty: Type,
    pub(crate) attr: Option<(ParamAttr, Span)>,
    /// The span of the whole parameter, for "used nowhere".
    pub(crate) span: Span,
    /// The span of its pattern, for "not a plain name".
    pub(crate) pat_span: Span,
    /// Whether one of its attributes was wrong (then "used nowhere" is noise).
    pub(crate) attr_error: bool,
    /// Decided by `check`.
    pub(crate) kind: Option<Kind>,
}

/// How a parameter goes into the request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Kind {
    Segment,
    Tail,
    Query(String),
    Header(String),
    Json,
    Form,
    Raw,
}

/// The declared return type.
pub(crate) enum Output {
    /// `Result<X>`: one call, `X` decoded by the decoder.
    Call(Decoder),
    /// `Paginator<T>`: a stream of `T`s, one page request at a time.
    Stream(Box<Type>),
}

/// How the response body becomes `X`; see `PRIVATE_API.md`.
pub(crate) enum Decoder {
    Unit,
    Text,
    Raw,
    Json(Box<Type>),
    WithResponse(Box<Decoder>),
}

/// The ident of the last path segment of `ty`, and its generic arguments.
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
pub(crate) fn is_bytes(ty: &Type) -> bool {
    match ty {
        Type::Reference(r) => is_bytes(&r.elem),
        _ => is_named(ty, "Bytes") && type_args(ty).is_empty(),
    }
}

fn decoder(ty: &Type) -> Decoder {
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
            _ => {}
        }
    }
    Decoder::Json(Box::new(ty.clone()))
}

/// Problems that leave nothing to generate a client for; each is reported.
/// The caller then emits the trait as written, plus the errors.
pub(crate) fn structural_errors(cx: &mut Ctxt, item: &ItemTrait) -> bool {
    let mark = cx.mark();
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
    cx.has_errors_since(mark)
}

/// Builds the model of a trait that passed [`structural_errors`].
pub(crate) fn from_syn(cx: &mut Ctxt, args: TokenStream, mut item: ItemTrait) -> Resource {
    let args = attr::parse_resource_args(cx, args);
    let mut headers = Vec::new();
    let attrs = std::mem::take(&mut item.attrs);
    for attr in attrs {
        match attr::our_name(&attr).as_deref() {
            Some("headers") => attr::parse_headers(cx, &attr, &mut headers),
            Some("resource") => cx.error_spanned_by(&attr, "duplicate `#[resource]` attribute"),
            Some(name) if Verb::from_name(name).is_some() || attr::METHOD_ATTRS.contains(&name) => {
                cx.error_spanned_by(
                    &attr,
                    format!("`#[{name}]` goes on a method of the trait, not on the trait"),
                );
            }
            Some(name) if attr::PARAM_ATTRS.contains(&name) => {
                cx.error_spanned_by(&attr, format!("`#[{name}]` goes on a method's parameter, not on the trait"));
            }
            _ => match attr::misspelled(&attr, &["headers"]) {
                Some((name, best)) => cx.error_spanned_by(
                    attr.path(),
                    format!("unknown attribute `{name}` on a `#[resource]` trait, did you mean `{best}`?"),
                ),
                None => item.attrs.push(attr),
            },
        }
    }

    let prefix = args.prefix.as_ref().map(LitStr::value).unwrap_or_default();
    let client = args
        .client
        .unwrap_or_else(|| Ident::new(&format!("{}Client", item.ident.unraw()), item.ident.span()));

    let items = std::mem::take(&mut item.items)
        .into_iter()
        .map(|trait_item| match trait_item {
            TraitItem::Fn(method) => method_item(cx, method, &prefix),
            other => Item::Other(Box::new(other)),
        })
        .collect();
    Resource {
        item,
        client,
        prefix,
        headers,
        items,
    }
}

fn method_item(cx: &mut Ctxt, mut method: TraitItemFn, prefix: &str) -> Item {
    let mut endpoint = Endpoint {
        attrs: Vec::new(),
        sig: method.sig.clone(),
        default_body: method.default.take(),
        semi_token: method.semi_token,
        verbs: Vec::new(),
        misspelled_verb: false,
        template: None,
        full_template: String::new(),
        headers: Vec::new(),
        timeout: None,
        retry: None,
        idempotent: false,
        paginate_attr: None,
        paginate: None,
        option_attrs: Vec::new(),
        params: Vec::new(),
        output: None,
        parse_errors: false,
        valid: false,
    };
    let mark = cx.mark();
    method_attrs(cx, std::mem::take(&mut method.attrs), &mut endpoint);

    if endpoint.verbs.is_empty()
        && endpoint.option_attrs.is_empty()
        && !endpoint.misspelled_verb
        && endpoint.default_body.is_some()
        && !has_param_attrs(&endpoint.sig)
    {
        // A plain default method: kept exactly as written.
        method.attrs = endpoint.attrs;
        method.default = endpoint.default_body;
        return Item::Other(Box::new(TraitItem::Fn(method)));
    }

    if let [(_, _, Some(lit))] = endpoint.verbs.as_slice() {
        let text = lit.value();
        match template::parse(&text) {
            Ok(template) => {
                endpoint.full_template = template::join(prefix, &text);
                endpoint.template = Some((lit.clone(), template));
            }
            Err(errors) => {
                for error in errors {
                    cx.error_spanned_by(lit, error);
                }
            }
        }
    }

    for input in endpoint.sig.inputs.iter_mut() {
        let FnArg::Typed(typed) = input else { continue };
        let attr_mark = cx.mark();
        let (ours, rest) = attr::parse_param_attrs(cx, std::mem::take(&mut typed.attrs));
        typed.attrs = rest;
        let ident = match &*typed.pat {
            syn::Pat::Ident(p)
                if p.by_ref.is_none() && p.mutability.is_none() && p.subpat.is_none() =>
            {
                Some(p.ident.clone())
            }
            _ => None,
        };
        endpoint.params.push(Param {
            name: ident
                .as_ref()
                .map(|i| i.unraw().to_string())
                .unwrap_or_default(),
            ident,
            ty: (*typed.ty).clone(),
            attr: ours,
            attr_error: cx.has_errors_since(attr_mark),
            span: typed.span(),
            pat_span: typed.pat.span(),
            kind: None,
        });
    }

    endpoint.output = match &endpoint.sig.output {
        syn::ReturnType::Type(_, ty) => match type_args(ty).as_slice() {
            [ok, ..] if is_named(ty, "Result") => Some(Output::Call(decoder(ok))),
            [item] if is_named(ty, "Paginator") => Some(Output::Stream(Box::new((*item).clone()))),
            _ => None,
        },
        syn::ReturnType::Default => None,
    };
    endpoint.parse_errors = cx.has_errors_since(mark);
    Item::Endpoint(Box::new(endpoint))
}

fn has_param_attrs(sig: &Signature) -> bool {
    sig.inputs.iter().any(|input| match input {
        FnArg::Typed(t) => t
            .attrs
            .iter()
            .any(|a| attr::our_name(a).is_some_and(|n| attr::PARAM_ATTRS.contains(&n.as_str()))),
        FnArg::Receiver(_) => false,
    })
}

fn method_attrs(cx: &mut Ctxt, attrs: Vec<Attribute>, endpoint: &mut Endpoint) {
    for attr in attrs {
        let Some(name) = attr::our_name(&attr) else {
            endpoint.attrs.push(attr);
            continue;
        };
        if let Some(verb) = Verb::from_name(&name) {
            let lit = attr::parse_verb(cx, &attr, verb);
            endpoint.verbs.push((verb, attr.clone(), lit));
            continue;
        }
        match name.as_str() {
            "headers" => {
                attr::parse_headers(cx, &attr, &mut endpoint.headers);
                endpoint.option_attrs.push((name, attr.clone()));
            }
            "timeout" => {
                let timeout = attr::parse_timeout(cx, &attr);
                duplicate(cx, &attr, &name, endpoint.option_attrs.iter().any(|(n, _)| *n == name));
                endpoint.timeout = endpoint.timeout.or(timeout);
                endpoint.option_attrs.push((name, attr.clone()));
            }
            "retry" => {
                let retry = attr::parse_retry(cx, &attr);
                duplicate(cx, &attr, &name, endpoint.option_attrs.iter().any(|(n, _)| *n == name));
                endpoint.retry = endpoint.retry.or(retry);
                endpoint.option_attrs.push((name, attr.clone()));
            }
            "idempotent" => {
                if !matches!(attr.meta, syn::Meta::Path(_)) {
                    cx.error_spanned_by(&attr, "`#[idempotent]` takes no arguments");
                }
                duplicate(cx, &attr, &name, endpoint.idempotent);
                endpoint.idempotent = true;
                endpoint.option_attrs.push((name, attr.clone()));
            }
            "paginate" => {
                let paginate = paginate::parse(cx, &attr);
                duplicate(cx, &attr, &name, endpoint.paginate_attr.is_some());
                endpoint.paginate = endpoint.paginate.take().or(paginate);
                endpoint.paginate_attr.get_or_insert_with(|| attr.clone());
                endpoint.option_attrs.push((name, attr.clone()));
            }
            "header" => cx.error_spanned_by(
                &attr,
                "`#[header]` goes on a parameter; for fixed headers on a method write `#[headers(\"Name: value\")]`",
            ),
            "query" | "body" | "form" => cx.error_spanned_by(
                &attr,
                format!("`#[{name}]` goes on a parameter of the method, e.g. `#[{name}] value: T`"),
            ),
            "resource" => cx.error_spanned_by(&attr, "`#[resource]` goes on the trait, not on a method"),
            _ => {
                let candidates: Vec<&'static str> =
                    Verb::NAMES.iter().chain(attr::METHOD_ATTRS).copied().collect();
                match attr::misspelled(&attr, &candidates) {
                    Some((unknown, best)) => {
                        endpoint.misspelled_verb |= Verb::from_name(best).is_some();
                        cx.error_spanned_by(
                            attr.path(),
                            format!("unknown attribute `{unknown}`, did you mean `{best}`?"),
                        );
                    }
                    None => endpoint.attrs.push(attr),
                }
            }
        }
    }
}

fn duplicate(cx: &mut Ctxt, attr: &Attribute, name: &str, seen: bool) {
    if seen {
        cx.error_spanned_by(attr, format!("duplicate `#[{name}]` attribute"));
    }
}
