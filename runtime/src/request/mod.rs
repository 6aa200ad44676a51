//! A request as it travels through the middleware chain to the transport,
//! and its [`body`].

pub mod body;
mod operation;
mod target;

pub use operation::Operation;
pub(crate) use target::Target;
#[cfg(all(test, feature = "hyper-transport"))]
pub(crate) use target::sends_as_is;

use std::borrow::Cow;
use std::fmt;

use http::{Extensions, HeaderMap, Method};
use tokio::time::Instant;
use url::Url;

use crate::client::options::CallOptions;
use crate::error::CallInfo;
use crate::redact::{RedactedHeaders, SecretQuery, redacted_url_with};
use body::Body;

/// One HTTP request: method, URL, headers and a [`Body`], plus what
/// middleware needs to know about the call.
///
/// A request moves down the middleware chain; it is not `Clone`, because
/// its body may be a one-shot stream. [`try_clone`](Request::try_clone)
/// copies one whose body can be sent again, as retry does when it really
/// re-sends.
pub struct Request {
    /// Boxed: a request moves down every layer of the chain, and each
    /// move, like each layer's future that holds one, costs its size.
    pub(crate) parts: Box<Parts>,
}

/// What a [`Request`] holds.
pub(crate) struct Parts {
    pub(crate) method: Method,
    /// The URL, parsed when something asks for it (see [`target`]).
    pub(crate) url: Target,
    pub(crate) headers: HeaderMap,
    pub(crate) body: Body,
    pub(crate) template: Cow<'static, str>,
    pub(crate) idempotent: bool,
    /// `None` for a call without options (most calls): boxed, so that the
    /// request, which every layer's future holds, stays small.
    pub(crate) options: Option<Box<CallOptions>>,
    /// The call's time limit, once the client has set its deadline: what a
    /// timeout of the call is reported as.
    pub(crate) call_limit: Option<std::time::Duration>,
    pub(crate) attempt: u32,
    pub(crate) deadline: Option<Instant>,
    pub(crate) extensions: Extensions,
    /// The generated method's [`Operation`]: a field, not an extension,
    /// so that carrying it (and copying it with the request) allocates
    /// nothing.
    pub(crate) operation: Option<Operation>,
    /// `#[resource(error = .., ok_field = .., check = ..)]`, for the pages
    /// of a `#[paginate]` method after the first: a field, like
    /// `operation`, so that it costs no allocation per call.
    pub(crate) errors: Option<crate::response::error_body::ErrorShape>,
    /// The response is wanted as a stream (set by the decode kind, or
    /// [`Client::execute_stream`](crate::Client::execute_stream)): the
    /// attempt hands its body on live instead of reading it.
    pub(crate) stream: bool,
}

impl Request {
    /// A request with no headers and no body. Its path template is the URL's
    /// path.
    ///
    /// ```
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// use restrait::{http::Method, Request};
    /// let req = Request::new(Method::GET, "https://api.example.com/v1/users".parse()?);
    /// assert_eq!(req.template(), "/v1/users");
    /// # Ok(()) }
    /// ```
    pub fn new(method: Method, url: Url) -> Self {
        let template = Cow::Owned(url.path().to_owned());
        Request::new_with(method, Target::Parsed(url), template)
    }

    pub(crate) fn new_templated(method: Method, url: Target, template: &'static str) -> Self {
        Request::new_with(method, url, Cow::Borrowed(template))
    }

    fn new_with(method: Method, url: Target, template: Cow<'static, str>) -> Self {
        Request::from_parts(Parts {
            method,
            url,
            headers: HeaderMap::new(),
            body: Body::empty(),
            template,
            idempotent: false,
            options: None,
            call_limit: None,
            attempt: 0,
            deadline: None,
            extensions: Extensions::new(),
            operation: None,
            errors: None,
            stream: false,
        })
    }

    fn from_parts(parts: Parts) -> Self {
        Request {
            parts: Box::new(parts),
        }
    }

