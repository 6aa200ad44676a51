//! What is emitted when something cannot be expanded, so that one mistake
//! does not cascade into errors about a missing client or method, and IDEs
//! keep seeing the user's trait.

use crate::attr;
use proc_macro2::{Span, TokenStream};
use quote::{ToTokens, quote};
use syn::{FnArg, ItemTrait, TraitItem};

/// `#[resource]` on something that is not a trait: the input unchanged, plus the error.
pub(crate) fn not_a_trait(input: TokenStream) -> TokenStream {
    let error = syn::Error::new(
        Span::call_site(),
        "`#[resource]` goes on a trait, e.g. `#[resource] pub trait Users { .. }`",
    )
    .into_compile_error();
    quote!(#input #error)
}

/// The trait as written without our attributes, when no client can be
/// generated for it (a generic trait, an associated type, ..).
pub(crate) fn bare_trait(item: &ItemTrait) -> TokenStream {
    let mut item = item.clone();
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
    item.into_token_stream()
}

/// The impl method of an endpoint that has errors: its signature and a body
/// that type-checks as any return type and never runs (the crate does not
/// compile). `plain` is a method returning its declared type, not a future.
pub(crate) fn stub(attrs: TokenStream, signature: TokenStream, plain: bool) -> TokenStream {
    let body = if plain {
        crate::paths::unreachable()
    } else {
        crate::paths::pending()
    };
    quote! {
        #attrs
        #[allow(unused_variables)]
        #signature { #body }
    }
}
