//! Building one request from a resource method's arguments.

use std::fmt::{Display, Write as _};
use std::future::Future;
use std::pin::pin;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use futures::future::Either;
use http::header::{ACCEPT, CONTENT_LENGTH, CONTENT_TYPE, HeaderName, HeaderValue};
use http::{HeaderMap, Method};
use url::Url;

use super::ResourceClient;
use crate::client::options::CallOptions;
use crate::error::{Error, Result};
use crate::request::{Request, Target};
use crate::response::decode::Decode;
use crate::{path, query};

/// Collects a request from a resource method's arguments. Each step is
/// infallible where it is called; the first error is kept and returned by
/// [`send`](RequestBuilder::send), before anything is sent.
pub struct RequestBuilder<'a> {
    resource: &'a ResourceClient,
    method: Method,
    template: &'static str,
    url: String,
    base_len: usize,
    query: String,
    headers: HeaderMap,
    body: crate::Body,
    /// Boxed when a method sets any (few do): the builder is moved as it is
    /// finished, on every call.
    options: Option<Box<CallOptions>>,
    idempotent: bool,
    /// A `#[url]` value: the request goes there instead of base + path.
    absolute: Option<String>,
    /// The form of a `#[multipart]` method, its parts added in order.
    form: Option<crate::multipart::Form>,
    /// The trait method's name, for the request's [`Operation`](crate::Operation).
    operation: Option<&'static str>,
    /// `#[body(gzip)]`: the body is compressed when the request is built.
    gzip: bool,
    /// The group of a `#[rate_limit("..")]` method.
    rate_limit_group: Option<&'static str>,
    error: Option<Error>,
}

impl<'a> RequestBuilder<'a> {
    /// Starts a request; `template` is the full path template, prefix included.
    pub fn new(resource: &'a ResourceClient, method: Method, template: &'static str) -> Self {
        let base = resource.client.base();
        let mut url = String::with_capacity(base.len() + template.len() + 16);
        url.push_str(base);
        let mut headers = HeaderMap::new();
        for (name, value) in resource.headers {
            headers.append(name.clone(), value.clone());
        }
        RequestBuilder {
            resource,
            method,
            template,
            base_len: url.len(),
            url,
            query: String::new(),
            headers,
            body: crate::Body::empty(),
            options: None,
            idempotent: false,
            absolute: None,
            form: None,
            operation: None,
            gzip: false,
            rate_limit_group: None,
            error: None,
        }
    }

    /// Names the trait method this request is made by: the request carries
    /// an [`Operation`](crate::Operation) of the resource's trait and this
    /// method ([`Request::operation`](crate::Request::operation)).
    pub fn operation(&mut self, method: &'static str) {
        self.operation = Some(method);
    }

    fn options_mut(&mut self) -> &mut CallOptions {
        self.options.get_or_insert_with(Box::default)
    }

    fn fail(&mut self, error: Error) {
        if self.error.is_none() {
            self.error = Some(error);
        }
    }

    /// Before the first piece of the path: exactly one `/` after the base.
    fn start_path(&mut self, next: &str) {
        if self.url.len() == self.base_len && !next.starts_with('/') {
            self.url.push('/');
        }
    }

    /// Appends a literal piece of the path template.
    pub fn path(&mut self, literal: &'static str) {
        self.start_path(literal);
        path::push_literal(&mut self.url, literal);
    }

    /// Appends a literal piece of the path that is already percent-encoded
    /// (the macro encodes template literals at compile time).
    pub fn encoded_path(&mut self, literal: &'static str) {
        self.start_path(literal);
        self.url.push_str(literal);
    }

    /// Sends the request to this absolute URL (a `#[url]` parameter, e.g. a
    /// link the API handed back) instead of the base URL and the path. The
    /// request keeps its query parameters, headers and body; auth is only
    /// attached when the URL has the client's own origin.
    pub fn url(&mut self, value: &dyn Display) {
        self.absolute = Some(value.to_string());
    }

