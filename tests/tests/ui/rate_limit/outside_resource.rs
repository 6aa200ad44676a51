use restrait::rate_limit;

#[rate_limit("search")]
fn search() {}

fn main() {}
