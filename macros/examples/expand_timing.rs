//! Times the expansion of a generated 1,000-method `#[resource]` trait.
//!
//! `cargo run --release -p restrait-macros --example expand_timing`
//!
//! The macro's modules are plain Rust over `proc_macro2`, so this binary
//! includes them by path and calls `expand::run` directly, as the compiler
//! would, without a compiler around it.

#[path = "../src/ast/mod.rs"]
mod ast;
#[path = "../src/attr/mod.rs"]
mod attr;
#[path = "../src/check.rs"]
mod check;
#[path = "../src/codec.rs"]
mod codec;
#[path = "../src/ctxt.rs"]
mod ctxt;
#[path = "../src/expand.rs"]
mod expand;
#[path = "../src/fallback.rs"]
mod fallback;
#[path = "../src/openapi/mod.rs"]
mod openapi;
#[path = "../src/paginate.rs"]
mod paginate;
#[path = "../src/paths.rs"]
mod paths;
#[path = "../src/template.rs"]
mod template;

use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use std::time::{Duration, Instant};

const METHODS: usize = 1_000;

fn big_trait() -> TokenStream {
    let methods = (0..METHODS).map(|i| {
        let name = format_ident!("method_{i}");
        let path = format!("/things/{i}/<id>/parts/<part..>");
        match i % 4 {
            0 => quote! {
                /// Docs.
                #[get(#path)]
                async fn #name(&self, id: u64, part: &str, #[query] page: Option<u32>) -> Result<Vec<Thing>>;
            },
            1 => quote! {
                #[post(#path)]
                #[idempotent]
                #[timeout(secs = 5)]
                async fn #name(&self, id: u64, part: &str, #[body] thing: &NewThing<'_>) -> Result<Thing>;
            },
            2 => quote! {
                #[put(#path)]
                #[headers("Content-Type: application/octet-stream")]
                async fn #name(&self, id: u64, part: &str, #[header("X-Id")] x: Option<&str>, data: Bytes) -> Result<()>;
            },
            _ => quote! {
                #[delete(#path)]
                #[retry(max = 3)]
                async fn #name(&self, id: u64, part: &str) -> Result<Response<String>>;
            },
        }
    });
    quote! {
        #[headers("Accept: application/json")]
        pub trait Big {
            #(#methods)*
        }
    }
}

fn main() {
    let input = big_trait();
    let args = quote!(prefix = "/v1");
    // Warm up, then take the best and the median of a few runs.
    let _ = expand::run(args.clone(), input.clone());
    let mut times: Vec<Duration> = (0..7)
        .map(|_| {
            let (args, input) = (args.clone(), input.clone());
            let start = Instant::now();
            let output = expand::run(args, input);
            let elapsed = start.elapsed();
            assert!(!output.is_empty());
            elapsed
        })
        .collect();
    times.sort();
    let output = expand::run(args, input).to_string();
    assert!(
        !output.contains("compile_error"),
        "the trait must expand without errors"
    );
    println!(
        "expanding a {METHODS}-method trait: best {:.1} ms, median {:.1} ms ({} KiB of output)",
        times[0].as_secs_f64() * 1e3,
        times[times.len() / 2].as_secs_f64() * 1e3,
        output.len() / 1024
    );
}
