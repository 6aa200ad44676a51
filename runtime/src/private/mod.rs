//! What generated code calls. Not public API: it may change in any release.
//! The contract with the macro is written down in `macros/PRIVATE_API.md`.

pub mod blocking;
mod bounds;
mod builder;
mod codec_bounds;
mod compress;
mod error_bounds;
mod parts;
mod upload_bounds;

pub use crate::response::decode::{
    Decode, Events, Json, Lines, Raw, Streamed, Text, Unit, WithResponse,
};
pub use bounds::{
    DeserializeResponse, DisplayParam, SerializeParam, assert_deserialize, form, header, json,
    optional_header, paginate, part, query, segment, send_json, tail, url,
};
pub use builder::RequestBuilder;
pub use codec_bounds::{CodecDecoded, JsonCodec, MsgPackCodec, XmlCodec, encode, send_decoded};
pub use error_bounds::{DeserializeError, error_type};
pub use parts::PartValue;
pub use upload_bounds::{
    IntoBody, SerializePart, body, json_part, optional_json_part, send_events, send_lines,
};

pub use crate::Pagination;

pub use ::bytes::Bytes;
pub use ::core::future::Future;
pub use ::core::time::Duration;
pub use ::http::Method;
pub use ::http::header::{HeaderName, HeaderValue};

use std::fmt;

use crate::client::Client;
use crate::client::options::CallOptions;
use crate::response::error_body::ErrorShape;

/// What a generated `{Trait}Client` holds: the shared client and the options
/// its calls use.
#[derive(Clone)]
pub struct ResourceClient {
    pub(crate) client: Client,
    pub(crate) options: Option<CallOptions>,
    /// The trait's `#[headers(..)]`, sent with every request.
    pub(crate) headers: &'static [(HeaderName, HeaderValue)],
    name: &'static str,
    /// `#[resource(error = T, ok_field = "..")]`.
    pub(crate) errors: Option<ErrorShape>,
}

impl ResourceClient {
    /// A resource client for the trait named `resource`.
    pub fn new(client: Client, resource: &'static str) -> Self {
        ResourceClient {
            client,
            options: None,
            headers: &[],
            name: resource,
            errors: None,
        }
    }

    /// `#[resource(ok_field = "ok")]`: a 2xx body whose `ok` is `false` is
    /// an `Error::Rejected`, not a decoded value.
    #[must_use]
    pub fn with_ok_field(self, field: &'static str) -> Self {
        self.with_errors(|shape| shape.with_ok_field(field))
    }

    /// `#[resource(check = path)]`: a 2xx answer for which `check` returns
    /// a message is an `Error::Rejected` with it.
    #[must_use]
    pub fn with_check(
        self,
        check: fn(&crate::Response<crate::bytes::Bytes>) -> Option<String>,
    ) -> Self {
        self.with_errors(|shape| shape.with_check(check))
    }

    pub(crate) fn with_errors(mut self, f: impl FnOnce(ErrorShape) -> ErrorShape) -> Self {
        self.errors = Some(f(self.errors.unwrap_or_default()));
        self
    }

    /// Headers sent with every request of this resource (a trait's
    /// `#[headers(..)]`), built once by the generated code.
    #[must_use]
    pub fn with_headers(mut self, headers: &'static [(HeaderName, HeaderValue)]) -> Self {
        self.headers = headers;
        self
    }

    /// Starts a request; `template` is the full path template, prefix included.
    pub fn request(&self, method: Method, template: &'static str) -> RequestBuilder<'_> {
        RequestBuilder::new(self, method, template)
    }

    /// Starts a `GET` request.
    pub fn get(&self, template: &'static str) -> RequestBuilder<'_> {
        self.request(Method::GET, template)
    }

    /// Starts a `POST` request.
    pub fn post(&self, template: &'static str) -> RequestBuilder<'_> {
        self.request(Method::POST, template)
    }

    /// Starts a `PUT` request.
    pub fn put(&self, template: &'static str) -> RequestBuilder<'_> {
        self.request(Method::PUT, template)
    }

    /// Starts a `PATCH` request.
    pub fn patch(&self, template: &'static str) -> RequestBuilder<'_> {
        self.request(Method::PATCH, template)
    }

    /// Starts a `DELETE` request.
    pub fn delete(&self, template: &'static str) -> RequestBuilder<'_> {
        self.request(Method::DELETE, template)
    }

    /// Starts a `HEAD` request.
    pub fn head(&self, template: &'static str) -> RequestBuilder<'_> {
        self.request(Method::HEAD, template)
    }

    /// Starts an `OPTIONS` request.
    pub fn options(&self, template: &'static str) -> RequestBuilder<'_> {
        self.request(Method::OPTIONS, template)
    }

    /// A copy whose calls use `options`, laid over the current ones.
    pub fn with_options(&self, options: CallOptions) -> Self {
        let mut merged = self.options.clone().unwrap_or_default();
        merged.merge(&options);
        ResourceClient {
            client: self.client.clone(),
            options: Some(merged),
            headers: self.headers,
            name: self.name,
            errors: self.errors,
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