    /// Appends one `<name>` value as a single encoded segment.
    pub fn segment(&mut self, name: &'static str, value: &dyn Display) {
        let text = to_text(value);
        self.start_path("");
        if let Err(e) = path::push_segment(&mut self.url, name, text.as_str()) {
            self.fail(e);
        }
    }

    /// Appends a `<name..>` value: its `/`s are kept, each segment is encoded.
    pub fn tail(&mut self, name: &'static str, value: &dyn Display) {
        let text = to_text(value);
        self.start_path("");
        if let Err(e) = path::push_tail(&mut self.url, name, text.as_str()) {
            self.fail(e);
        }
    }

    /// Adds a `#[query]` parameter.
    pub fn query<V: ?Sized + serde::Serialize>(&mut self, name: &'static str, value: &V) {
        if let Err(e) = query::append(&mut self.query, name, value) {
            self.fail(Error::invalid_request(format!(
                "query parameter `{name}`: {e}"
            )));
        }
    }

    /// Adds a `#[header("Name")]` parameter.
    pub fn header(&mut self, name: &'static str, value: &dyn Display) {
        let text = to_text(value);
        self.insert_header(name, text.as_str());
    }

    /// Adds a header given as text, checked when the request is built
    /// (the generated code uses [`fixed_header`](Self::fixed_header)).
    pub fn static_header(&mut self, name: &'static str, value: &'static str) {
        self.insert_header(name, value);
    }

    /// Adds a header declared with `#[headers("Name: value")]`, which the
    /// macro checked and built at compile time.
    pub fn fixed_header(&mut self, name: HeaderName, value: HeaderValue) {
        self.headers.append(name, value);
    }

    fn insert_header(&mut self, name: &'static str, value: &str) {
        let Ok(header) = HeaderName::try_from(name) else {
            return self.fail(Error::invalid_request(format!(
                "invalid header name `{name}`"
            )));
        };
        match HeaderValue::try_from(value) {
            Ok(value) => {
                self.headers.append(header, value);
            }
            Err(_) => self.fail(Error::invalid_request(format!(
                "the value of header `{name}` contains characters a header cannot carry (such as CR, LF or NUL)"
            ))),
        }
    }

    /// Sets a JSON body (`#[body]`).
    pub fn json<V: ?Sized + serde::Serialize>(&mut self, value: &V) {
        match serde_json::to_vec(value) {
            Ok(bytes) => self.set_body(bytes.into(), "application/json"),
            Err(e) => self.fail(Error::invalid_request(format!(
                "cannot serialize the JSON body: {e}"
            ))),
        }
    }

    /// Sets a body encoded with the codec `C` (`#[body(xml)]`), with the
    /// codec's `Content-Type`.
    pub fn encode<C: crate::Codec, V: ?Sized + serde::Serialize>(&mut self, value: &V) {
        match C::encode(value) {
            Ok(bytes) => self.set_body(bytes, C::CONTENT_TYPE),
            Err(e) => self.fail(Error::invalid_request(format!(
                "cannot encode the {} body: {e}",
                C::CONTENT_TYPE
            ))),
        }
    }

    /// `#[body(gzip)]`: the body (in memory) is sent gzip-compressed, with
    /// `Content-Encoding: gzip`.
    pub fn gzip(&mut self) {
        self.gzip = true;
    }

    /// Sets a form body (`#[form]`).
    pub fn form<V: ?Sized + serde::Serialize>(&mut self, value: &V) {
        match query::to_form(value) {
            Ok(text) => self.set_body(text.into(), "application/x-www-form-urlencoded"),
            Err(e) => self.fail(Error::invalid_request(format!(
                "cannot encode the form body: {e}"
            ))),
        }
    }

    /// Sets a raw body (a `Bytes` parameter).
    pub fn raw(&mut self, value: impl Into<Bytes>) {
        self.set_body(value.into(), "application/octet-stream");
    }

    fn set_body(&mut self, body: Bytes, content_type: &'static str) {
        if !self.headers.contains_key(CONTENT_TYPE) {
            self.headers
                .insert(CONTENT_TYPE, HeaderValue::from_static(content_type));
        }
        self.body = crate::Body::from(body);
    }

