//! The expansion names everything by absolute paths: it compiles without the
//! prelude, with nothing imported, and with local items shadowing the names it
//! could have used by mistake.
#![no_implicit_prelude]
#![deny(warnings)]
#![allow(missing_docs, dead_code)]

// Shadows for names the generated code must not rely on.
struct Option;
struct Some;
struct None;
struct Result;
struct Send;
struct Sync;
struct Clone;
struct Debug;
struct Future;
struct Duration;
struct Bytes;
struct Method;
struct String;
struct Vec;
struct Body;
struct Part;

#[::restrait::resource(prefix = "/v1", client = "HygieneApi")]
#[headers("Accept: application/json")]
pub trait Hygiene {
    /// Every parameter kind.
    #[get("/things/<id>")]
    #[timeout(ms = 1500)]
    #[retry(max = 2)]
    async fn get(
        &self,
        id: u64,
        #[query] page: ::core::option::Option<u32>,
        #[header("X-Trace")] trace: ::core::option::Option<&str>,
        #[header("X-Id")] request_id: &str,
    ) -> ::restrait::Result<::std::string::String>;

    #[post("/things")]
    #[idempotent]
    #[retry(never)]
    async fn create(&self, #[body] body: &[u32]) -> ::restrait::Result<()>;

    #[put("/files/<path..>")]
    async fn upload(
        &self,
        path: &str,
        data: ::restrait::bytes::Bytes,
    ) -> ::restrait::Result<::restrait::Response<::std::vec::Vec<u32>>>;

    #[post("/login")]
    async fn login(
        &self,
        #[form] form: &[(&str, &str)],
    ) -> ::restrait::Result<::restrait::bytes::Bytes>;

    #[delete("/things/{id}")]
    async fn delete(&self, id: u64) -> ::core::result::Result<(), ::restrait::Error>;

    #[post("/files")]
    #[multipart]
    async fn attach(
        &self,
        #[part] title: &str,
        #[part("file")] file: ::restrait::multipart::Part,
        #[part("meta", json)] meta: ::std::option::Option<&[u32]>,
    ) -> ::restrait::Result<()>;

    #[put("/blobs/<name>")]
    async fn put_blob(&self, name: &str, #[body] blob: ::restrait::Body) -> ::restrait::Result<()>;

    #[get("/things")]
    #[paginate(
        page = "page",
        per_page = "per_page",
        total = "total",
        items = "data",
        max_pages = 10
    )]
    fn all(
        &self,
        #[query] per_page: ::core::option::Option<u32>,
        #[header("X-Trace")] trace: &str,
    ) -> ::restrait::Paginator<u32>;
}

/// The runtime under another path: `crate = ".."` is the only way the
/// expansion names it.
mod rt {
    pub(crate) use ::restrait::*;
}

#[crate::rt::resource(crate = "crate::rt", client = "RenamedApi")]
#[headers("Accept: application/json")]
pub trait Renamed {
    #[get("/things/<id>")]
    async fn get(
        &self,
        id: u64,
        #[header("X-Trace")] trace: ::core::option::Option<&str>,
    ) -> crate::rt::Result<::std::string::String>;

    #[get("/next")]
    async fn next(&self, #[url] next: &str) -> crate::rt::Result<()>;
}

#[derive(::serde::Deserialize, ::serde::Serialize)]
pub struct Thing {
    pub id: u64,
}

pub fn never_fails(
    _: &::restrait::Response<::restrait::bytes::Bytes>,
) -> ::core::option::Option<::std::string::String> {
    ::core::option::Option::None
}

/// Issue 20's declarations, under the renamed runtime.
#[crate::rt::resource(
    crate = "crate::rt",
    client = "ShapesApi",
    error = crate::Thing,
    ok_field = "ok",
    check = crate::never_fails,
    codec = xml
)]
pub trait Shapes {
    #[post("/things")]
    #[returns(msgpack)]
    async fn create(&self, #[body(msgpack, gzip)] thing: &Thing) -> crate::rt::Result<Thing>;

    #[get("/things/<id>")]
    async fn get(&self, id: u64) -> crate::rt::Result<crate::rt::Response<Thing>>;

    #[put("/things/<id>")]
    async fn put(&self, id: u64, #[body] thing: &Thing) -> crate::rt::Result<()>;
}

#[::core::prelude::v1::test]
fn expands_without_the_prelude() {
    let client = ::restrait::Client::builder("http://127.0.0.1:1")
        .build()
        .expect("client");
    let api = HygieneApi::new(client);
    let _copy = ::core::clone::Clone::clone(&api);
    let _future = Hygiene::get(
        &api,
        1,
        ::core::option::Option::None,
        ::core::option::Option::None,
        "r",
    );
    let _stream = Hygiene::all(&api, ::core::option::Option::Some(10), "t");
    let renamed = RenamedApi::new(::core::clone::Clone::clone(api.client()));
    let _get = Renamed::get(&renamed, 1, ::core::option::Option::None);
    let _next = Renamed::next(&renamed, "http://127.0.0.1:1/next");
    let shapes = ShapesApi::new(::core::clone::Clone::clone(api.client()));
    let _get = Shapes::get(&shapes, 1);
    let _put = Shapes::put(&shapes, 1, &Thing { id: 1 });
}
