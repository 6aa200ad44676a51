//! The verb and method attributes used outside a `#[resource]` trait. Inside
//! one, `#[resource]` consumes them before they are expanded; reaching this
//! code means there was no `#[resource]` around.

use proc_macro2::{Span, TokenStream};
use quote::quote;

/// The item unchanged, plus an error at the attribute.
pub(crate) fn run(name: &str, item: TokenStream) -> TokenStream {
    let error = syn::Error::new(
        Span::call_site(),
        format!(
            "`#[{name}]` only works on a method inside a `#[resource]` trait: add `#[restrait::resource]` to the trait that declares this method"
        ),
    )
    .into_compile_error();
    quote!(#error #item)
}
