//! Procedural macros for [restrait](https://docs.rs/restrait). Depend on the
//! `restrait` crate, which re-exports them; the generated code only works
//! together with it.
//!
//! `#[resource]` turns an annotated trait into an HTTP client. Inside the
//! trait, the verb attributes (`#[get("/users/<id>")]` ..), the method
//! attributes (`#[headers]`, `#[timeout]`, `#[retry]`, `#[idempotent]`,
//! `#[paginate]`) and the parameter attributes (`#[query]`, `#[header]`,
//! `#[body]`, `#[form]`) are read and removed by `#[resource]`. The same names exported here only report
//! an error when they are used anywhere else.
//!
//! Phases, one module each: `attr`, `paginate` and `template` parse, `ast`
//! builds the model, `check` validates across it, `expand` generates code
//! naming the runtime only through `paths`; `ctxt` collects every error on
//! the way.

mod ast;
mod attr;
mod check;
mod ctxt;
mod expand;
mod fallback;
mod paginate;
mod paths;
mod stray;
mod template;

use proc_macro::TokenStream;

/// Turns a trait of annotated `async fn`s into an HTTP client: see the
/// `restrait` crate documentation.
#[proc_macro_attribute]
pub fn resource(args: TokenStream, input: TokenStream) -> TokenStream {
    expand::run(args.into(), input.into()).into()
}

macro_rules! stray_attributes {
    ($($name:ident),* $(,)?) => {$(
        #[doc = concat!(
            "`#[", stringify!($name), "]` on a method of a `#[resource]` trait; ",
            "anywhere else it is a compile error."
        )]
        #[proc_macro_attribute]
        pub fn $name(_args: TokenStream, item: TokenStream) -> TokenStream {
            stray::run(stringify!($name), item.into()).into()
        }
    )*};
}

stray_attributes!(
    get, post, put, patch, delete, head, options, headers, timeout, retry, idempotent, paginate
);

#[cfg(test)]
mod tests;
