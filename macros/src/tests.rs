//! Expansion tests: `expand::run` called as a plain function.
//!
//! The snapshot is formatted with `prettyplease` and compared with a file
//! checked in under `macros/tests/expansion/`; `RESTRAIT_BLESS=1 cargo test -p
//! restrait-macros` rewrites it after a deliberate change. The tests crate
//! compiles the same file as its `expanded` target, so that clippy
//! (`-D warnings` in CI) lints the generated code.

use crate::expand;
use proc_macro2::TokenStream;
use quote::{ToTokens, quote};
use std::path::PathBuf;

fn expand_to_string(args: TokenStream, input: TokenStream) -> String {
    let output = expand::run(args, input);
    match syn::parse2::<syn::File>(output.clone()) {
        Ok(file) => unparse(file),
        Err(error) => panic!("expansion does not parse ({error}):\n{output}"),
    }
}

/// `prettyplease`, except that the items inside the blocking client's
/// `__private::blocking::client! { vis struct Name; items.. }` are
/// formatted too (`prettyplease` leaves a macro's body on one line).
fn unparse(mut file: syn::File) -> String {
    let gated = file.items.iter().position(|item| {
        matches!(item, syn::Item::Macro(m)
            if m.mac.path.segments.last().is_some_and(|s| s.ident == "client"))
    });
    let Some(index) = gated else {
        return prettyplease::unparse(&file);
    };
    let syn::Item::Macro(gate) = file.items.remove(index) else {
        unreachable!("found above");
    };
    let mut tokens = gate.mac.tokens.clone().into_iter();
    let header: TokenStream = tokens
        .by_ref()
        .take_while(|t| !matches!(t, proc_macro2::TokenTree::Punct(p) if p.as_char() == ';'))
        .collect();
    let inner: syn::File = syn::parse2(tokens.collect()).expect("the gated items parse");
    let path = gate.mac.path.to_token_stream().to_string().replace(' ', "");
    let mut out = prettyplease::unparse(&file);
    out.push_str(&format!("{path}! {{\n    {header};\n"));
    for line in prettyplease::unparse(&inner).lines() {
        match line.is_empty() {
            true => out.push('\n'),
            false => out.push_str(&format!("    {line}\n")),
        }
    }
    out.push_str("}\n");
    out
}

fn assert_snapshot(name: &str, actual: &str) {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/expansion")
        .join(format!("{name}.expanded.rs"));
    let expected = std::fs::read_to_string(&path).unwrap_or_default();
    if expected == actual {
        return;
    }
    if std::env::var_os("RESTRAIT_BLESS").is_some() {
        std::fs::write(&path, actual).expect("write snapshot");
        return;
    }
    let mut diff = String::new();
    let (old, new): (Vec<&str>, Vec<&str>) = (expected.lines().collect(), actual.lines().collect());
    for i in 0..old.len().max(new.len()) {
        match (old.get(i), new.get(i)) {
            (Some(o), Some(n)) if o == n => {}
            (o, n) => {
                if let Some(o) = o {
                    diff.push_str(&format!("{:>4} - {o}\n", i + 1));
                }
                if let Some(n) = n {
                    diff.push_str(&format!("{:>4} + {n}\n", i + 1));
                }
            }
        }
    }
    panic!(
        "expansion of `{name}` differs from {} (line by line, - expected, + actual):\n{diff}\n\
         rerun with RESTRAIT_BLESS=1 to accept the new expansion",
        path.display()
    );
}

