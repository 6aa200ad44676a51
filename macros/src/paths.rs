//! The one place that spells the paths generated code uses. Everything is
//! absolute (`::restrait::..`, `::core::..`), so the expansion works whatever
//! the user has imported, even under `#![no_implicit_prelude]`. The runtime
//! side of this contract is described in `PRIVATE_API.md`.

use crate::ast::Decoder;
use crate::attr::Verb;
use proc_macro2::{Ident, Span, TokenStream};
use quote::{ToTokens, quote, quote_spanned};

/// `::restrait::__private`, with `span` on every token (so that a type error
/// in an item it names lands on the user's type).
pub(crate) fn private(span: Span) -> TokenStream {
    quote_spanned!(span=> ::restrait::__private)
}

pub(crate) fn client() -> TokenStream {
    quote!(::restrait::Client)
}

pub(crate) fn call_options() -> TokenStream {
    quote!(::restrait::CallOptions)
}

pub(crate) fn resource_client() -> TokenStream {
    let private = private(Span::call_site());
    quote!(#private::ResourceClient)
}

pub(crate) fn request_builder() -> TokenStream {
    let private = private(Span::call_site());
    quote!(#private::RequestBuilder)
}

/// `::restrait::__private::Method::GET` and so on.
pub(crate) fn method(verb: Verb) -> TokenStream {
    let private = private(Span::call_site());
    let name = Ident::new(verb.method_const(), Span::call_site());
    quote!(#private::Method::#name)
}

/// `::restrait::__private::Pagination`, whose constructors a `#[paginate]` names.
pub(crate) fn pagination() -> TokenStream {
    let private = private(Span::call_site());
    quote!(#private::Pagination)
}

pub(crate) fn duration() -> TokenStream {
    let private = private(Span::call_site());
    quote!(#private::Duration)
}

/// A user's type rendered to tokens once, with the spans of its first and
/// last tokens: quoting a path with the first and its closing `>` with the
/// last makes rustc report an unmet bound across the whole type.
pub(crate) struct UserType {
    pub(crate) tokens: TokenStream,
    first: Span,
    last: Span,
}

impl UserType {
    pub(crate) fn new(ty: &impl ToTokens) -> Self {
        let tokens = ty.to_token_stream();
        let mut iter = tokens.clone().into_iter();
        let first = iter.next().map_or_else(Span::call_site, |t| t.span());
        let last = iter.last().map_or(first, |t| t.span());
        UserType {
            tokens,
            first,
            last,
        }
    }
}

/// The decoder type for the `T` of `Result<T>`, spanned across `at` (the
/// user's type that a bound on the decoder is about).
pub(crate) fn decoder(decoder: &Decoder, at: &UserType) -> TokenStream {
    let (first, last) = (at.first, at.last);
    let private = private(first);
    let close = quote_spanned!(last=> >);
    match decoder {
        Decoder::Unit => quote_spanned!(first=> #private::Unit),
        Decoder::Text => quote_spanned!(first=> #private::Text),
        Decoder::Raw => quote_spanned!(first=> #private::Raw),
        Decoder::Json(ty) => quote_spanned!(first=> #private::Json<#ty #close),
        Decoder::WithResponse(inner) => {
            let inner = self::decoder(inner, at);
            quote_spanned!(first=> #private::WithResponse<#inner #close)
        }
    }
}

/// `::restrait::__private::{segments}::<{arg}>`, spanned across `at`. rustc
/// gives the path expression the span from its first to its last token, so
/// an unmet bound on `arg` is reported across the whole of the user's type.
pub(crate) fn turbofish(segments: &[&str], arg: &TokenStream, at: &UserType) -> TokenStream {
    spanned_turbofish(private(at.first), segments, arg, at)
}

fn spanned_turbofish(
    root: TokenStream,
    segments: &[&str],
    arg: &TokenStream,
    at: &UserType,
) -> TokenStream {
    let (first, last) = (at.first, at.last);
    let segments = segments.iter().map(|s| Ident::new(s, first));
    let mut path = quote_spanned!(first=> #root #(::#segments)* ::<#arg);
    path.extend(quote_spanned!(last=> >));
    path
}

/// `::core::convert::identity::<&T>(&value)`, spanned across the user's type
/// `T`: a value whose coercion (to `&dyn Display`) is then reported there,
/// where the matching `assert_display` check is reported too.
pub(crate) fn typed_ref(ty: &UserType, value: &TokenStream) -> TokenStream {
    let (first, last) = (ty.first, ty.last);
    let root = quote_spanned!(first=> ::core::convert);
    let inner = &ty.tokens;
    let arg = quote_spanned!(first=> &#inner);
    let mut call = spanned_turbofish(root, &["identity"], &arg, ty);
    call.extend(quote_spanned!(last=> (#value)));
    call
}

/// A bound check on a user's type, reported at it:
/// `::restrait::__private::assert_serialize::<T>();`.
pub(crate) fn assert_bound(function: &str, ty: &UserType) -> TokenStream {
    let mut check = turbofish(&[function], &ty.tokens, ty);
    check.extend(quote!(();));
    check
}

/// `impl ::core::future::Future<Output = R> + ::core::marker::Send`. In an
/// impl, spanned across `at` (the user's type the decoder is about), so that
/// an unmet bound found while checking the returned future is reported there,
/// with (and deduplicated against) the matching check.
pub(crate) fn future_type(output: TokenStream, at: Option<&UserType>) -> TokenStream {
    let (first, last) = at.map_or((Span::call_site(), Span::call_site()), |at| {
        (at.first, at.last)
    });
    let mut future = respan(quote!(impl ::core::future::Future<Output =), first);
    future.extend(output);
    future.extend(respan(quote!(> + ::core::marker::Send), last));
    future
}

fn respan(tokens: TokenStream, span: Span) -> TokenStream {
    tokens
        .into_iter()
        .map(|mut token| {
            if let proc_macro2::TokenTree::Group(group) = &token {
                let mut new =
                    proc_macro2::Group::new(group.delimiter(), respan(group.stream(), span));
                new.set_span(span);
                token = new.into();
            } else {
                token.set_span(span);
            }
            token
        })
        .collect()
}

/// The fallback body of an endpoint that has errors: type-checks, never runs.
pub(crate) fn pending() -> TokenStream {
    quote!(::core::future::pending())
}

/// The fallback body of a plain (paginated) method that has errors: it
/// type-checks as any return type and never runs, since the crate does not
/// compile.
pub(crate) fn unreachable() -> TokenStream {
    quote!(::core::unreachable!(
        "`#[resource]` reported an error for this endpoint"
    ))
}

pub(crate) fn send_trait() -> TokenStream {
    quote!(::core::marker::Send)
}

pub(crate) fn sync_trait() -> TokenStream {
    quote!(::core::marker::Sync)
}

pub(crate) fn clone_trait() -> TokenStream {
    quote!(::core::clone::Clone)
}

pub(crate) fn debug_trait() -> TokenStream {
    quote!(::core::fmt::Debug)
}

pub(crate) fn some() -> TokenStream {
    quote!(::core::option::Option::Some)
}
