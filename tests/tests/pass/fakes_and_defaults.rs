//! A default method, a hand-written fake, and calls spawned from generic code.
#![deny(warnings)]

use restrait::{resource, Result};
use serde::Deserialize;
use std::sync::Mutex;

#[derive(Debug, Clone, Deserialize)]
pub struct User {
    pub id: u64,
}

#[resource]
pub trait Users {
    #[get("/users/<id>")]
    async fn get(&self, id: u64) -> Result<User>;

    #[delete("/users/<id>")]
    async fn delete(&self, id: u64) -> Result<()>;

    /// Not an endpoint: a default method, kept as written.
    fn describe(&self) -> &'static str {
        "users"
    }

    /// A default method that calls endpoints.
    fn get_two(&self, a: u64, b: u64) -> impl Future<Output = Result<(User, User)>> + Send {
        async move { Ok((self.get(a).await?, self.get(b).await?)) }
    }
}

/// A fake for tests, written with `async fn`.
#[derive(Default)]
struct Fake {
    deleted: Mutex<Vec<u64>>,
}

impl Users for Fake {
    async fn get(&self, id: u64) -> Result<User> {
        Ok(User { id })
    }

    async fn delete(&self, id: u64) -> Result<()> {
        self.deleted.lock().expect("lock").push(id);
        Ok(())
    }
}

fn spawn_it<T: Users + Clone + 'static>(t: T) -> tokio::task::JoinHandle<Result<User>> {
    tokio::spawn(async move { t.get(1).await })
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let fake = std::sync::Arc::new(Fake::default());
    #[derive(Clone)]
    struct Shared(std::sync::Arc<Fake>);
    impl Users for Shared {
        async fn get(&self, id: u64) -> Result<User> {
            self.0.get(id).await
        }
        async fn delete(&self, id: u64) -> Result<()> {
            self.0.delete(id).await
        }
    }
    let user = spawn_it(Shared(fake.clone())).await.expect("join").expect("get");
    assert_eq!(user.id, 1);
    assert_eq!(fake.describe(), "users");
    let (a, b) = fake.get_two(2, 3).await.expect("two");
    assert_eq!((a.id, b.id), (2, 3));
    fake.delete(7).await.expect("delete");
    assert_eq!(*fake.deleted.lock().expect("lock"), vec![7]);

    let client = restrait::Client::builder("http://127.0.0.1:1").build().expect("client");
    let _handle = spawn_it(UsersClient::new(client));
}