#[test]
fn users_snapshot() {
    let actual = expand_to_string(
        quote!(prefix = "/v2"),
        quote! {
            /// The users of the API.
            #[headers("Accept: application/json")]
            pub trait Users {
                /// Get one user.
                #[get("/users/<id>")]
                async fn get(&self, id: u64) -> Result<User>;

                #[get("/users")]
                #[rate_limit("search")]
                async fn list(
                    &self,
                    #[query] page: Option<u32>,
                    #[query("per-page")] per_page: Option<u32>,
                ) -> Result<Vec<User>>;

                #[post("/users")]
                #[idempotent]
                #[timeout(secs = 5)]
                async fn create(&self, #[body] user: &NewUser<'_>, #[header("X-Request-Id")] request_id: Option<&str>) -> Result<Response<User>>;

                #[put("/files/<path..>")]
                #[retry(never)]
                #[headers("Content-Type: application/octet-stream")]
                async fn upload(&self, path: &str, data: Bytes) -> Result<()>;

                #[delete("/users/{id}")]
                #[retry(max = 5)]
                async fn delete(&self, id: u64) -> Result<String>;

                #[head("")]
                async fn ping(&self) -> Result<Bytes>;

                /// The next page, at the URL the API handed back.
                #[get("/users")]
                async fn next_page(&self, #[url] next: &Url) -> Result<Vec<User>>;

                /// A new avatar, with its caption.
                #[post("/users/<id>/avatar")]
                #[multipart]
                async fn avatar(&self, id: u64, #[part] caption: &str, #[part("image")] image: Part, #[part("meta", json)] meta: &NewUser<'_>) -> Result<()>;

                #[put("/exports/<name>")]
                async fn import(&self, name: &str, #[body] data: Body) -> Result<()>;

                /// Another codec each way, the body compressed.
                #[post("/users/import")]
                #[returns(msgpack)]
                async fn import_xml(&self, #[body(xml, gzip)] user: &NewUser<'_>) -> Result<User>;

                /// Users as they sign up, until `[DONE]`.
                #[get("/users/events")]
                #[sse(done = "[DONE]")]
                async fn signups(&self) -> Result<EventStream<User>>;

                /// Every user, page by page.
                #[get("/users")]
                #[paginate(page = "page", per_page = "per-page", total = "total", items = "data")]
                fn all(&self, #[query("per-page")] per_page: Option<u32>) -> Paginator<User>;

                #[get("/teams/<team>/members")]
                #[paginate(cursor = "next", param = "after", max_pages = 50)]
                fn members(&self, team: &str, #[header("X-Tenant")] tenant: &str) -> restrait::Paginator<User>;

                /// Not an endpoint.
                fn base(&self) -> &'static str {
                    "v2"
                }
            }
        },
    );
    assert_snapshot("users", &actual);
}

/// Every identifier in `tokens`, groups included.
fn idents(tokens: TokenStream, out: &mut Vec<String>) {
    for tree in tokens {
        match tree {
            proc_macro2::TokenTree::Ident(ident) => out.push(ident.to_string()),
            proc_macro2::TokenTree::Group(group) => idents(group.stream(), out),
            _ => {}
        }
    }
}

#[test]
fn renamed_crate_is_the_only_runtime_path() {
    let output = expand::run(
        quote!(crate = "::my_rt"),
        quote! {
            #[headers("Accept: application/json")]
            pub trait Users {
                #[get("/users/<id>")]
                async fn get(&self, id: u64, #[query] q: Option<u32>, #[header("X-A")] a: Option<&str>) -> Result<Response<User>>;
                #[get("/next")]
                #[timeout(secs = 1)]
                async fn next(&self, #[url] next: &str, #[body] b: &[u8], data: Bytes) -> Result<String>;
                #[get("/users")]
                #[paginate(link)]
                fn all(&self) -> Paginator<User>;
                #[post("/files")]
                #[multipart]
                async fn attach(&self, #[part] a: &str, #[part("m", json)] m: Option<Meta>, #[part] b: Part) -> Result<()>;
                #[put("/blob")]
                async fn blob(&self, #[body] b: Body) -> Result<EventStream<String>>;
                #[get("/logs")]
                async fn logs(&self) -> Result<ByteStream>;
            }
        },
    );
    let mut names = Vec::new();
    idents(output, &mut names);
    assert!(names.iter().any(|n| n == "my_rt"));
    assert!(!names.iter().any(|n| n == "restrait"), "{names:?}");
}

#[test]
fn crate_argument_must_be_a_path() {
    let output = expand::run(
        quote!(crate = "my rt"),
        quote!(
            pub trait Users {}
        ),
    )
    .to_string();
    assert!(output.contains("is not a path"), "{output}");
}

/// The errors of `expand::run`, one string each.
fn errors_of(input: TokenStream) -> Vec<String> {
    let output = expand::run(TokenStream::new(), input);
    let mut out = Vec::new();
    collect_errors(output, &mut out);
    out
}

fn collect_errors(tokens: TokenStream, out: &mut Vec<String>) {
    let mut trees = tokens.into_iter().peekable();
    while let Some(tree) = trees.next() {
        match tree {
            proc_macro2::TokenTree::Ident(ident) if ident == "compile_error" => {
                // `compile_error! { "message" }`
                trees.next();
                if let Some(proc_macro2::TokenTree::Group(group)) = trees.next() {
                    out.push(group.stream().to_string());
                }
            }
            proc_macro2::TokenTree::Group(group) => collect_errors(group.stream(), out),
            _ => {}
        }
    }
}

fn assert_errors(input: TokenStream, expected: &[&str]) {
    let errors = errors_of(input);
    assert_eq!(errors.len(), expected.len(), "{errors:#?}");
    for (error, expected) in errors.iter().zip(expected) {
        assert!(error.contains(expected), "{error} lacks {expected:?}");
    }
}

#[test]
fn streaming_and_uploads_expand_to_their_steps() {
    let output = expand::run(
        TokenStream::new(),
        quote! {
            pub trait Api {
                #[get("/archive")]
                async fn archive(&self) -> Result<restrait::ByteStream>;
                #[get("/logs")]
                async fn logs(&self) -> Result<JsonLines<Line>>;
                #[post("/chat")]
                #[sse(done = "[DONE]")]
                async fn chat(&self, #[body] req: &Chat) -> Result<EventStream<Chunk>>;
                #[get("/feed")]
                async fn feed(&self) -> Result<restrait::EventStream<Tick>>;
                #[put("/files/<name>")]
                async fn put(&self, name: &str, #[body] file: restrait::Body) -> Result<()>;
                #[post("/upload")]
                #[multipart]
                async fn upload(
                    &self,
                    #[part] title: &str,
                    #[part("file")] data: Part,
                    #[part("note")] note: Option<String>,
                    #[part("meta", json)] meta: &Meta,
                ) -> Result<()>;
            }
        },
    )
    .to_string();
    for expected in [
        "send :: < :: restrait :: __private :: Streamed > (__req)",
        ":: restrait :: __private :: send_lines :: < Line > (__req)",
        ":: restrait :: __private :: send_events :: < Chunk > (__req , :: core :: option :: Option :: Some (\"[DONE]\"))",
        ":: restrait :: __private :: send_events :: < Tick > (__req , :: core :: option :: Option :: None)",
        ":: restrait :: __private :: body :: < restrait :: Body > (& mut __req , file) ;",
        "__req . multipart () ;",
        ":: restrait :: __private :: part :: < & str > (& mut __req , \"title\" , title) ;",
        ":: restrait :: __private :: part :: < Part > (& mut __req , \"file\" , data) ;",
        ":: restrait :: __private :: part :: < Option < String > > (& mut __req , \"note\" , note) ;",
        ":: restrait :: __private :: json_part :: < & Meta > (& mut __req , \"meta\" , & meta) ;",
    ] {
        assert!(output.contains(expected), "{expected}\nnot in\n{output}");
    }
    assert!(!output.contains("compile_error"), "{output}");
}

#[test]
fn streaming_and_upload_mistakes() {
    assert_errors(
        quote! { pub trait A {
            #[get("/x")] #[paginate(link)]
            fn all(&self) -> Result<JsonLines<Issue>>;
        }},
        &["a `#[paginate]` endpoint cannot return a `JsonLines`"],
    );
    assert_errors(
        quote! { pub trait A {
            #[post("/x")]
            async fn up(&self, #[part("a")] a: &str) -> Result<()>;
        }},
        &["`#[part]` needs `#[multipart]` on the method"],
    );
    assert_errors(
        quote! { pub trait A {
            #[post("/x")] #[multipart]
            async fn up(&self, #[part] a: &str, #[body] b: &Meta, #[form] c: &Meta) -> Result<()>;
        }},
        &[
            "cannot be a JSON `#[body]` too",
            "cannot be a `#[form]` too",
        ],
    );
    assert_errors(
        quote! { pub trait A {
            #[get("/x")] #[multipart]
            async fn up(&self, #[part] a: &str) -> Result<()>;
        }},
        &["a `#[get]` request has none"],
    );
    assert_errors(
        quote! { pub trait A {
            #[post("/x")] #[multipart]
            async fn up(&self) -> Result<()>;
        }},
        &["has no parts"],
    );
    assert_errors(
        quote! { pub trait A {
            #[get("/x")] #[sse(done = "[DONE]")]
            async fn s(&self) -> Result<String>;
        }},
        &["`#[sse]` applies to an endpoint that returns"],
    );
    assert_errors(
        quote! { pub trait A {
            #[get("/x")] #[sse(dne = "[DONE]")]
            async fn s(&self) -> Result<EventStream<String>>;
        }},
        &["unknown argument `dne` in `#[sse]`, did you mean `done`? (expected `done`)"],
    );
    assert_errors(
        quote! { pub trait A {
            #[get("/x")] #[sse(done = "")]
            async fn s(&self) -> Result<EventStream<String>>;
        }},
        &["`done` is empty"],
    );
    assert_errors(
        quote! { pub trait A {
            #[get("/x")]
            async fn s(&self) -> Result<Response<ByteStream>>;
        }},
        &["cannot return a `ByteStream` inside `Response<..>`"],
    );
    assert_errors(
        quote! { pub trait A {
            #[post("/x")] #[multipart]
            async fn s(&self, #[part("a", jsn)] a: &str, #[part("")] b: &str) -> Result<()>;
        }},
        &[
            "unknown argument `jsn` in `#[part]`, did you mean `json`?",
            "the `#[part]` name is empty",
        ],
    );
}

#[test]
fn openapi_checks_run_in_the_macro_and_track_the_spec() {
    let dir = crate::scratch::Scratch::new("tests");
    std::fs::write(
        dir.join("api.json"),
        r#"{"openapi": "3.1.0", "paths": {"/users/{userId}": {"get": {}}}}"#,
    )
    .expect("write the spec");
    let source = dir.join("lib.rs");
    let output = expand::run_in(
        quote!(openapi = "api.json"),
        quote! {
            pub trait Users {
                #[get("/users/<user_id>")]
                async fn get(&self, user_id: u64) -> Result<String>;
                #[delete("/users/<user_id>")]
                async fn delete(&self, user_id: u64) -> Result<()>;
                #[get("/user/<id>")]
                async fn typo(&self, id: u64) -> Result<String>;
            }
        },
        &crate::openapi::Invocation {
            source_file: Some(source),
        },
    );
    let mut errors = Vec::new();
    collect_errors(output.clone(), &mut errors);
    assert_eq!(errors.len(), 2, "{errors:#?}");
    assert!(
        errors[0].contains("no `DELETE /users/{userId}`"),
        "{}",
        errors[0]
    );
    assert!(
        errors[1].contains("did you mean \\\"/users/{userId}\\\""),
        "{}",
        errors[1]
    );
    let output = output.to_string();
    assert!(
        output.contains("include_bytes !") && output.contains("api.json"),
        "the spec is not tracked: {output}"
    );
    // The conforming `get` got a real body, the others a stub.
    assert!(output.contains("\"/users/<user_id>\""), "{output}");
}
