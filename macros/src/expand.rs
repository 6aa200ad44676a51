//! Code generation: the rewritten trait, `{Trait}Client` and its impl.
//!
//! [`run`] is the whole macro as a plain function over `proc_macro2`, so unit
//! tests call it with `syn::parse_quote!`: parse into the model, check it,
//! expand what passed. An endpoint whose checks failed gets a stub from
//! [`fallback`]; the trait is always emitted, and the errors are appended.

use crate::ast::{self, Decoder, Endpoint, Item, Output, Param, Resource, Role};
use crate::attr::{self, Retry, Timeout};
use crate::codec::CodecName;
use crate::ctxt::Ctxt;
use crate::paginate::{Paginate, Strategy};
use crate::paths::{self, UserType};
use crate::template::{self, Piece};
use crate::{check, fallback, openapi};
use proc_macro2::TokenStream;
use quote::{ToTokens, format_ident, quote};
use syn::ext::IdentExt as _;
use syn::{FnArg, ItemTrait, TraitItem};

// By path, so that the timing example, which includes this file by path too,
// finds it.
#[path = "expand/blocking.rs"]
mod blocking;

/// Expands `#[resource(args)] input`. The entry point calls [`run_in`];
/// this is for the unit tests and `examples/expand_timing.rs`.
#[allow(dead_code)]
pub(crate) fn run(args: TokenStream, input: TokenStream) -> TokenStream {
    run_in(args, input, &openapi::Invocation::default())
}

/// [`run`], knowing where the macro was called from (to find an `openapi`
/// spec beside the source file).
pub(crate) fn run_in(
    args: TokenStream,
    input: TokenStream,
    invocation: &openapi::Invocation,
) -> TokenStream {
    let Ok(item) = syn::parse2::<ItemTrait>(input.clone()) else {
        return fallback::not_a_trait(input);
    };
    let structure = Ctxt::new();
    ast::structural_errors(&structure, &item);
    if let Err(mut error) = structure.check() {
        // Still parse the arguments, to report their errors too.
        let cx = Ctxt::new();
        let _ = attr::parse_resource_args(&cx, args);
        if let Err(more) = cx.check() {
            error.combine(more);
        }
        let mut tokens = fallback::bare_trait(&item);
        tokens.extend(error.into_compile_error());
        return tokens;
    }

    let cx = Ctxt::new();
    let mut resource = ast::from_syn(&cx, args, &item);
    check::run(&resource);
    let tracked = openapi::check(&cx, &resource, invocation);
    let mut errors: Vec<syn::Error> = cx.check().err().into_iter().collect();
    let items: Vec<Checked<'_>> = std::mem::take(&mut resource.items)
        .into_iter()
        .map(|item| match item {
            Item::Kept(item) => Checked::Kept(item),
            Item::Endpoint(e, ecx) => match ecx.check() {
                Ok(()) => Checked::Valid(e),
                Err(error) => {
                    errors.push(error);
                    Checked::Failed(e)
                }
            },
        })
        .collect();
    let mut tokens = expand(&resource, &items);
    tokens.extend(tracked);
    for error in errors {
        tokens.extend(error.into_compile_error());
    }
    tokens
}