    /// The HTTP method.
    pub fn method(&self) -> &Method {
        &self.parts.method
    }
    /// The full URL, query included.
    pub fn url(&self) -> &Url {
        self.parts.url.url()
    }
    /// The URL, to change.
    pub fn url_mut(&mut self) -> &mut Url {
        self.parts.url.url_mut()
    }
    /// The headers.
    pub fn headers(&self) -> &HeaderMap {
        &self.parts.headers
    }
    /// The headers, to change.
    pub fn headers_mut(&mut self) -> &mut HeaderMap {
        &mut self.parts.headers
    }
    /// The body ([`Body::empty`] when there is none).
    pub fn body(&self) -> &Body {
        &self.parts.body
    }
    /// The body, to change.
    pub fn body_mut(&mut self) -> &mut Body {
        &mut self.parts.body
    }
    /// Replaces the body: bytes, text, a [`Body::file`], a
    /// [`Body::stream`] or a [`multipart::Form`](crate::multipart::Form).
    ///
    /// A body that names its own `Content-Type` (a form, with its boundary)
    /// sets that header unless the request has one.
    pub fn set_body(&mut self, body: impl Into<Body>) {
        let body = body.into();
        if let Some(content_type) = body.content_type()
            && !self.parts.headers.contains_key(http::header::CONTENT_TYPE)
        {
            self.parts
                .headers
                .insert(http::header::CONTENT_TYPE, content_type);
        }
        self.parts.body = body;
    }
    /// Takes the body, leaving an empty one.
    pub fn take_body(&mut self) -> Body {
        std::mem::take(&mut self.parts.body)
    }

    /// A copy of the request, or `None` when its body cannot be sent again
    /// (a one-shot [`Body::stream`], or a form with one).
    ///
    /// ```
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// use restrait::{http::Method, Body, Request};
    /// let mut req = Request::new(Method::PUT, "https://api.example.com/blob".parse()?);
    /// req.set_body("bytes can be sent again");
    /// assert!(req.try_clone().is_some());
    /// req.set_body(Body::stream(futures::stream::empty::<std::io::Result<restrait::bytes::Bytes>>()));
    /// assert!(req.try_clone().is_none());
    /// # Ok(()) }
    /// ```
    pub fn try_clone(&self) -> Option<Request> {
        let body = self.parts.body.try_clone()?;
        let mut copy = self.head_clone();
        copy.parts.body = body;
        Some(copy)
    }

