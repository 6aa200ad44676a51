//! Code generation: the rewritten trait, `{Trait}Client` and its impl.
//!
//! [`run`] is the whole macro as a plain function over `proc_macro2`, so unit
//! tests call it with `syn::parse_quote!`. It is three steps: model, check,
//! expand; errors from every step are appended to whatever could be expanded,
//! so one mistake does not cascade into errors about a missing client.

use crate::ast::{self, Decoder, Endpoint, Item, Kind, Output, Param, Resource};
use crate::attr::{self, Retry, Timeout};
use crate::check;
use crate::ctxt::Ctxt;
use crate::paginate::{Paginate, Strategy};
use crate::paths::{self, UserType};
use crate::template::Piece;
use proc_macro2::{Span, TokenStream};
use quote::{ToTokens, format_ident, quote};
use syn::{FnArg, ItemTrait, TraitItem};

/// Expands `#[resource(args)] input`.
pub(crate) fn run(args: TokenStream, input: TokenStream) -> TokenStream {
    let item: ItemTrait = match syn::parse2(input.clone()) {
        Ok(item) => item,
        Err(_) => {
            let error = syn::Error::new(
                Span::call_site(),
                "`#[resource]` goes on a trait, e.g. `#[resource] pub trait Users { .. }`",
            )
            .into_compile_error();
            return quote!(#input #error);
        }
    };
    let mut cx = Ctxt::new();
    let tokens = if ast::structural_errors(&mut cx, &item) {
        // Still parse the arguments, to report their errors too.
        let _ = crate::attr::parse_resource_args(&mut cx, args);
        strip_ours(item).into_token_stream()
    } else {
        let mut resource = ast::from_syn(&mut cx, args, item);
        check::run(&mut cx, &mut resource);
        expand(&resource)
    };
    match cx.into_error() {
        Some(error) => {
            let error = error.into_compile_error();
            quote!(#tokens #error)
        }
        None => tokens,
    }
}

/// The trait as written without our attributes, when nothing else can be emitted.
fn strip_ours(mut item: ItemTrait) -> ItemTrait {
    let ours = |a: &syn::Attribute| {
        attr::our_name(a).is_some_and(|n| {
            attr::Verb::from_name(&n).is_some()
                || attr::METHOD_ATTRS.contains(&n.as_str())
                || attr::PARAM_ATTRS.contains(&n.as_str())
        })
    };
    item.attrs.retain(|a| !ours(a));
    for trait_item in &mut item.items {
        if let TraitItem::Fn(method) = trait_item {
            method.attrs.retain(|a| !ours(a));
            for input in &mut method.sig.inputs {
                if let FnArg::Typed(typed) = input {
                    typed.attrs.retain(|a| !ours(a));
                }
            }
        }
    }
    item
}

fn expand(resource: &Resource) -> TokenStream {
    let heads: Vec<Option<Head>> = resource
        .items
        .iter()
        .map(|item| match item {
            Item::Endpoint(e) if !is_default_method(e) => Some(head(e)),
            _ => None,
        })
        .collect();
    let item = rewritten_trait(resource, &heads);
    let client_struct = client_struct(resource);
    let trait_ident = &resource.item.ident;
    let client = &resource.client;
    // Owned streams are moved with `extend` rather than copied by `quote!`
    // interpolation: large traits expand noticeably faster.
    let mut methods = TokenStream::new();
    methods.extend(
        resource
            .items
            .iter()
            .zip(&heads)
            .filter_map(|(item, head)| match (item, head) {
                (Item::Endpoint(e), Some(head)) => Some(impl_method(resource, e, head)),
                _ => None,
            }),
    );
    let mut out = item;
    out.extend(client_struct);
    out.extend(quote!(impl #trait_ident for #client));
    out.extend(Some(braces(methods)));
    out
}

fn braces(stream: TokenStream) -> proc_macro2::TokenTree {
    proc_macro2::Group::new(proc_macro2::Delimiter::Brace, stream).into()
}

/// A method with a body and no verb is kept as a default method, even when it
/// carries errors (e.g. a misspelled verb), so the impl need not provide it.
fn is_default_method(e: &Endpoint) -> bool {
    e.verbs.is_empty() && e.default_body.is_some()
}

fn rewritten_trait(resource: &Resource, heads: &[Option<Head>]) -> TokenStream {
    let mut item = resource.item.clone();
    for (name, path) in [("Send", paths::send_trait()), ("Sync", paths::sync_trait())] {
        let present = item.supertraits.iter().any(|bound| match bound {
            syn::TypeParamBound::Trait(t) => {
                t.path.segments.last().is_some_and(|s| s.ident == name)
            }
            _ => false,
        });
        if !present {
            item.colon_token.get_or_insert_with(Default::default);
            item.supertraits.push(syn::parse_quote!(#path));
        }
    }
    let items = resource
        .items
        .iter()
        .zip(heads)
        .map(|(item, head)| match (item, head) {
            (Item::Other(other), _) => other.to_token_stream(),
            (Item::Endpoint(e), None) => {
                let attrs = &e.attrs;
                let sig = &e.sig;
                let body = &e.default_body;
                quote!(#(#attrs)* #sig #body)
            }
            (Item::Endpoint(e), Some(head)) => {
                let attrs = &e.attrs;
                let mut method = quote!(#(#attrs)*);
                method.extend(signature(head, None));
                method.extend(e.semi_token.unwrap_or_default().into_token_stream());
                method
            }
        });
    let syn::ItemTrait {
        attrs,
        vis,
        trait_token,
        ident,
        colon_token,
        supertraits,
        brace_token,
        ..
    } = &item;
    // The user's braces, so that the item's span stays in the user's code.
    let mut body = proc_macro2::Group::new(proc_macro2::Delimiter::Brace, items.collect());
    body.set_span(brace_token.span.join());
    quote! {
        #(#attrs)*
        #vis #trait_token #ident #colon_token #supertraits #body
    }
}

/// The parts of an endpoint's signature, rendered once for the trait and the impl.
struct Head {
    /// `fn name<..>(&self, ..)`.
    start: TokenStream,
    /// `R` of `-> impl Future<Output = R> + Send`.
    output: TokenStream,
    where_clause: TokenStream,
    /// A paginated method (or one declared like it): a plain `fn` returning
    /// `R` itself, the stream, instead of a future.
    plain: bool,
}

fn head(e: &Endpoint) -> Head {
    let sig = &e.sig;
    let (fn_token, ident, generics, inputs) =
        (&sig.fn_token, &sig.ident, &sig.generics, &sig.inputs);
    Head {
        start: quote!(#fn_token #ident #generics (#inputs)),
        output: match &sig.output {
            syn::ReturnType::Type(_, ty) => ty.to_token_stream(),
            syn::ReturnType::Default => quote!(()),
        },
        where_clause: generics.where_clause.to_token_stream(),
        plain: is_plain(e),
    }
}

/// Whether the method keeps its declared `fn .. -> R`: a paginated method,
/// or one returning `Paginator<T>`, written without `async`. (An `async fn`
/// is always rewritten to return a future, even when it is an error.)
fn is_plain(e: &Endpoint) -> bool {
    e.sig.asyncness.is_none()
        && (e.paginate_attr.is_some() || matches!(e.output, Some(Output::Stream(_))))
}

/// `fn name<..>(&self, ..) -> impl Future<Output = R> + Send where ..`.
fn signature(head: &Head, at: Option<&UserType>) -> TokenStream {
    let mut signature = head.start.clone();
    signature.extend(quote!(->));
    if head.plain {
        signature.extend(head.output.clone());
    } else {
        signature.extend(paths::future_type(head.output.clone(), at));
    }
    signature.extend(head.where_clause.clone());
    signature
}

fn client_struct(resource: &Resource) -> TokenStream {
    let vis = &resource.item.vis;
    let client = &resource.client;
    let trait_name = resource.item.ident.to_string();
    let resource_client = paths::resource_client();
    let runtime_client = paths::client();
    let call_options = paths::call_options();
    let (clone, debug) = (paths::clone_trait(), paths::debug_trait());
    let struct_doc = format!(
        "A client for [`{trait_name}`], generated by `#[resource]`.\n\n\
         Every method of the trait sends one request through the shared \
         `restrait::Client`. Cloning is cheap."
    );
    let new_doc = format!(
        "Creates a `{client}` that sends its requests through `client` (its base URL, auth, retry policy and middleware)."
    );
    quote! {
        #[doc = #struct_doc]
        #[derive(#clone, #debug)]
        #[allow(dead_code)]
        #vis struct #client {
            __inner: #resource_client,
        }

        #[allow(dead_code)]
        impl #client {
            #[doc = #new_doc]
            #[must_use]
            #vis fn new(client: #runtime_client) -> Self {
                Self { __inner: #resource_client::new(client, #trait_name) }
            }

            /// Returns a copy of this client whose calls use `options`, merged over the options it already has.
            #[must_use]
            #vis fn with_options(&self, options: #call_options) -> Self {
                Self { __inner: self.__inner.with_options(options) }
            }

            /// The `restrait::Client` this resource sends through.
            #vis fn client(&self) -> &#runtime_client {
                self.__inner.client()
            }
        }
    }
}

fn impl_method(resource: &Resource, e: &Endpoint, head: &Head) -> TokenStream {
    let attrs = e.attrs.iter().filter(|a| attr::forwarded_to_impl(a));
    if !e.valid {
        let pending = if head.plain {
            paths::unreachable()
        } else {
            paths::pending()
        };
        let head = signature(head, None);
        return quote! {
            #(#attrs)*
            #[allow(unused_variables)]
            #head { #pending }
        };
    }
    let mut out = quote!(#(#attrs)*);
    let at = decoded_type(e);
    out.extend(signature(head, Some(&at)));
    out.extend(Some(braces(request(resource, e, &at))));
    out
}

/// The body of a valid endpoint: bound checks, then one builder call per part.
///
/// Calls whose generic argument is a user's type are written as path calls
/// (`RequestBuilder::json::<T>(&mut __req, ..)`) spanned across that type, so
/// that an unmet bound is reported there, once, together with the check.
fn request(resource: &Resource, e: &Endpoint, at: &UserType) -> TokenStream {
    let req = format_ident!("__req");
    let mut steps = Vec::new();

    for header in resource.headers.iter().chain(&e.headers) {
        let (name, value) = (&header.name, &header.value);
        steps.push(quote!(#req.static_header(#name, #value);));
    }
    if let Some((_, template)) = &e.template {
        let mut literal = resource.prefix.trim_end_matches('/').to_owned();
        for piece in &template.pieces {
            let (call, name) = match piece {
                Piece::Literal(text) => {
                    literal.push_str(text);
                    continue;
                }
                Piece::Segment(name) => (quote!(segment), name),
                Piece::Tail(name) => (quote!(tail), name),
            };
            if !literal.is_empty() {
                steps.push(quote!(#req.path(#literal);));
                literal.clear();
            }
            if let Some(param) = e.params.iter().find(|p| p.name == *name) {
                let ident = &param.ident;
                let value = display(quote!(&#ident), &UserType::new(&param.ty));
                steps.push(quote!(#req.#call(#name, #value);));
            }
        }
        if !literal.is_empty() {
            steps.push(quote!(#req.path(#literal);));
        }
    }
    for param in &e.params {
        param_step(&req, param, &mut steps);
    }
    if let Some(timeout) = e.timeout {
        let duration = paths::duration();
        steps.push(match timeout {
            Timeout::Secs(n) => quote!(#req.timeout(#duration::from_secs(#n));),
            Timeout::Millis(n) => quote!(#req.timeout(#duration::from_millis(#n));),
        });
    }
    match e.retry {
        Some(Retry::Max(n)) => steps.push(quote!(#req.max_retries(#n);)),
        Some(Retry::Never) => steps.push(quote!(#req.max_retries(0);)),
        None => {}
    }
    if e.idempotent {
        steps.push(quote!(#req.idempotent();));
    }

    let builder = paths::request_builder();
    let method = paths::method(e.verb().unwrap_or(attr::Verb::Get));
    let template = &e.full_template;
    let mutability = (!steps.is_empty()).then(|| quote!(mut));
    let mut body = quote!(let #mutability #req = #builder::new(&self.__inner, #method, #template););
    body.extend(steps);
    body.extend(send(&req, e, at));
    body
}

/// `RequestBuilder::send::<D>(__req)`, spanned across the type that `D`
/// decodes (the `T` of `Result<T>`), after a `DeserializeOwned` check on it;
/// or `RequestBuilder::paginate::<T>(__req, pagination)` for a `Paginator<T>`.
fn send(req: &syn::Ident, e: &Endpoint, at: &UserType) -> TokenStream {
    let decoder = match &e.output {
        Some(Output::Call(decoder)) => decoder,
        Some(Output::Stream(item)) => return paginate(req, e, &UserType::new(item)),
        None => {
            // Unreachable for a valid endpoint; keeps the generated code well-formed.
            let unit = paths::decoder(&Decoder::Unit, at);
            let path = paths::turbofish(&["RequestBuilder", "send"], &unit, at);
            return quote!(#path(#req));
        }
    };
    let mut leaves = Vec::new();
    json_leaves(decoder, &mut leaves);
    let mut out = TokenStream::new();
    for leaf in leaves {
        out.extend(paths::assert_bound(
            "assert_deserialize",
            &UserType::new(leaf),
        ));
    }
    let decoder = paths::decoder(decoder, at);
    out.extend(paths::turbofish(&["RequestBuilder", "send"], &decoder, at));
    out.extend(quote!((#req)));
    out
}

/// `RequestBuilder::paginate::<T>(__req, Pagination::..)`, spanned across the
/// item type `T`, after a `DeserializeOwned` check on it.
fn paginate(req: &syn::Ident, e: &Endpoint, item: &UserType) -> TokenStream {
    let mut out = paths::assert_bound("assert_deserialize", item);
    out.extend(paths::turbofish(
        &["RequestBuilder", "paginate"],
        &item.tokens,
        item,
    ));
    let pagination = e.paginate.as_ref().map(pagination).unwrap_or_else(|| {
        // Unreachable for a valid endpoint; keeps the generated code well-formed.
        let root = paths::pagination();
        quote!(#root::link_header())
    });
    out.extend(quote!((#req, #pagination)));
    out
}

/// The `restrait::Pagination` a `#[paginate(..)]` describes.
fn pagination(p: &Paginate) -> TokenStream {
    let root = paths::pagination();
    let mut expr = match &p.strategy {
        Strategy::Link => quote!(#root::link_header()),
        Strategy::Cursor { field, param } => quote!(#root::cursor(#field, #param)),
        Strategy::HasMore { field, param, id } => quote!(#root::has_more(#field, #param, #id)),
        Strategy::Page {
            param,
            per_page,
            total,
        } => {
            let mut expr = quote!(#root::page_number(#param));
            if let Some(per_page) = per_page {
                expr.extend(quote!(.page_size(#per_page)));
            }
            if let Some(total) = total {
                expr.extend(quote!(.total(#total)));
            }
            expr
        }
    };
    if let Some(items) = &p.items {
        expr.extend(quote!(.items(#items)));
    }
    if let Some(max_pages) = p.max_pages {
        let max_pages = proc_macro2::Literal::u32_unsuffixed(max_pages);
        expr.extend(quote!(.max_pages(#max_pages)));
    }
    expr
}

/// The user's type that decoding is about: the first type decoded from JSON,
/// else the return type. Bound errors about decoding are reported there.
fn decoded_type(e: &Endpoint) -> UserType {
    let mut leaves = Vec::new();
    match &e.output {
        Some(Output::Call(decoder)) => json_leaves(decoder, &mut leaves),
        Some(Output::Stream(item)) => leaves.push(item),
        None => {}
    }
    match (leaves.first(), &e.sig.output) {
        (Some(leaf), _) => UserType::new(leaf),
        (None, syn::ReturnType::Type(_, ty)) => UserType::new(ty),
        (None, syn::ReturnType::Default) => UserType::new(&quote!(())),
    }
}

/// `&value` for a `&dyn Display` argument, after a `Display` check on its
/// type; both are reported at the parameter's type.
fn display(value: TokenStream, ty: &UserType) -> TokenStream {
    let mut block = paths::assert_bound("assert_display", ty);
    block.extend(paths::typed_ref(ty, &value));
    TokenStream::from(proc_macro2::TokenTree::from(proc_macro2::Group::new(
        proc_macro2::Delimiter::Brace,
        block,
    )))
}

fn param_step(req: &syn::Ident, param: &Param, steps: &mut Vec<TokenStream>) {
    let ident = &param.ident;
    let ty = &param.ty;
    let serialized = |method: &str, name: Option<&String>| {
        let user_type = UserType::new(ty);
        let mut step = paths::assert_bound("assert_serialize", &user_type);
        step.extend(paths::turbofish(
            &["RequestBuilder", method],
            &user_type.tokens,
            &user_type,
        ));
        let name = name.map(|n| quote!(#n,));
        step.extend(quote!((&mut #req, #name &#ident);));
        step
    };
    match &param.kind {
        Some(Kind::Query(name)) => steps.push(serialized("query", Some(name))),
        Some(Kind::Json) => steps.push(serialized("json", None)),
        Some(Kind::Form) => steps.push(serialized("form", None)),
        Some(Kind::Header(name)) => {
            let args = ast::type_args(ty);
            match args.as_slice() {
                [inner] if ast::is_named(ty, "Option") => {
                    let some = paths::some();
                    let value = format_ident!("__value");
                    let value_ref = display(quote!(#value), &UserType::new(inner));
                    steps.push(quote! {
                        if let #some(#value) = &#ident {
                            #req.header(#name, #value_ref);
                        }
                    });
                }
                _ => {
                    let value = display(quote!(&#ident), &UserType::new(ty));
                    steps.push(quote!(#req.header(#name, #value);));
                }
            }
        }
        Some(Kind::Raw) => {
            let value = match ty {
                syn::Type::Reference(_) => {
                    let clone = paths::clone_trait();
                    quote!(#clone::clone(#ident))
                }
                _ => ident.to_token_stream(),
            };
            steps.push(quote!(#req.raw(#value);));
        }
        // Path pieces are emitted in template order; a kind-less parameter
        // only exists in an invalid endpoint.
        Some(Kind::Segment | Kind::Tail) | None => {}
    }
}

/// The types decoded as JSON, for the `DeserializeOwned` checks.
fn json_leaves<'a>(decoder: &'a Decoder, out: &mut Vec<&'a syn::Type>) {
    match decoder {
        Decoder::Json(ty) => out.push(ty),
        Decoder::WithResponse(inner) => json_leaves(inner, out),
        Decoder::Unit | Decoder::Text | Decoder::Raw => {}
    }
}
