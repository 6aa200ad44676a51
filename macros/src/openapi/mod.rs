//! `#[resource(openapi = "specs/api.yaml")]`: every endpoint of the trait is
//! checked against the spec at compile time (see `matching` for the rules).
//!
//! - `load`: finds the file (relative to `CARGO_MANIFEST_DIR`) and reads it
//!   once per compile;
//! - `spec`: the little of the document conformance needs, from JSON or
//!   YAML, OpenAPI 3.0 or 3.1;
//! - `matching`: plain data in, problems out;
//! - `report`: the model in, each problem as an error at the user's token.
//!
//! A spec that cannot be found or read is one error at the `openapi = ".."`
//! literal; conformance errors go to each endpoint's own collector, so they
//! are reported together with every other mistake.

mod load;
mod matching;
mod report;
mod spec;

use crate::ast::{Item, Resource};
use crate::ctxt::Ctxt;
use proc_macro2::TokenStream;
use quote::quote;
use std::path::{Path, PathBuf};
use syn::LitStr;

/// Where the macro was called from, as far as the compiler tells.
#[derive(Debug, Default)]
pub(crate) struct Invocation {
    /// The file that holds the `#[resource]` trait.
    pub(crate) source_file: Option<PathBuf>,
}

/// Checks `resource` against its spec, if it names one. Returns the tokens
/// that make cargo rebuild the crate when the spec changes (an
/// `include_bytes!` of it, unused).
pub(crate) fn check(cx: &Ctxt, resource: &Resource<'_>, invocation: &Invocation) -> TokenStream {
    let Some(lit) = &resource.openapi else {
        return TokenStream::new();
    };
    let manifest_dir = std::env::var_os("CARGO_MANIFEST_DIR").map(PathBuf::from);
    let path = match load::locate(
        &lit.value(),
        manifest_dir.as_deref(),
        invocation.source_file.as_deref(),
    ) {
        Ok(path) => path,
        Err(message) => {
            cx.error_spanned_by(lit, message);
            return TokenStream::new();
        }
    };
    let loaded = load::load(&path);
    match loaded.as_ref() {
        Err(message) => cx.error_spanned_by(lit, message),
        Ok(spec) => {
            for item in &resource.items {
                if let Item::Endpoint(endpoint, ecx) = item {
                    report::endpoint(ecx, spec, resource, endpoint);
                }
            }
        }
    }
    track(&path, lit)
}

fn track(path: &Path, lit: &LitStr) -> TokenStream {
    let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_owned());
    let Some(text) = absolute.to_str() else {
        return TokenStream::new();
    };
    let file = LitStr::new(text, lit.span());
    quote!(
        const _: &[u8] = ::core::include_bytes!(#file);
    )
}
