//! What generated code calls. Not public API: it may change in any release.
//! The contract with the macro is written down in `macros/PRIVATE_API.md`.

mod bounds;
mod builder;
mod decode;

pub use bounds::{
    DeserializeResponse, DisplayParam, SerializeParam, assert_deserialize, assert_display,
    assert_serialize,
};
pub use builder::RequestBuilder;
pub use decode::{Decode, Json, Raw, Text, Unit, WithResponse};

pub use crate::Pagination;

pub use ::bytes::Bytes;
pub use ::core::future::Future;
pub use ::core::time::Duration;
pub use ::http::Method;

use std::fmt;

use crate::client::Client;
use crate::options::CallOptions;

/// What a generated `{Trait}Client` holds: the shared client and the options
/// its calls use.
#[derive(Clone)]
pub struct ResourceClient {
    pub(crate) client: Client,
    pub(crate) options: Option<CallOptions>,
    name: &'static str,
}

impl ResourceClient {
    /// A resource client for the trait named `resource`.
    pub fn new(client: Client, resource: &'static str) -> Self {
        ResourceClient {
            client,
            options: None,
            name: resource,
        }
    }

    /// A copy whose calls use `options`, laid over the current ones.
    pub fn with_options(&self, options: CallOptions) -> Self {
        let mut merged = self.options.clone().unwrap_or_default();
        merged.merge(&options);
        ResourceClient {
            client: self.client.clone(),
            options: Some(merged),
            name: self.name,
        }
    }

    /// The shared client.
    pub fn client(&self) -> &Client {
        &self.client
    }
}

impl fmt::Debug for ResourceClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct(self.name)
            .field("base_url", &self.client.base())
            .field("options", &self.options)
            .finish()
    }
}
