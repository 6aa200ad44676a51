//! The `Users` trait of DESIGN.md, exactly as written there.
#![deny(warnings)]

use restrait::{resource, Client, Result};
use serde::{Deserialize, Serialize};

#[derive(Debug, Deserialize)]
pub struct User { pub id: u64, pub email: String, pub name: String }

#[derive(Serialize)]
pub struct NewUser<'a> { pub email: &'a str, pub name: &'a str }

#[resource]
pub trait Users {
    #[get("/users/<id>")]
    async fn get(&self, id: u64) -> Result<User>;

    #[get("/users")]
    async fn list(&self, #[query] page: Option<u32>, #[query] per_page: Option<u32>)
        -> Result<Vec<User>>;

    #[post("/users")]
    #[idempotent]                       // retried safely: same Idempotency-Key on every attempt
    async fn create(&self, #[body] user: &NewUser<'_>) -> Result<User>;

    #[delete("/users/<id>")]
    async fn delete(&self, id: u64) -> Result<()>;
}

#[allow(dead_code)]
async fn use_it() -> Result<()> {
    let client = Client::builder("https://api.example.com/v1").build()?;
    let users = UsersClient::new(client.clone());   // generated: `{Trait}Client`
    let user = users.get(42).await?;
    let _ = (user.id, user.email, user.name);
    Ok(())
}

fn main() {}
