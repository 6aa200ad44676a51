use restrait::resource;

#[resource]
pub trait Users {
    #[timeout(secs = 5)]
    fn describe(&self) -> &'static str {
        "users"
    }
}

fn main() {}
