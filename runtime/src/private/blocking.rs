//! The blocking client's side of the contract with generated code
//! (`macros/PRIVATE_API.md`, "Blocking clients").
//!
//! `#[resource]` emits `{Trait}BlockingClient` inside
//! `::restrait::__private::blocking::client! { vis struct Name; items.. }`.
//! The macro is defined by restrait's own `blocking` feature, not by the
//! features of the crate that uses `#[resource]` (where a
//! `#[cfg(feature = "blocking")]` in generated code would look): with the
//! feature it expands the items; without it, [`disabled!`] makes a stub
//! whose constructor is a compile error that says to enable the feature.

#[cfg(feature = "blocking")]
pub use crate::blocking::private::{bytes, call, paginate, stream};

pub use crate::__restrait_blocking_client as client;
pub use crate::__restrait_blocking_disabled as disabled;

/// The stub `{Trait}BlockingClient` made without the `blocking` feature
/// requires this of its constructor's argument; nothing implements it.
///
/// Built without the feature (`cargo test -p restrait --doc`), this checks
/// that naming the blocking client is a compile error:
#[cfg_attr(
    not(feature = "blocking"),
    doc = r#"
```compile_fail,E0277
#[restrait::resource]
pub trait Users {
    #[get("/users/<id>")]
    async fn get(&self, id: u64) -> restrait::Result<String>;
}

let client = restrait::Client::builder("https://api.example.com").build().expect("client");
let users = UsersBlockingClient::new(client); // `UsersBlockingClient` needs the `blocking` feature
```
"#
)]
#[diagnostic::on_unimplemented(
    message = "`{Name}` needs the `blocking` feature of restrait",
    label = "`#[resource]` generates the blocking client's methods only when restrait's `blocking` feature is enabled",
    note = "enable it in Cargo.toml: `restrait = {{ version = \"0.1\", features = [\"blocking\"] }}`, or use the async client"
)]
pub trait FeatureEnabled<Name> {
    /// Never called: there is no implementation.
    fn disabled(self) -> Name;
}

/// With the `blocking` feature: the generated blocking client as it is.
#[cfg(feature = "blocking")]
#[doc(hidden)]
#[macro_export]
macro_rules! __restrait_blocking_client {
    ($vis:vis struct $name:ident; $($generated:tt)*) => {
        $($generated)*
    };
}

/// Without the `blocking` feature: a stub in place of the blocking client.
#[cfg(not(feature = "blocking"))]
#[doc(hidden)]
#[macro_export]
macro_rules! __restrait_blocking_client {
    ($($input:tt)*) => {
        $crate::__restrait_blocking_disabled! { $($input)* }
    };
}

/// The stub `{Trait}BlockingClient` of a build without the `blocking`
/// feature: a type whose constructor does not compile, with a message that
/// names the feature. The generated items are dropped unread.
#[doc(hidden)]
#[macro_export]
macro_rules! __restrait_blocking_disabled {
    ($vis:vis struct $name:ident; $($generated:tt)*) => {
        /// The blocking client of this trait: needs the `blocking` feature of restrait.
        #[allow(dead_code)]
        $vis struct $name {
            __disabled: (),
        }

        #[allow(dead_code)]
        impl $name {
            /// Does not compile: enable the `blocking` feature of restrait.
            $vis fn new<C>(client: C) -> Self
            where
                C: $crate::__private::blocking::FeatureEnabled<$name>,
            {
                $crate::__private::blocking::FeatureEnabled::<$name>::disabled(client)
            }
        }
    };
}
