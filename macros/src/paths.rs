//! The one place that spells the paths generated code uses. Everything is
//! absolute (`::restrait::..`, `::core::..`), so the expansion works whatever
//! the user has imported, even under `#![no_implicit_prelude]`. The runtime
//! side of this contract is described in `PRIVATE_API.md`.

use crate::ast::Decoder;
use crate::attr::Verb;
use proc_macro2::{Ident, Span, TokenStream};
use quote::{quote, quote_spanned};

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

/// The decoder type for a return type, spanned at the user's return type.
pub(crate) fn decoder(decoder: &Decoder, span: Span) -> TokenStream {
    let private = private(span);
    match decoder {
        Decoder::Unit => quote_spanned!(span=> #private::Unit),
        Decoder::Text => quote_spanned!(span=> #private::Text),
        Decoder::Raw => quote_spanned!(span=> #private::Raw),
        Decoder::Json(ty) => quote_spanned!(span=> #private::Json<#ty>),
        Decoder::WithResponse(inner) => {
            let inner = self::decoder(inner, span);
            quote_spanned!(span=> #private::WithResponse<#inner>)
        }
    }
}

/// A bound check on a user's type, spanned at it:
/// `::restrait::__private::assert_serialize::<T>();`.
pub(crate) fn assert_bound(function: &str, ty: &syn::Type, span: Span) -> TokenStream {
    let private = private(span);
    let function = Ident::new(function, span);
    quote_spanned!(span=> #private::#function::<#ty>();)
}

pub(crate) fn future() -> TokenStream {
    quote!(::core::future::Future)
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