    /// A `#[body] b: restrait::Body` parameter (bytes, a file, a stream, a
    /// form): sent as it is, `Content-Type: application/octet-stream` (or
    /// the body's own, a form's) unless the method sets one, and
    /// `Content-Length` when the length is known.
    pub fn body(&mut self, body: impl Into<crate::Body>) {
        let body = body.into();
        if !self.headers.contains_key(CONTENT_TYPE) {
            let content_type = body
                .content_type()
                .unwrap_or(HeaderValue::from_static("application/octet-stream"));
            self.headers.insert(CONTENT_TYPE, content_type);
        }
        if let Some(len) = body.content_length()
            && !self.headers.contains_key(CONTENT_LENGTH)
        {
            self.headers.insert(CONTENT_LENGTH, HeaderValue::from(len));
        }
        self.body = body;
    }

    /// A `#[multipart]` method: starts an empty form, which its
    /// `#[part]` parameters fill.
    pub fn multipart(&mut self) {
        self.form = Some(crate::multipart::Form::new());
    }

    /// A `#[part("name")]` parameter: text, bytes, a
    /// [`Part`](crate::multipart::Part) (a file with its name and type), or
    /// an `Option` of one (`None` adds no part).
    pub fn part<V: super::PartValue>(&mut self, name: &'static str, value: V) {
        if let Some(part) = value.into_part() {
            self.add_part(name, part);
        }
    }

    /// A `#[part("name", json)]` parameter: the value as a JSON part.
    pub fn json_part<V: ?Sized + serde::Serialize>(&mut self, name: &'static str, value: &V) {
        match crate::multipart::Part::json(value) {
            Ok(part) => self.add_part(name, part),
            Err(e) => self.fail(Error::invalid_request(format!(
                "cannot serialize the JSON part `{name}`: {e}"
            ))),
        }
    }

    fn add_part(&mut self, name: &'static str, part: crate::multipart::Part) {
        let form = self.form.take().unwrap_or_default();
        self.form = Some(form.part(name, part));
    }

    /// `#[timeout(..)]`: the deadline of the whole call.
    pub fn timeout(&mut self, total: Duration) {
        self.options_mut().timeout = Some(total);
    }

    /// `#[retry(max = N)]`, or `#[retry(never)]` as 0.
    pub fn max_retries(&mut self, retries: u32) {
        self.options_mut().max_retries = Some(retries);
    }

    /// `#[idempotent]`.
    pub fn idempotent(&mut self) {
        self.idempotent = true;
    }

    /// `#[rate_limit("group")]`: the request takes a slot of that group.
    pub fn rate_limit_group(&mut self, group: &'static str) {
        self.rate_limit_group = Some(group);
    }

    /// Inlined where it is called (the generated method's `send`), so that
    /// the builder is taken apart where it is, not moved into a frame.
    #[inline]
    fn finish(self, accept: Option<&'static str>) -> Result<Request> {
        let RequestBuilder {
            resource,
            method,
            template,
            url,
            base_len: _,
            query,
            mut headers,
            body,
            options,
            idempotent,
            absolute,
            form,
            operation,
            gzip,
            rate_limit_group,
            error,
        } = self;
        if let Some(e) = error {
            return Err(e);
        }
        let url = match absolute {
            Some(absolute) => Target::Parsed(absolute_url(&absolute, &query).map_err(|e| {
                Error::invalid_request(format!(
                    "the `#[url]` of {template} is not an absolute URL ({absolute:?}): {e}"
                ))
            })?),
            None => url_for(&resource.client.inner.base_url, url, &query).map_err(|e| {
                Error::invalid_request(format!("cannot build a URL for {template}: {e}"))
            })?,
        };
        if let Some(accept) = accept {
            headers
                .entry(ACCEPT)
                .or_insert_with(|| HeaderValue::from_static(accept));
        }
        let options = match &resource.options {
            Some(over) => {
                let mut options = options.unwrap_or_default();
                options.merge(over);
                Some(options)
            }
            None => options,
        };
        let mut request = Request::new_templated(method, url, template);
        request.parts.headers = headers;
        request.parts.body = body;
        if let Some(form) = form {
            // The form's own type: it names the boundary.
            request
                .parts
                .headers
                .insert(CONTENT_TYPE, form.content_type());
            request.parts.body = crate::Body::from(form);
        }
        if gzip {
            super::compress::gzip_body(&mut request)?;
        }
        request.parts.errors = resource.errors;
        if let Some(method) = operation {
            request.parts.operation = Some(crate::Operation::new(resource.name, method));
        }
        if let Some(group) = rate_limit_group {
            request
                .parts
                .extensions
                .insert(crate::RateLimitGroup::new(group));
        }
        request.parts.options = options.filter(|options| !options.is_empty());
        request.parts.idempotent = idempotent;
        Ok(request)
    }

