use restrait::resource;

#[resource]
pub trait Users {
    #[delete("/users/<id>")]
    async fn delete(&self, id: u64);
}

fn main() {}
