//! `#[resource(openapi = "..")]`: hand-written traits that conform to their
//! specs compile, and their calls send what the spec describes. (What does
//! not conform is in `ui/openapi/`.)
//!
//! Paths are relative to this crate's `Cargo.toml`.

use restrait::{Response, Result, resource};
use restrait_tests::{Recorded, Reply, TestServer};
use serde::{Deserialize, Serialize};
use serde_json::json;

#[derive(Debug, Serialize, Deserialize)]
struct Pet {
    id: i64,
    name: String,
    tag: Option<String>,
}

/// The OpenAPI Initiative's Petstore, as vendored: its server URL ends in
/// `/v1`, and its paths leave that prefix out.
#[resource(prefix = "/v1", openapi = "../openapi/tests/specs/petstore.yaml")]
trait Petstore {
    #[get("/pets")]
    async fn list_pets(&self, #[query] limit: Option<i32>) -> Result<Response<Vec<Pet>>>;

    #[post("/pets")]
    async fn create_pets(&self, #[body] pet: &Pet) -> Result<()>;

    #[get("/pets/<pet_id>")]
    async fn show_pet_by_id(&self, pet_id: &str) -> Result<Pet>;
}

#[derive(Serialize)]
struct Search<'a> {
    species: &'a str,
    limit: Option<u32>,
}

/// The conformance fixture: a `#[query]` struct stands for the query
/// parameters it may hold, and a fixed header for a header parameter.
#[resource(openapi = "specs/pets.yaml")]
#[headers("X-Reason: tidying up")]
trait Pets {
    #[get("/pets")]
    async fn search(
        &self,
        #[query] search: &Search<'_>,
        #[header("x-request-id")] id: Option<&str>,
    ) -> Result<String>;

    #[patch("/pets/{pet_id}")]
    async fn rename(&self, pet_id: &str, #[form] name: &Form) -> Result<()>;

    #[delete("/pets/<pet_id>")]
    async fn delete(&self, pet_id: &str) -> Result<()>;

    /// A plain default method is not an endpoint, and not checked.
    fn describe(&self) -> &'static str {
        "pets"
    }
}

/// An OpenAPI 3.1 spec: `{todo-id}` is `<todo_id>`.
#[resource(openapi = "../openapi/tests/specs/todo31.yaml")]
trait Todos {
    #[get("/todos/<todo_id>")]
    async fn get(&self, todo_id: i64) -> Result<serde_json::Value>;

    #[put("/todos/<todo_id>/done")]
    async fn done(&self, todo_id: i64, #[form] form: &Form) -> Result<String>;
}

type Form = std::collections::BTreeMap<&'static str, &'static str>;

fn form(key: &'static str, value: &'static str) -> Form {
    Form::from([(key, value)])
}

fn client(server: &TestServer) -> restrait::Client {
    restrait_tests::helpers::client(server.url())
}

#[tokio::test]
async fn conforming_traits_send_what_their_specs_describe() {
    let server = TestServer::start(|r: Recorded| async move {
        match (r.method.as_str(), r.path()) {
            ("GET", "/v1/pets") => Reply::json(200, &json!([{"id": 1, "name": "Rex"}])),
            ("GET", "/v1/pets/1") => {
                Reply::json(200, &json!({"id": 1, "name": "Rex", "tag": "dog"}))
            }
            ("POST", "/v1/pets") => Reply::status(201),
            ("GET", "/pets") => Reply::text(200, "found"),
            ("GET", "/todos/4") => Reply::json(200, &json!({"id": 4})),
            ("PUT", "/todos/4/done") => Reply::text(200, "done"),
            _ => Reply::status(204),
        }
    })
    .await;

    let petstore = PetstoreClient::new(client(&server));
    let page = petstore.list_pets(Some(1)).await.expect("list");
    assert_eq!(page.body()[0].name, "Rex");
    assert_eq!(server.last().target, "/v1/pets?limit=1");
    let rex = petstore.show_pet_by_id("1").await.expect("show");
    assert_eq!(rex.tag.as_deref(), Some("dog"));
    petstore.create_pets(&rex).await.expect("create");
    assert_eq!(
        server.last().header("content-type"),
        Some("application/json")
    );

    let pets = PetsClient::new(client(&server));
    let search = Search {
        species: "cat",
        limit: Some(2),
    };
    assert_eq!(
        pets.search(&search, Some("r-1")).await.expect("search"),
        "found"
    );
    let sent = server.last();
    assert_eq!(sent.target, "/pets?species=cat&limit=2");
    assert_eq!(sent.header("x-request-id"), Some("r-1"));
    pets.rename("7", &form("name", "Tom"))
        .await
        .expect("rename");
    assert_eq!(server.last().request_line(), "PATCH /pets/7 HTTP/1.1");
    assert_eq!(server.last().text(), "name=Tom");
    pets.delete("7").await.expect("delete");
    assert_eq!(server.last().header("x-reason"), Some("tidying up"));
    assert_eq!(pets.describe(), "pets");

    let todos = TodosClient::new(client(&server));
    assert_eq!(todos.get(4).await.expect("get")["id"], 4);
    assert_eq!(
        todos.done(4, &form("done", "true")).await.expect("done"),
        "done"
    );
    assert_eq!(server.last().text(), "done=true");
}
