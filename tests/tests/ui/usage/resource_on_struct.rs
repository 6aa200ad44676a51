use restrait::resource;

#[resource]
pub struct Users;

fn main() {}
