//! The checked-in generated clients compile as modules of this test target
//! with every warning denied, and their calls run against a loopback HTTP
//! server: the generator's output is real restrait code.

#![deny(warnings)]

// `include!`, not `#[path]`: rustfmt must not reformat the snapshots.
/// The Petstore client, as generated.
pub mod petstore {
    include!("snapshots/petstore.rs");
}

/// The client of the small 3.1 spec, as generated.
pub mod todo31 {
    include!("snapshots/todo31.rs");
}

use futures::TryStreamExt;
use restrait::Client;
use restrait_tests::{Recorded, Reply, TestServer};
use serde_json::json;

fn client(server: &TestServer) -> Client {
    restrait_tests::client_builder(server.url())
        .build()
        .expect("client")
}

#[tokio::test]
async fn petstore_calls_reach_the_server_and_decode() {
    use petstore::{Pet, PetsApi, PetsApiClient};

    let server = TestServer::start(|r: Recorded| async move {
        match (r.method.as_str(), r.path()) {
            ("GET", "/pets") => Reply::json(
                200,
                &json!([{"id": 1, "name": "Rex", "tag": "dog"}, {"id": 2, "name": "Tom"}]),
            )
            .header("x-next", "/pets?after=2"),
            ("POST", "/pets") => Reply::status(201),
            ("GET", "/pets/7") => Reply::json(200, &json!({"id": 7, "name": "Kit"})),
            _ => Reply::json(404, &json!({"code": 404, "message": "no such pet"})),
        }
    })
    .await;
    let pets = PetsApiClient::new(client(&server));

    let page = pets.list_pets(Some(2)).await.expect("list");
    assert_eq!(
        page.headers().get("x-next").and_then(|v| v.to_str().ok()),
        Some("/pets?after=2")
    );
    let list: &petstore::Pets = page.body();
    assert_eq!(list.len(), 2);
    assert_eq!(list[0].tag.as_deref(), Some("dog"));
    assert_eq!(list[1].tag, None);
    assert_eq!(server.last().target, "/pets?limit=2");

    let new = Pet {
        id: 3,
        name: "Bo".into(),
        tag: None,
    };
    pets.create_pets(&new).await.expect("create");
    let sent = server.last();
    assert_eq!(sent.header("content-type"), Some("application/json"));
    assert_eq!(
        serde_json::from_slice::<serde_json::Value>(&sent.body).expect("JSON body"),
        json!({"id": 3, "name": "Bo"})
    );

    assert_eq!(pets.show_pet_by_id("7").await.expect("show").name, "Kit");

    // The `default` response's model decodes the error body.
    let err = pets.show_pet_by_id("a/b").await.expect_err("404");
    assert_eq!(server.last().path(), "/pets/a%2Fb");
    let body: petstore::Error = err.api().and_then(|e| e.json()).expect("an Error body");
    assert_eq!((body.code, body.message.as_str()), (404, "no such pet"));
}

#[tokio::test]
async fn openapi_31_client_pages_forms_headers_and_unknown_enum_values() {
    use todo31::{
        DefaultApi, DefaultApiClient, HealthResponseStatus, MarkDoneRequest, NewTodo, State, Todo,
        TodosApi, TodosApiClient,
    };

    let server = TestServer::start(|r: Recorded| async move {
        let todo = |id: i64, state: &str| json!({"id": id, "title": format!("t{id}"), "state": state, "+1": 2});
        match (r.method.as_str(), r.path()) {
            ("GET", "/todos") if r.query().is_some_and(|q| q.split('&').any(|p| p == "page=2")) => Reply::json(200, &json!([todo(3, "archived")])),
            ("GET", "/todos") => Reply::json(200, &json!([todo(1, "open"), todo(2, "done")]))
                .header("link", "</todos?page=2>; rel=\"next\""),
            ("POST", "/todos") => Reply::json(201, &todo(4, "open")).header("location", "/todos/4"),
            ("GET", "/todos/4") => Reply::json(200, &json!({"id": 4, "title": "t4", "state": "Other", "parent": todo(1, "open")})),
            ("DELETE", "/todos/4") => Reply::status(204),
            ("PUT", "/todos/4/done") => Reply::text(200, "done"),
            ("GET", "/health") => Reply::json(200, &json!({"status": "degraded"})),
            _ => Reply::status(404),
        }
    })
    .await;
    let todos = TodosApiClient::new(client(&server));

    let all: Vec<Todo> = todos
        .list_todos(Some(2), Some(State::Open), Some("req-1"))
        .try_collect()
        .await
        .expect("pages");
    assert_eq!(all.iter().map(|t| t.id).collect::<Vec<_>>(), [1, 2, 3]);
    assert_eq!(all[1].state, State::Done);
    // A value the spec does not list decodes, and is sent back as it came.
    assert_eq!(all[2].state, State::Other("archived".into()));
    assert_eq!(
        serde_json::to_value(&all[2].state).expect("encode"),
        json!("archived")
    );
    assert_eq!(all[0].plus_1, Some(2));
    let first = &server.requests()[0];
    assert_eq!(first.target, "/todos?per-page=2&state=open");
    assert_eq!(first.header("x-request-id"), Some("req-1"));

    let new = NewTodo {
        title: "t4".into(),
        r#type: Some("chore".into()),
        self_: None,
    };
    let created = todos.create_todo(&new).await.expect("create");
    assert_eq!(
        created
            .headers()
            .get("location")
            .and_then(|v| v.to_str().ok()),
        Some("/todos/4")
    );
    assert_eq!(
        serde_json::from_slice::<serde_json::Value>(&server.last().body).expect("JSON"),
        json!({"title": "t4", "type": "chore"})
    );

    let got = todos.get_todo(created.body().id).await.expect("get");
    assert_eq!(
        got.state,
        State::Other3,
        "the wire value `Other` keeps its own variant"
    );
    assert_eq!(got.parent.map(|p| p.id), Some(1));

    let done = todos
        .mark_done(
            4,
            &MarkDoneRequest {
                done: true,
                note: Some("ok!".into()),
            },
        )
        .await
        .expect("done");
    assert_eq!(done, "done");
    let form = server.last();
    assert_eq!(
        form.header("content-type"),
        Some("application/x-www-form-urlencoded")
    );
    assert_eq!(form.text(), "done=true&note=ok%21");

    todos.delete_todo(4).await.expect("delete");
    assert_eq!(server.last().request_line(), "DELETE /todos/4 HTTP/1.1");

    let health = DefaultApiClient::new(client(&server))
        .health()
        .await
        .expect("health");
    assert_eq!(
        health.status,
        Some(HealthResponseStatus::Other("degraded".into()))
    );
    assert_eq!(HealthResponseStatus::Ok.to_string(), "ok");
    assert_eq!(State::Other2.as_str(), "other");
}