    /// A copy of everything but the body, which is empty.
    pub(crate) fn head_clone(&self) -> Request {
        let p = &*self.parts;
        Request::from_parts(Parts {
            method: p.method.clone(),
            url: p.url.clone(),
            headers: p.headers.clone(),
            body: Body::empty(),
            template: p.template.clone(),
            idempotent: p.idempotent,
            options: p.options.clone(),
            call_limit: p.call_limit,
            attempt: p.attempt,
            deadline: p.deadline,
            extensions: p.extensions.clone(),
            operation: p.operation,
            errors: p.errors,
            stream: p.stream,
        })
    }
    /// The path template the call was declared with (e.g. `/users/<id>`),
    /// for logs and metrics: it does not vary with the arguments.
    pub fn template(&self) -> &str {
        &self.parts.template
    }
    /// Sets the path template.
    pub fn set_template(&mut self, template: impl Into<Cow<'static, str>>) {
        self.parts.template = template.into();
    }
    /// True if the endpoint was declared `#[idempotent]`: sending it twice
    /// has the same effect as sending it once.
    pub fn is_idempotent(&self) -> bool {
        self.parts.idempotent
    }
    /// Marks the request as idempotent (or not).
    pub fn set_idempotent(&mut self, idempotent: bool) {
        self.parts.idempotent = idempotent;
    }
    /// The call's options: the method's attributes with `with_options` on top.
    pub fn options(&self) -> &CallOptions {
        self.parts
            .options
            .as_deref()
            .unwrap_or_else(|| CallOptions::none())
    }
    /// The call's options, to change.
    pub fn options_mut(&mut self) -> &mut CallOptions {
        self.parts.options.get_or_insert_with(Box::default)
    }
    /// How many times this request was sent before (0 on the first attempt).
    pub fn attempt(&self) -> u32 {
        self.parts.attempt
    }
    /// Sets the attempt number (the retry middleware does).
    pub fn set_attempt(&mut self, attempt: u32) {
        self.parts.attempt = attempt;
    }
    /// When the whole call must be over, if it has a deadline.
    pub fn deadline(&self) -> Option<Instant> {
        self.parts.deadline
    }
    /// Typed values middleware can attach to the request.
    pub fn extensions(&self) -> &Extensions {
        &self.parts.extensions
    }
    /// Typed values middleware can attach to the request, to change.
    pub fn extensions_mut(&mut self) -> &mut Extensions {
        &mut self.parts.extensions
    }
    /// Marks the query parameter `name` as a secret (an API key, a
    /// signature), whatever it is called: its values are shown as
    /// `<redacted>` in this request's `Debug` output. The built-in auths
    /// mark the query parameters they add; a hand-written
    /// [`Auth`](crate::auth::Auth) that puts a credential in the query
    /// should too.
    ///
    /// ```
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// use restrait::{http::Method, Request};
    /// let mut req = Request::new(Method::GET, "https://api.example.com/v1/users".parse()?);
    /// req.url_mut().query_pairs_mut().append_pair("appid", "k_123");
    /// req.mark_query_secret("appid");
    /// assert!(!format!("{req:?}").contains("k_123"));
    /// # Ok(()) }
    /// ```
    pub fn mark_query_secret(&mut self, name: impl Into<String>) {
        let name = name.into();
        match self.parts.extensions.get_mut::<SecretQuery>() {
            Some(secret) if secret.0.contains(&name) => {}
            Some(secret) => secret.0.push(name),
            None => {
                self.parts.extensions.insert(SecretQuery(vec![name]));
            }
        }
    }
    /// The declared endpoint this request comes from (trait and method
    /// name), set by every generated method (or an [`Operation`] put in
    /// the [`extensions`](Self::extensions) of a hand-built request); its
    /// path template is [`template`](Self::template).
    pub fn operation(&self) -> Option<&Operation> {
        self.parts
            .operation
            .as_ref()
            .or_else(|| self.parts.extensions.get::<Operation>())
    }
    /// The method and path template.
    pub fn call_info(&self) -> CallInfo {
        CallInfo::new(self.parts.method.clone(), self.parts.template.clone())
    }
}

impl fmt::Debug for Request {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let secret = self
            .parts
            .extensions
            .get::<SecretQuery>()
            .map_or(&[][..], |s| s.0.as_slice());
        f.debug_struct("Request")
            .field("method", &self.parts.method)
            .field("url", &redacted_url_with(self.url(), secret))
            .field("template", &self.parts.template)
            .field("headers", &RedactedHeaders(&self.parts.headers))
            .field("body", &self.parts.body)
            .field("idempotent", &self.parts.idempotent)
            .field("attempt", &self.parts.attempt)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_hides_sensitive_values_and_secret_query_parameters() {
        let url = "https://api.test/x?appid=k_query_1&page=2"
            .parse()
            .expect("url");
        let mut request = Request::new(Method::GET, url);
        let mut value = http::HeaderValue::from_static("k_header_1");
        value.set_sensitive(true);
        request.headers_mut().insert("x-client", value);
        request.mark_query_secret("appid");
        request.mark_query_secret("appid");
        let shown = format!("{request:?} {request:#?}");
        assert!(!shown.contains("k_query_1"), "{shown}");
        assert!(!shown.contains("k_header_1"), "{shown}");
        assert!(shown.contains("page=2"), "{shown}");
        assert_eq!(
            request.extensions().get::<SecretQuery>().map(|s| s.0.len()),
            Some(1)
        );
    }

    #[test]
    fn the_operation_goes_along_with_a_copy_and_an_extension_is_read_too() {
        let url: Url = "https://api.test/users/1".parse().expect("url");
        let mut request = Request::new(Method::GET, url.clone());
        assert!(request.operation().is_none());
        request.parts.operation = Some(Operation::new("Users", "get"));
        let copy = request.try_clone().expect("copy");
        assert_eq!(copy.operation(), Some(&Operation::new("Users", "get")));
        let mut hand_built = Request::new(Method::GET, url);
        hand_built
            .extensions_mut()
            .insert(Operation::new("Users", "list"));
        assert_eq!(
            hand_built.operation(),
            Some(&Operation::new("Users", "list"))
        );
    }
}
