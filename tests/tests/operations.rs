//! Operation identity (issue 20, item 5) and per-call extensions (item 6):
//! what a user middleware can read about each call. The tracing span's
//! `code.function.name` is checked in `tracing.rs`.

mod support;

use std::sync::{Arc, Mutex};

use restrait::http::HeaderValue;
use restrait::{
    BoxFuture, CallOptions, Middleware, Next, Operation, Request, Response, Result, resource,
};
use restrait_tests::client_builder;
use serde_json::json;
use support::{Reply, TestServer};

/// Two endpoints, one of them named by a raw identifier.
#[resource]
pub trait Users {
    /// One user.
    #[get("/users/<id>")]
    async fn get(&self, id: u64) -> Result<serde_json::Value>;

    /// Deletes one.
    #[delete("/users/<id>")]
    async fn r#delete(&self, id: u64) -> Result<()>;
}

#[derive(Clone, Debug, PartialEq)]
struct Tenant(&'static str);

#[derive(Clone, Debug, PartialEq)]
struct Priority(u8);

/// What the middleware saw on one request.
#[derive(Debug, PartialEq)]
struct Seen {
    operation: Option<Operation>,
    template: String,
    tenant: Option<Tenant>,
    priority: Option<Priority>,
}

/// Records what each request carries, and sends the tenant as a header (as
/// a multi-tenant gateway's middleware would).
#[derive(Clone, Default)]
struct Recorder(Arc<Mutex<Vec<Seen>>>);

impl Middleware for Recorder {
    fn handle<'a>(&'a self, mut req: Request, next: Next<'a>) -> BoxFuture<'a, Result<Response>> {
        let seen = Seen {
            operation: req.operation().copied(),
            template: req.template().to_owned(),
            tenant: req.extensions().get::<Tenant>().cloned(),
            priority: req.extensions().get::<Priority>().cloned(),
        };
        if let Some(Tenant(tenant)) = &seen.tenant {
            req.headers_mut()
                .insert("x-tenant", HeaderValue::from_static(tenant));
        }
        self.0.lock().expect("lock").push(seen);
        next.run(req)
    }
}

impl Recorder {
    fn take(&self) -> Vec<Seen> {
        std::mem::take(&mut *self.0.lock().expect("lock"))
    }
}

async fn setup() -> (TestServer, UsersClient, Recorder) {
    let server = TestServer::start(|_| async { Reply::json(200, &json!({"id": 1})) }).await;
    let recorder = Recorder::default();
    let client = client_builder(server.url())
        .middleware(recorder.clone())
        .build()
        .expect("client");
    (server, UsersClient::new(client), recorder)
}

#[tokio::test]
async fn every_generated_request_names_its_trait_method_and_template() {
    let (_server, users, recorder) = setup().await;
    users.get(42).await.expect("get");
    users.r#delete(7).await.expect("delete");
    let seen = recorder.take();
    assert_eq!(seen.len(), 2);
    assert_eq!(seen[0].operation, Some(Operation::new("Users", "get")));
    assert_eq!(seen[0].template, "/users/<id>");
    // A raw identifier is named as the method is called, without `r#`.
    assert_eq!(seen[1].operation, Some(Operation::new("Users", "delete")));
    assert_eq!(
        seen[1].operation.map(|o| o.to_string()).as_deref(),
        Some("Users::delete")
    );
    assert_eq!(
        seen[0].tenant, None,
        "no extension unless the caller sets one"
    );
}

#[tokio::test]
async fn call_options_extensions_reach_middleware_on_every_call() {
    let (server, users, recorder) = setup().await;
    let acme = users.with_options(
        CallOptions::new()
            .extension(Tenant("acme"))
            .extension(Priority(1)),
    );
    acme.get(1).await.expect("get");
    // Laid over: the later tenant wins, the priority stays.
    let globex = acme.with_options(CallOptions::new().extension(Tenant("globex")));
    globex.get(2).await.expect("get");
    // The first copy keeps its own values.
    acme.r#delete(3).await.expect("delete");

    let seen = recorder.take();
    let tenants: Vec<_> = seen.iter().map(|s| s.tenant.clone()).collect();
    assert_eq!(
        tenants,
        [
            Some(Tenant("acme")),
            Some(Tenant("globex")),
            Some(Tenant("acme"))
        ]
    );
    assert!(
        seen.iter().all(|s| s.priority == Some(Priority(1))),
        "{seen:?}"
    );
    let sent: Vec<_> = server
        .requests()
        .iter()
        .map(|r| r.header("x-tenant").map(str::to_owned))
        .collect();
    assert_eq!(
        sent,
        [
            Some("acme".to_owned()),
            Some("globex".to_owned()),
            Some("acme".to_owned())
        ]
    );
}

#[tokio::test]
async fn extensions_and_operation_survive_retries() {
    let server = TestServer::start({
        let n = Arc::new(Mutex::new(0));
        move |_| {
            let n = n.clone();
            async move {
                let mut n = n.lock().expect("lock");
                *n += 1;
                if *n == 1 {
                    Reply::status(503)
                } else {
                    Reply::json(200, &json!({}))
                }
            }
        }
    })
    .await;
    let recorder = Recorder::default();
    let client = client_builder(server.url())
        .retry(restrait::RetryPolicy::default().base_delay(std::time::Duration::from_millis(1)))
        .middleware(recorder.clone())
        .build()
        .expect("client");
    let users = UsersClient::new(client).with_options(CallOptions::new().extension(Tenant("t")));
    users.get(5).await.expect("retried");
    let seen = recorder.take();
    assert_eq!(seen.len(), 2, "user middleware runs on each attempt");
    for s in &seen {
        assert_eq!(s.operation, Some(Operation::new("Users", "get")));
        assert_eq!(s.tenant, Some(Tenant("t")));
    }
}
