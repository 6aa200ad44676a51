//! The resource-level error declarations, `#[resource(error = T)]` and
//! `#[resource(ok_field = "..")]`, with the bound on `T` reported at the
//! user's type.

use serde::de::DeserializeOwned;

use super::ResourceClient;

/// The `T` of `#[resource(error = T)]`.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be the error type of a resource: it must implement `serde::de::DeserializeOwned` and be `Send + Sync + 'static`",
    label = "`#[resource(error = T)]` decodes error bodies into `T`",
    note = "add `#[derive(serde::Deserialize)]` to the type (without borrowed fields)"
)]
pub trait DeserializeError: DeserializeOwned + Send + Sync + 'static {}

impl<T: DeserializeOwned + Send + Sync + 'static> DeserializeError for T {}

/// `#[resource(error = T)]`: error bodies of this resource's calls are
/// decoded as `T` too, reached with `Error::api_error::<T>()`.
pub fn error_type<T: DeserializeError>(resource: ResourceClient) -> ResourceClient {
    resource.with_errors(|shape| shape.with_error::<T>())
}
