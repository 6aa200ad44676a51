//! Procedural macros for [restrait](https://docs.rs/restrait). Depend on the
//! `restrait` crate, which re-exports them; the generated code only works
//! together with it.
//!
//! `#[resource]` turns an annotated trait into an HTTP client. Inside the
//! trait, the verb attributes (`#[get("/users/<id>")]` ..), the method
//! attributes (`#[headers]`, `#[timeout]`, `#[retry]`, `#[idempotent]`,
//! `#[paginate]`, `#[multipart]`, `#[sse]`, `#[returns]`, `#[rate_limit]`) and the parameter attributes
//! (`#[query]`, `#[header]`, `#[body]`, `#[form]`, `#[url]`, `#[part]`) are read and removed by `#[resource]`. The
//! same names exported here only report an error when they are used
//! anywhere else. `#[resource(crate = "::path")]` names the runtime crate
//! when it is not `::restrait` (renamed in `Cargo.toml`, or re-exported).
//! `#[resource(openapi = "specs/api.yaml")]` checks every endpoint against
//! an OpenAPI spec while the crate compiles (module `openapi`).
//!
//! # Phases, one module each
//!
//! `expand::run` is the whole macro: parse, check, expand.
//!
//! - `attr`, `paginate`, `template`: parse attribute slots and path
//!   templates; every mistake goes to a `ctxt::Ctxt` at the user's token.
//! - `ast`: builds the borrowed model once (`Resource<'a>`, `Endpoint<'a>`,
//!   `Param<'a>`), deciding each parameter's `Role` and the return type's
//!   `Output`/`Decoder`. Nothing later looks at syntax to decide anything.
//! - `check`: cross-checks only; reads the model and records errors in each
//!   endpoint's own collector, which must be consumed (`Ctxt::check`).
//!   `openapi` checks the model against a spec the same way (`load`,
//!   `spec`, `matching` as plain data, `report` for the messages).
//! - `expand`: codegen for endpoints whose collector came back empty;
//!   `fallback` writes the stub of a failed endpoint and the bare trait when
//!   no client can be generated; `paths` is the one place that spells the
//!   runtime's paths (`::restrait::__private::..`).
//!
//! # Adding a parameter role or return kind
//!
//! One place per phase:
//!
//! 1. **Parse** (`attr/param.rs`): a new parameter attribute is a
//!    `ParamAttr` variant, its name in `PARAM_ATTRS` (`attr/mod.rs`, so
//!    misspellings suggest it) and one arm in `parse_param_attrs`. A return
//!    kind needs no attribute.
//! 2. **Model** (`ast/`): a `Role` variant (`ast/mod.rs`) carrying what
//!    codegen needs, decided in `role()` (`ast/build.rs`), the only function
//!    that assigns roles; a return kind is an `Output` or `Decoder` variant,
//!    decided in `decoder()` (`ast/types.rs`) or at the end of `endpoint()`.
//! 3. **Check** (`check.rs`): one rule function called from `check()`,
//!    e.g. `url()` (at most one `#[url]`, no placeholders beside it).
//! 4. **Expand** (`expand.rs`): one arm in `param_step` (a role) or `send`
//!    (a return kind), calling one runtime helper; the bound check belongs in
//!    that helper (`runtime/src/private/bounds.rs`), whose path
//!    `Paths::checked` spans across the user's type so that an unmet bound is
//!    reported there. Failed endpoints need nothing: `fallback::stub` covers
//!    every kind.
//! 5. **Runtime** (`runtime/src/private/`): the helper in `bounds.rs` and the
//!    `RequestBuilder` step in `builder.rs`; the contract goes in
//!    `PRIVATE_API.md`.
//! 6. **Tests**: a line in the snapshot trait (`src/tests.rs`), a UI test per
//!    misuse (`tests/tests/ui/params/`), and a loopback test
//!    (`tests/tests/macro_requests.rs`).
//!
//! `#[url]` was added exactly this way: `ParamAttr::Url`, `Role::Url`,
//! `check::url`, the `Role::Url` arm of `param_step` (which also skips the
//! path pieces), `__private::url` and `RequestBuilder::url`. So were the
//! streaming kinds and uploads (issue 14): `Decoder::{Streamed, Lines,
//! Events}` in `decoder()`, `check::streaming`/`check::sse`, the `send` arms
//! (`send_lines`, `send_events`, `send::<Streamed>`); `ParamAttr::Part`,
//! `Role::{Upload, Part}` in `role()`, `check::multipart`, the `param_step`
//! arms (`body`, `part`, `json_part` and their `optional_` forms, in
//! `runtime/src/private/upload_bounds.rs`). `#[body]` picks `Role::Upload` by
//! the type's name (`Body`), as it picks `Raw` for `Bytes`: a macro cannot
//! ask for a trait, and the helper's bound then names the type.
//!
//! Issue 20 added resource-level keys and one method attribute the same
//! way: `error = T`, `ok_field = ".."` and `codec = ..` in
//! `ResourceArgs` (wrapping the `ResourceClient` in `client_struct`);
//! `#[body(xml, gzip)]` and `#[returns(msgpack)]` parsed in `codec.rs`
//! into `Param::body` and `Options::returns`, checked by `check::codecs`,
//! and expanded in `param_step` (`encode::<C, T>`, `gzip()`) and `send`
//! (`send_decoded::<C, T>`, `CodecDecoded`); every request also names its
//! method with `operation("..")`.

mod ast;
mod attr;
mod check;
mod codec;
mod ctxt;
mod expand;
mod fallback;
mod openapi;
mod paginate;
mod paths;
mod stray;
mod template;

use proc_macro::TokenStream;

/// Turns a trait of annotated `async fn`s into an HTTP client: see the
/// `restrait` crate documentation.
#[proc_macro_attribute]
pub fn resource(args: TokenStream, input: TokenStream) -> TokenStream {
    let source_file = proc_macro::Span::call_site().local_file();
    let invocation = openapi::Invocation { source_file };
    expand::run_in(args.into(), input.into(), &invocation).into()
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
    get, post, put, patch, delete, head, options, headers, timeout, retry, idempotent, paginate,
    multipart, sse, returns, rate_limit
);

#[cfg(test)]
mod scratch;
#[cfg(test)]
mod tests;
