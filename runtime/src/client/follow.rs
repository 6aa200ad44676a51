//! Following a URL the API handed back in a payload (`comments_url`,
//! `next_page_url`, Stripe's `url` of a list): [`Client::get_url`].

use serde::de::DeserializeOwned;
use url::Url;

use super::Client;
use crate::error::{Error, Result};
use crate::request::Request;
use crate::response::decode::{Decode, Json};

impl Client {
    /// `GET`s a URL taken from a payload and decodes its JSON body as `T`,
    /// through the whole pipeline (default headers, middleware, retry, auth,
    /// typed errors). `url` is absolute (`https://api.github.com/repos/o/r/issues/1/comments`),
    /// or relative to the base URL (`/v1/customers/cus_1/sources`, as
    /// Stripe's lists give it).
    ///
    /// The URL may point outside the base path or to another origin;
    /// credentials go only to the client's own origin: a URL elsewhere gets
    /// no `Authorization` or API key from the client's auth, and no
    /// credential default header. A method declared with a `#[url]`
    /// parameter does the same inside a `#[resource]` trait; for another
    /// verb, build a [`Request`] and call [`execute`](Self::execute).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> restrait::Result<()> {
    /// use restrait::testing::{MockResponse, MockTransport};
    /// use restrait::{http::Method, Client};
    ///
    /// let mock = MockTransport::new().route(
    ///     Method::GET,
    ///     "/repos/o/r/issues/1/comments",
    ///     MockResponse::json(200, &serde_json::json!([{"id": 1}])),
    /// );
    /// let client = Client::builder("https://api.test/v3").transport(mock).build()?;
    /// let comments: Vec<serde_json::Value> =
    ///     client.get_url("https://api.test/repos/o/r/issues/1/comments").await?;
    /// assert_eq!(comments.len(), 1);
    /// # Ok(()) }
    /// ```
    pub async fn get_url<T: DeserializeOwned>(&self, url: impl AsRef<str>) -> Result<T> {
        let url = self.resolve(url.as_ref())?;
        let mut request = Request::new(http::Method::GET, url);
        request.headers_mut().insert(
            http::header::ACCEPT,
            http::HeaderValue::from_static("application/json"),
        );
        let response = self.execute(request).await?.error_for_status()?;
        Json::<T>::decode(response)
    }

    /// `url`, absolute or relative to the base URL, if it is http(s).
    fn resolve(&self, url: &str) -> Result<Url> {
        let resolved = self
            .base_url()
            .join(url)
            .map_err(|e| Error::invalid_request(format!("cannot follow the URL {url:?}: {e}")))?;
        if !matches!(resolved.scheme(), "http" | "https") {
            return Err(Error::invalid_request(format!(
                "cannot follow the URL {:?}: the scheme `{}` is not http or https",
                crate::redact::redacted_url(&resolved),
                resolved.scheme()
            )));
        }
        Ok(resolved)
    }
}
