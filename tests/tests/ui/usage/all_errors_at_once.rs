use restrait::{resource, Result};

#[resource]
pub trait Users {
    #[get("/users/<id>")]
    async fn get(&self) -> Result<()>;

    #[post("/users")]
    #[retry(mx = 3)]
    async fn create(&self, #[body] a: &str, #[body] b: &str) -> Result<()>;

    #[delete("/users/<id>")]
    fn delete(&self, id: u64) -> Result<()>;
}

// The client exists despite the errors, so uses of it add none.
pub fn use_it(client: restrait::Client) {
    let users = UsersClient::new(client);
    let _ = users.get();
}

fn main() {}
