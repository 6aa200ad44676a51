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

pub(crate) fn duration() -> TokenStream {
    let private = private(Span::call_site());
    quote!(#private::Duration)
}

/// The decoder type for the `T` of `Result<T>`, spanned across `at` (the
/// user's type that a bound on the decoder is about).
pub(crate) fn decoder(decoder: &Decoder, at: &impl ToTokens) -> TokenStream {
    let (first, last) = ends(at);
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

/// The spans of the first and last tokens of `tokens`.
fn ends(tokens: &impl ToTokens) -> (Span, Span) {
    let mut iter = tokens.to_token_stream().into_iter();
    let first = iter.next().map_or_else(Span::call_site, |t| t.span());
    let last = iter.last().map_or(first, |t| t.span());
    (first, last)
}

/// `::restrait::__private::{segments}::<{arg}>`, with the path spanned at the
/// first token of `at` and the closing `>` at its last token. rustc gives the
/// path expression the span from its first to its last token, so an unmet
/// bound on `arg` is reported across the whole of the user's type `at`.
pub(crate) fn turbofish(segments: &[&str], arg: &TokenStream, at: &impl ToTokens) -> TokenStream {
    let (first, _) = ends(at);
    spanned_turbofish(private(first), segments, arg, at)
}

fn spanned_turbofish(
    root: TokenStream,
    segments: &[&str],
    arg: &TokenStream,
    at: &impl ToTokens,
) -> TokenStream {
    let (first, last) = ends(at);
    let segments = segments.iter().map(|s| Ident::new(s, first));
    let head = quote_spanned!(first=> #root #(::#segments)* ::<#arg);
    let close = quote_spanned!(last=> >);
    quote!(#head #close)
}

/// `::core::convert::identity::<&T>(&value)`, spanned across the user's type
/// `T`: a value whose coercion (to `&dyn Display`) is then reported there,
/// where the matching `assert_display` check is reported too.
pub(crate) fn typed_ref(ty: &syn::Type, value: &TokenStream) -> TokenStream {
    let (first, last) = ends(ty);
    let root = quote_spanned!(first=> ::core::convert);
    let arg = quote_spanned!(first=> &#ty);
    let path = spanned_turbofish(root, &["identity"], &arg, ty);
    let args = quote_spanned!(last=> (#value));
    quote!(#path #args)
}

/// A bound check on a user's type, reported at it:
/// `::restrait::__private::assert_serialize::<T>();`.
pub(crate) fn assert_bound(function: &str, ty: &syn::Type) -> TokenStream {
    let path = turbofish(&[function], &ty.to_token_stream(), ty);
    quote!(#path();)
}

/// `impl ::core::future::Future<Output = R> + ::core::marker::Send`. In an
/// impl, spanned across `at` (the user's type the decoder is about), so that
/// an unmet bound found while checking the returned future is reported there,
/// with (and deduplicated against) the matching check.
pub(crate) fn future_type(output: &TokenStream, at: Option<&TokenStream>) -> TokenStream {
    let (first, last) = at.map_or((Span::call_site(), Span::call_site()), ends);
    let head = respan(quote!(impl ::core::future::Future<Output =), first);
    let tail = respan(quote!(> + ::core::marker::Send), last);
    quote!(#head #output #tail)
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