/// A trait item after `check`: only `Valid` endpoints get a real body.
enum Checked<'a> {
    Valid(Box<Endpoint<'a>>),
    Failed(Box<Endpoint<'a>>),
    Kept(&'a TraitItem),
}

fn expand(resource: &Resource<'_>, items: &[Checked<'_>]) -> TokenStream {
    let heads: Vec<Option<Head>> = items
        .iter()
        .map(|item| match item {
            Checked::Valid(e) | Checked::Failed(e) if !e.is_default_method() => Some(head(e)),
            _ => None,
        })
        .collect();
    let mut out = rewritten_trait(resource, items, &heads);
    out.extend(client_struct(resource));
    let trait_ident = &resource.item.ident;
    let client = &resource.client;
    // Owned streams are moved with `extend` rather than copied by `quote!`
    // interpolation: large traits expand noticeably faster.
    let mut methods = TokenStream::new();
    for (item, head) in items.iter().zip(&heads) {
        let (Some(head), Checked::Valid(e) | Checked::Failed(e)) = (head, item) else {
            continue;
        };
        let attrs = e.attrs.iter().filter(|a| attr::forwarded_to_impl(a));
        let attrs = quote!(#(#attrs)*);
        methods.extend(match item {
            Checked::Valid(e) => impl_method(resource, e, head, attrs),
            _ => fallback::stub(attrs, signature(head, None), head.plain),
        });
    }
    out.extend(quote!(#[automatically_derived] impl #trait_ident for #client));
    out.extend(Some(braces(methods)));
    out.extend(blocking::client(resource, items, &heads));
    out
}

fn braces(stream: TokenStream) -> proc_macro2::TokenTree {
    proc_macro2::Group::new(proc_macro2::Delimiter::Brace, stream).into()
}

fn rewritten_trait(
    resource: &Resource<'_>,
    items: &[Checked<'_>],
    heads: &[Option<Head>],
) -> TokenStream {
    let item = resource.item;
    let mut supertraits = item.supertraits.clone();
    for name in &resource.missing_supertraits {
        let path = match *name {
            "Send" => paths::send_trait(),
            _ => paths::sync_trait(),
        };
        supertraits.push(syn::parse_quote!(#path));
    }
    let colon = item.colon_token.unwrap_or_default();
    let mut body = TokenStream::new();
    for (checked, head) in items.iter().zip(heads) {
        match (checked, head) {
            (Checked::Kept(other), _) => other.to_tokens(&mut body),
            (Checked::Valid(e) | Checked::Failed(e), None) => {
                let attrs = &e.attrs;
                let sig = inputs_signature(e);
                let block = &e.method.default;
                body.extend(quote!(#(#attrs)* #sig #block));
            }
            (Checked::Valid(e) | Checked::Failed(e), Some(head)) => {
                let attrs = &e.attrs;
                body.extend(quote!(#(#attrs)*));
                body.extend(signature(head, None));
                body.extend(e.method.semi_token.unwrap_or_default().into_token_stream());
            }
        }
    }
    let attrs = &resource.attrs;
    let (vis, trait_token, ident) = (&item.vis, &item.trait_token, &item.ident);
    // The user's braces, so that the item's span stays in the user's code.
    let mut group = proc_macro2::Group::new(proc_macro2::Delimiter::Brace, body);
    group.set_span(item.brace_token.span.join());
    quote! {
        #(#attrs)*
        #vis #trait_token #ident #colon #supertraits #group
    }
}

/// `fn name<..>(&self, ..) -> R`: the user's signature without our parameter attributes.
fn inputs_signature(e: &Endpoint<'_>) -> TokenStream {
    let sig = &e.method.sig;
    let (fn_token, ident, generics) = (&sig.fn_token, &sig.ident, &sig.generics);
    let (asyncness, output, where_clause) = (&sig.asyncness, &sig.output, &generics.where_clause);
    let inputs = inputs(e);
    quote!(#asyncness #fn_token #ident #generics (#inputs) #output #where_clause)
}

/// The receiver and the parameters, each with the attributes that are not ours.
fn inputs(e: &Endpoint<'_>) -> TokenStream {
    let mut params = e.params.iter();
    let mut out = TokenStream::new();
    for input in &e.method.sig.inputs {
        match input {
            FnArg::Receiver(receiver) => receiver.to_tokens(&mut out),
            FnArg::Typed(_) => {
                if let Some(Param { arg, attrs, .. }) = params.next() {
                    let (pat, colon, ty) = (&arg.pat, &arg.colon_token, &arg.ty);
                    out.extend(quote!(#(#attrs)* #pat #colon #ty));
                }
            }
        }
        out.extend(quote!(,));
    }
    out
}

/// The parts of an endpoint's signature, rendered once for the trait and the impl.
struct Head {
    /// `fn name<..>(&self, ..)`.
    start: TokenStream,
    /// `R` of `-> impl Future<Output = R> + Send`.
    output: TokenStream,
    where_clause: TokenStream,
    /// A plain `fn` returning `R` itself (see `Endpoint::plain`).
    plain: bool,
}

fn head(e: &Endpoint<'_>) -> Head {
    let sig = &e.method.sig;
    let (fn_token, ident, generics) = (&sig.fn_token, &sig.ident, &sig.generics);
    let inputs = inputs(e);
    Head {
        start: quote!(#fn_token #ident #generics (#inputs)),
        output: e.ret.map_or_else(|| quote!(()), ToTokens::to_token_stream),
        where_clause: generics.where_clause.to_token_stream(),
        plain: e.plain,
    }
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

fn client_struct(resource: &Resource<'_>) -> TokenStream {
    let p = &resource.paths;
    let vis = &resource.item.vis;
    let client = &resource.client;
    let trait_name = resource.item.ident.to_string();
    let resource_client = p.resource_client();
    let runtime_client = p.client();
    let call_options = p.call_options();
    let (clone, debug) = (paths::clone_trait(), paths::debug_trait());
    let struct_doc = format!(
        "A client for [`{trait_name}`], generated by `#[resource]`.\n\n\
         Every method of the trait sends one request through the shared \
         `restrait::Client`. Cloning is cheap."
    );
    let new_doc = format!(
        "Creates a `{client}` that sends its requests through `client` (its base URL, auth, retry policy and middleware)."
    );
    // Trait-level headers: built once, at compile time, into a static the
    // resource client hands to every request.
    let (headers, with_headers) = if resource.headers.is_empty() {
        (TokenStream::new(), TokenStream::new())
    } else {
        let (name_ty, value_ty) = p.header_types();
        let n = proc_macro2::Literal::usize_unsuffixed(resource.headers.len());
        let pairs = resource.headers.iter().map(|h| {
            let name = h.name.to_ascii_lowercase();
            let value = &h.value;
            quote!((#name_ty::from_static(#name), #value_ty::from_static(#value)))
        });
        (
            quote!(static __HEADERS: [(#name_ty, #value_ty); #n] = [#(#pairs),*];),
            quote!(.with_headers(&__HEADERS)),
        )
    };
    // `#[resource(error = T, ok_field = "..")]`, on the resource client.
    let mut inner = quote!(#resource_client::new(client, #trait_name) #with_headers);
    if let Some(ty) = &resource.error {
        let helper = p.checked("error_type", &UserType::new(ty));
        inner = quote!(#helper(#inner));
    }
    if let Some(field) = &resource.ok_field {
        inner.extend(quote!(.with_ok_field(#field)));
    }
    if let Some(check) = &resource.check {
        // Spanned at the user's path: a function of another signature is
        // reported there.
        let with_check = quote::quote_spanned!(syn::spanned::Spanned::span(check)=> with_check);
        inner.extend(quote!(.#with_check(#check)));
    }
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
                #headers
                Self { __inner: #inner }
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

fn impl_method(
    resource: &Resource<'_>,
    e: &Endpoint<'_>,
    head: &Head,
    attrs: TokenStream,
) -> TokenStream {
    let mut out = attrs;
    let at = decoded_type(e);
    out.extend(signature(head, Some(&at)));
    out.extend(Some(braces(request(resource, e, &at))));
    out
}

/// The body of a checked endpoint: one step per part of the request, each
/// bound-checked at the user's type by the helper it calls (`bounds.rs`).
fn request(resource: &Resource<'_>, e: &Endpoint<'_>, at: &UserType) -> TokenStream {
    let p = &resource.paths;
    let req = format_ident!("__req");
    let mut steps = TokenStream::new();
    let operation = e.method.sig.ident.unraw().to_string();
    steps.extend(quote!(#req.operation(#operation);));
    // Checked by `attr/method.rs`, built at compile time: `from_static` in a
    // `const` block costs nothing per call.
    let (name_ty, value_ty) = p.header_types();
    for header in &e.options.headers {
        let (name, value) = (header.name.to_ascii_lowercase(), &header.value);
        steps.extend(quote!(#req.fixed_header(
            const { #name_ty::from_static(#name) },
            const { #value_ty::from_static(#value) },
        );));
    }
    if e.options.multipart {
        steps.extend(quote!(#req.multipart();));
    }
    let sends_to_url = e.params.iter().any(|param| param.role == Role::Url);
    if let Some(template) = e.template.as_ref().filter(|_| !sends_to_url) {
        let mut literal = template.prefix.clone();
        for piece in &template.parsed.pieces {
            let (helper, name) = match piece {
                Piece::Literal(text) => {
                    literal.push_str(text);
                    continue;
                }
                Piece::Segment(name) => ("segment", name),
                Piece::Tail(name) => ("tail", name),
            };
            push_literal(&req, &mut literal, &mut steps);
            if let Some(param) = e.params.iter().find(|p| p.name == *name) {
                let ident = &param.ident;
                let ty = UserType::new(param.ty);
                let helper = p.checked(helper, &ty);
                steps.extend(quote!(#helper(&mut #req, #name, &#ident);));
            }
        }
        push_literal(&req, &mut literal, &mut steps);
    }
    for param in &e.params {
        param_step(resource, &req, param, &mut steps);
    }
    if let Some(timeout) = e.options.timeout {
        let duration = p.duration();
        steps.extend(match timeout {
            Timeout::Secs(n) => quote!(#req.timeout(#duration::from_secs(#n));),
            Timeout::Millis(n) => quote!(#req.timeout(#duration::from_millis(#n));),
        });
    }
    match e.options.retry {
        Some(Retry::Max(n)) => steps.extend(quote!(#req.max_retries(#n);)),
        Some(Retry::Never) => steps.extend(quote!(#req.max_retries(0);)),
        None => {}
    }
    if e.options.idempotent {
        steps.extend(quote!(#req.idempotent();));
    }
    if let Some(group) = &e.options.rate_limit {
        steps.extend(quote!(#req.rate_limit_group(#group);));
    }

    let verb = paths::verb_method(e.verb());
    let template = e.template.as_ref().map_or("", |t| t.full.as_str());
    let mutability = (!steps.is_empty()).then(|| quote!(mut));
    let mut body = quote!(let #mutability #req = self.__inner.#verb(#template););
    body.extend(steps);
    body.extend(send(resource, &req, e, at));
    body
}

/// `__req.encoded_path("..")` with the literal encoded now, at compile time.
fn push_literal(req: &syn::Ident, literal: &mut String, steps: &mut TokenStream) {
    if !literal.is_empty() {
        let encoded = template::encode_literal(literal);
        steps.extend(quote!(#req.encoded_path(#encoded);));
        literal.clear();
    }
}

fn param_step(
    resource: &Resource<'_>,
    req: &syn::Ident,
    param: &Param<'_>,
    steps: &mut TokenStream,
) {
    let p = &resource.paths;
    let ident = &param.ident;
    let checked = |helper: &str, ty: &syn::Type| p.checked(helper, &UserType::new(ty));
    steps.extend(match &param.role {
        Role::Query(name) => {
            let helper = checked("query", param.ty);
            quote!(#helper(&mut #req, #name, &#ident);)
        }
        Role::Json => match body_codec(resource, param) {
            Some(codec) => {
                let codec = p.codec(codec);
                let ty = UserType::new(param.ty);
                let ty_tokens = &ty.tokens;
                let helper = p.turbofish(&["encode"], &quote!(#codec, #ty_tokens), &ty);
                quote!(#helper(&mut #req, &#ident);)
            }
            None => {
                let helper = checked("json", param.ty);
                quote!(#helper(&mut #req, &#ident);)
            }
        },
        Role::Form => {
            let helper = checked("form", param.ty);
            quote!(#helper(&mut #req, &#ident);)
        }
        Role::Header {
            name,
            optional: None,
        } => {
            let helper = checked("header", param.ty);
            quote!(#helper(&mut #req, #name, &#ident);)
        }
        Role::Header {
            name,
            optional: Some(inner),
        } => {
            let helper = checked("optional_header", inner);
            quote!(#helper(&mut #req, #name, &#ident);)
        }
        Role::Url => {
            let helper = checked("url", param.ty);
            quote!(#helper(&mut #req, &#ident);)
        }
        Role::Raw { by_ref: true } => {
            let clone = paths::clone_trait();
            quote!(#req.raw(#clone::clone(#ident));)
        }
        Role::Raw { by_ref: false } => quote!(#req.raw(#ident);),
        Role::Upload => {
            let helper = checked("body", param.ty);
            quote!(#helper(&mut #req, #ident);)
        }
        Role::Part {
            name,
            json,
            optional,
        } => {
            // `PartValue` covers `Option` itself; a JSON part of an
            // `Option<T>` is checked at `T`, and `None` sends no part.
            let helper = match (json, optional) {
                (false, _) => checked("part", param.ty),
                (true, None) => checked("json_part", param.ty),
                (true, Some(inner)) => checked("optional_json_part", inner),
            };
            if *json {
                quote!(#helper(&mut #req, #name, &#ident);)
            } else {
                quote!(#helper(&mut #req, #name, #ident);)
            }
        }
        // Path pieces are emitted in template order; a checked endpoint has
        // no unbound or broken parameter.
        Role::Segment | Role::Tail | Role::Unbound | Role::Broken => return,
    });
    if param.body.gzip.is_some() {
        steps.extend(quote!(#req.gzip();));
    }
}

/// The codec of a `#[body]` value when it is not JSON: its own
/// `#[body(xml)]`, else the resource's `codec = ..`.
fn body_codec<'r>(resource: &'r Resource<'_>, param: &'r Param<'_>) -> Option<&'r CodecName> {
    param
        .body
        .codec
        .as_ref()
        .or(resource.codec.as_ref())
        .filter(|codec| !codec.is_json())
}

/// The codec of the response body when it is not JSON: the method's
/// `#[returns(xml)]`, else the resource's `codec = ..`.
fn return_codec<'r>(resource: &'r Resource<'_>, e: &'r Endpoint<'_>) -> Option<&'r CodecName> {
    e.options
        .returns
        .as_ref()
        .or(resource.codec.as_ref())
        .filter(|codec| !codec.is_json())
}

/// How the call ends: `send_json::<T>(__req)` for a JSON `Result<T>`
/// (`send_lines` for `JsonLines<T>`, `send_events::<T>(__req, done)` with
/// the `#[sse(done = "..")]` terminator for `EventStream<T>`), else
/// `RequestBuilder::send::<D>(__req)` spanned across the decoded type (after
/// a `DeserializeOwned` check on a JSON leaf); `paginate::<T>(__req, ..)` for
/// a `Paginator<T>`.
fn send(resource: &Resource<'_>, req: &syn::Ident, e: &Endpoint<'_>, at: &UserType) -> TokenStream {
    let p = &resource.paths;
    let codec = return_codec(resource, e).map(|codec| p.codec(codec));
    match &e.output {
        Output::Call(Decoder::Json(ty)) => match &codec {
            Some(codec) => {
                let ty = UserType::new(ty);
                let ty_tokens = &ty.tokens;
                let helper = p.turbofish(&["send_decoded"], &quote!(#codec, #ty_tokens), &ty);
                quote!(#helper(#req))
            }
            None => {
                let helper = p.checked("send_json", &UserType::new(ty));
                quote!(#helper(#req))
            }
        },
        Output::Call(Decoder::Lines(ty)) => {
            let helper = p.checked("send_lines", &UserType::new(ty));
            quote!(#helper(#req))
        }
        Output::Call(Decoder::Events(ty)) => {
            let helper = p.checked("send_events", &UserType::new(ty));
            let done = paths::option(e.options.sse_done.as_ref());
            quote!(#helper(#req, #done))
        }
        Output::Call(decoder) => {
            let mut out = TokenStream::new();
            if let Some(leaf) = decoder.json_leaf() {
                let check = p.checked("assert_deserialize", &UserType::new(leaf));
                out.extend(quote!(#check();));
            }
            let decoder = match &codec {
                Some(codec) => p.codec_decoder(decoder, at, codec),
                None => p.decoder(decoder, at),
            };
            out.extend(p.turbofish(&["RequestBuilder", "send"], &decoder, at));
            out.extend(quote!((#req)));
            out
        }
        Output::Stream(item) => {
            let helper = p.checked("paginate", &UserType::new(item));
            let pagination = match &e.paginate {
                Some((_, Some(paginate))) => pagination(resource, paginate),
                // A checked stream endpoint has a parsed `#[paginate]`.
                _ => TokenStream::new(),
            };
            quote!(#helper(#req, #pagination))
        }
        // A checked endpoint has a known return type.
        Output::Unknown => TokenStream::new(),
    }
}

/// The `restrait::Pagination` a `#[paginate(..)]` describes.
fn pagination(resource: &Resource<'_>, p: &Paginate) -> TokenStream {
    let root = resource.paths.pagination();
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

/// The user's type that decoding is about: the type decoded from JSON, else
/// the return type. Bound errors about decoding are reported there.
fn decoded_type(e: &Endpoint<'_>) -> UserType {
    let leaf = match &e.output {
        Output::Call(decoder) => decoder.json_leaf(),
        Output::Stream(item) => Some(*item),
        Output::Unknown => None,
    };
    match (leaf, e.ret) {
        (Some(leaf), _) => UserType::new(leaf),
        (None, Some(ty)) => UserType::new(ty),
        (None, None) => UserType::new(&quote!(())),
    }
}
