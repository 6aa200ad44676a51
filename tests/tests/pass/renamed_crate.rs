//! `#[resource(crate = "..")]`: the runtime under another name. The
//! generated code names it only by that path.
extern crate restrait as my_restrait;

use my_restrait::{Result, resource};

#[resource(crate = "::my_restrait", prefix = "/v1")]
#[headers("Accept: application/json")]
pub trait Users {
    #[get("/users/<id>")]
    async fn get(&self, id: u64, #[query] fields: Option<&str>) -> Result<String>;

    #[get("/users")]
    #[paginate(link)]
    fn all(&self) -> my_restrait::Paginator<u64>;
}

mod nested {
    pub mod rt {
        pub use ::restrait::*;
    }
}

#[nested::rt::resource(crate = "crate::nested::rt")]
pub trait Nested {
    #[get("/x")]
    async fn x(&self, #[url] next: &str) -> nested::rt::Result<()>;
}

fn main() {
    let client = my_restrait::Client::builder("http://127.0.0.1:1")
        .build()
        .expect("client");
    let users = UsersClient::new(client.clone());
    let _future = users.get(1, None);
    let _stream = users.all();
    let nested = NestedClient::new(client);
    let _next = nested.x("http://127.0.0.1:1/x");
}
