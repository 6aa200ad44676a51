use restrait::{get, Result};

pub trait Users {
    #[get("/users")]
    fn list(&self) -> Result<()>;
}

fn main() {}
