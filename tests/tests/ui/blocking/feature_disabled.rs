// `UsersBlockingClient` in a build without restrait's `blocking` feature.
// The tests crate always has the feature on (Cargo unifies features), so
// this calls the stub macro that `__private::blocking::client!` is without
// the feature, with what `#[resource]` hands it.
use restrait::Client;

restrait::__private::blocking::disabled! {
    pub struct UsersBlockingClient;
    // The generated client, dropped unread by the stub.
    pub struct UsersBlockingClient { __inner: () }
}

fn main() {
    let client = Client::builder("https://api.example.com").build().expect("client");
    let _users = UsersBlockingClient::new(client);
}
