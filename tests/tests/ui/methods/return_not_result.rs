use restrait::resource;

#[resource]
pub trait Users {
    #[get("/users/<id>")]
    async fn get(&self, id: u64) -> Option<String>;
}

fn main() {}