    /// Sends the request and decodes the response with `D`.
    #[inline]
    pub fn send<D: Decode>(self) -> impl Future<Output = Result<D::Output>> + Send + 'a {
        let client = &self.resource.client;
        let errors = self.resource.errors.unwrap_or_default();
        // The request is taken apart here, not in the future: a request
        // bound inside it would take room twice (this future is part of
        // every call's, and is moved into place as the call starts).
        match self.finish(D::ACCEPT) {
            Err(e) => Either::Left(async move { Err(e) }),
            // Boxed: a stream's future (with its error body's) would
            // otherwise size every buffered call's too, and a stream lives
            // long enough that one allocation does not count.
            Ok(request) if D::STREAM => Either::Right(Either::Left(Box::pin(async move {
                // Kept for a stream that reconnects (server-sent events).
                let retained = request.try_clone();
                let response = client.execute_stream(request).await?;
                if !response.status().is_success() {
                    return Err(errors.error(response.into_error().await));
                }
                D::decode_stream(response, client.clone(), retained)
            }))),
            Ok(request) => Either::Right(Either::Right(async move {
                let response = pin!(client.execute(request)).await?;
                if !response.status().is_success() {
                    return Err(errors.error(response.into_error()));
                }
                errors.check(&response)?;
                D::decode(response)
            })),
        }
    }
}

impl RequestBuilder<'_> {
    /// Starts a lazy stream over a paged list (`#[paginate(..)]`): this
    /// request is the first page, `pagination` finds the next ones.
    pub fn paginate<T>(self, pagination: crate::Pagination) -> crate::Paginator<T>
    where
        T: serde::de::DeserializeOwned + Send + 'static,
    {
        let client = self.resource.client.clone();
        let first = self.finish(Some("application/json"));
        crate::Paginator::from_result(client, first, pagination)
    }
}

/// The request's URL: `built` (the base URL, then the path) and `query`,
/// on the client's parsed base URL, kept as text until something asks for
/// it when parsing would leave it as it is (see [`Target`]). Reuses
/// `built`'s buffer.
fn url_for(
    base: &Arc<Url>,
    mut built: String,
    query: &str,
) -> std::result::Result<Target, url::ParseError> {
    let origin = &base[..url::Position::BeforePath];
    if !built.starts_with(origin) {
        // Not reached: `built` starts with the base URL. Parse it whole.
        if !query.is_empty() {
            built.push('?');
            built.push_str(query);
        }
        return Url::parse(&built).map(Target::Parsed);
    }
    built.drain(..origin.len());
    let query_at = (!query.is_empty()).then(|| {
        built.push('?');
        built.push_str(query);
        built.len() - query.len()
    });
    Ok(Target::built(Arc::clone(base), built, query_at))
}

/// A `#[url]` value with the request's query parameters added to its own.
fn absolute_url(absolute: &str, query: &str) -> std::result::Result<Url, String> {
    let mut url = Url::parse(absolute).map_err(|e| e.to_string())?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(format!(
            "the scheme `{}` is not http or https",
            url.scheme()
        ));
    }
    if !query.is_empty() {
        let joined = match url.query() {
            Some(own) if !own.is_empty() => format!("{own}&{query}"),
            _ => query.to_owned(),
        };
        url.set_query(Some(&joined));
    }
    Ok(url)
}

/// A parameter's text. Short values (ids, slugs, most header values) stay on
/// the stack, so a path segment or a header costs no allocation of its own.
struct Text {
    stack: [u8; Text::STACK],
    len: usize,
    heap: String,
}

impl Text {
    const STACK: usize = 64;

    fn as_str(&self) -> &str {
        if self.heap.is_empty() {
            // Only whole `&str`s are copied in, so this is always UTF-8.
            std::str::from_utf8(&self.stack[..self.len]).unwrap_or_default()
        } else {
            &self.heap
        }
    }
}

impl std::fmt::Write for Text {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        if self.heap.is_empty() && self.len + s.len() <= Text::STACK {
            self.stack[self.len..self.len + s.len()].copy_from_slice(s.as_bytes());
            self.len += s.len();
        } else {
            if self.heap.is_empty() {
                let start = std::str::from_utf8(&self.stack[..self.len]).unwrap_or_default();
                self.heap.reserve(start.len() + s.len());
                self.heap.push_str(start);
            }
            self.heap.push_str(s);
        }
        Ok(())
    }
}

fn to_text(value: &dyn Display) -> Text {
    let mut text = Text {
        stack: [0; Text::STACK],
        len: 0,
        heap: String::new(),
    };
    // Writing to a Text cannot fail; a Display impl that errors leaves
    // what it wrote so far, as `to_string` would panic instead.
    let _ = write!(text, "{value}");
    text
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::{Url, absolute_url, to_text, url_for};

    #[test]
    fn absolute_urls_keep_their_query_and_add_ours() {
        let url = |a: &str, q: &str| absolute_url(a, q).map(String::from);
        assert_eq!(
            url("https://h/c?sort=asc", "per_page=5").as_deref(),
            Ok("https://h/c?sort=asc&per_page=5")
        );
        assert_eq!(url("https://h/c", "").as_deref(), Ok("https://h/c"));
        assert_eq!(url("http://h/c?", "a=1").as_deref(), Ok("http://h/c?a=1"));
        assert!(url("/relative", "").is_err());
        assert!(url("file:///etc/passwd", "").is_err());
    }

    #[test]
    fn the_built_url_equals_parsing_the_whole_url() {
        let bases = [
            "http://h",
            "https://h:8443/api/v1",
            "http://127.0.0.1:9/",
            "https://b\u{fc}cher.example/x/",
            "http://[::1]:80/v2",
        ];
        let paths = [
            "/users/42",
            "/a%20b/c%2F",
            "/x//y",
            "/./a/../b",
            "",
            "/\u{e9}t\u{e9}/:@!$&'()*+,;=",
            "/tail/a/b.c",
        ];
        for base in bases {
            let base_url = Url::parse(base).expect("base");
            let prefix = base_url.as_str().trim_end_matches('/');
            for path in paths {
                for query in ["", "a=1&b=%23x&c=+", "k=v%26w"] {
                    let built = format!("{prefix}{path}");
                    let whole = if query.is_empty() {
                        built.clone()
                    } else {
                        format!("{built}?{query}")
                    };
                    let want = Url::parse(&whole).expect("whole");
                    let target =
                        url_for(&Arc::new(base_url.clone()), built.clone(), query).expect("built");
                    // Text kept unparsed is what the parsed URL says.
                    if let Some((_, tail)) = target.text() {
                        assert_eq!(tail, &want[url::Position::BeforePath..], "{base} + {path}");
                    }
                    let got = target.into_url();
                    assert_eq!(got.as_str(), want.as_str(), "{base} + {path} ? {query}");
                    assert_eq!(got, want);
                }
            }
        }
    }

    #[test]
    fn text_on_the_stack_and_past_it() {
        assert_eq!(to_text(&42u64).as_str(), "42");
        assert_eq!(to_text(&"").as_str(), "");
        let long = "é".repeat(40);
        assert_eq!(to_text(&long).as_str(), long);
        // Several writes that cross the stack's end on the way.
        let pieces = format!("{}", format_args!("{}-{}", "a".repeat(60), "ü".repeat(10)));
        assert_eq!(
            to_text(&format_args!("{}-{}", "a".repeat(60), "ü".repeat(10))).as_str(),
            pieces
        );
    }
}
