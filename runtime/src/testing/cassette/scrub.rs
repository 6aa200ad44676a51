//! Taking secrets out of an exchange before it is written: credential
//! headers, secret query parameters, token fields of bodies, every
//! credential value the exchanges themselves reveal wherever it appears,
//! and the user's own rules.

use std::fmt;
use std::sync::Arc;

use base64::Engine as _;
use bytes::Bytes;
use http::{HeaderMap, Method};
use url::Url;

use super::format::{HeaderValues, Headers, RecordedBody, RecordedRequest, RecordedResponse};

/// What a cassette writes in place of a secret.
pub const REDACTED: &str = "[REDACTED]";

/// Values shorter than this are not hunted for across the file (replacing
/// every `ab` would wreck it); the header, query parameter or field that
/// held them is still scrubbed.
const MIN_SECRET_LEN: usize = 4;

/// Body fields (JSON keys, form names; any case) that hold a credential, as
/// token endpoints send and receive them.
const SECRET_FIELDS: [&str; 12] = [
    "access_token",
    "refresh_token",
    "id_token",
    "client_secret",
    "client_assertion",
    "assertion",
    "password",
    "api_key",
    "apikey",
    "secret",
    "token",
    "code_verifier",
];

/// A request as it went on the wire, before scrubbing.
pub(super) struct RawRequest {
    pub(super) method: Method,
    pub(super) url: Url,
    pub(super) template: String,
    pub(super) operation: Option<String>,
    pub(super) headers: HeaderMap,
    /// Query parameters the auth marked secret, whatever their names.
    pub(super) secret_query: Vec<String>,
    pub(super) body: Bytes,
}

impl RawRequest {
    /// The parts of `request` (its body in memory) that a cassette keeps.
    pub(super) fn of(request: &crate::Request) -> RawRequest {
        RawRequest {
            method: request.method().clone(),
            url: request.url().clone(),
            template: request.template().to_owned(),
            operation: request.operation().map(ToString::to_string),
            headers: request.headers().clone(),
            secret_query: request
                .extensions()
                .get::<crate::redact::SecretQuery>()
                .map(|s| s.0.clone())
                .unwrap_or_default(),
            body: request.body().as_bytes().cloned().unwrap_or_default(),
        }
    }
}

/// A response as it came back, before scrubbing.
pub(super) struct RawResponse {
    pub(super) status: u16,
    pub(super) headers: HeaderMap,
    pub(super) body: Bytes,
    pub(super) error: Option<String>,
}

type ScrubFn = dyn Fn(&str) -> String + Send + Sync;

/// A rule the user adds with [`Cassette::scrub`](super::Cassette::scrub) or
/// [`Cassette::scrub_with`](super::Cassette::scrub_with).
#[derive(Clone)]
enum Rule {
    Literal { find: String, replace: String },
    Fn(Arc<ScrubFn>),
}

/// The scrubbing rules of a cassette.
#[derive(Clone, Default)]
pub(super) struct Scrubber {
    rules: Vec<Rule>,
}

impl fmt::Debug for Scrubber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Scrubber")
            .field("rules", &self.rules.len())
            .finish()
    }
}

/// Credential values to replace wherever they appear, longest first.
#[derive(Debug, Default)]
pub(super) struct Secrets(Vec<String>);

impl Secrets {
    fn add(&mut self, value: &str) {
        let value = value.trim();
        if value.len() >= MIN_SECRET_LEN && value != REDACTED && !self.0.iter().any(|s| s == value)
        {
            self.0.push(value.to_owned());
        }
    }

    fn sort(&mut self) {
        self.0
            .sort_by(|a, b| b.len().cmp(&a.len()).then_with(|| a.cmp(b)));
    }
}

impl Scrubber {
    pub(super) fn literal(&mut self, find: String, replace: String) {
        if !find.is_empty() {
            self.rules.push(Rule::Literal { find, replace });
        }
    }

    pub(super) fn with_fn(&mut self, f: Arc<ScrubFn>) {
        self.rules.push(Rule::Fn(f));
    }

    /// Every credential the given exchanges reveal: values of credential
    /// headers (and the token after `Bearer `, the password inside
    /// `Basic`), secret query values, token fields of request and
    /// response bodies, cookie values.
    pub(super) fn learn<'a>(
        requests: impl IntoIterator<Item = &'a RawRequest>,
        responses: impl IntoIterator<Item = &'a RawResponse>,
    ) -> Secrets {
        let mut secrets = Secrets::default();
        for request in requests {
            learn_headers(&request.headers, &mut secrets);
            for (key, value) in request.url.query_pairs() {
                if secret_query_key(&key, &request.secret_query) {
                    secrets.add(&value);
                }
            }
            learn_body(&request.headers, &request.body, &mut secrets);
        }
        for response in responses {
            learn_headers(&response.headers, &mut secrets);
            learn_body(&response.headers, &response.body, &mut secrets);
        }
        secrets.sort();
        secrets
    }

    /// The request with its secrets replaced by [`REDACTED`].
    pub(super) fn request(&self, raw: &RawRequest, secrets: &Secrets) -> RecordedRequest {
        RecordedRequest {
            method: raw.method.as_str().to_owned(),
            url: self.text(&scrub_url(&raw.url, &raw.secret_query), secrets),
            template: self.text(&raw.template, secrets),
            operation: raw.operation.clone(),
            headers: self.headers(&raw.headers, secrets),
            body: self.body(&raw.headers, &raw.body, secrets),
        }
    }

    /// The response with its secrets replaced by [`REDACTED`].
    pub(super) fn response(&self, raw: &RawResponse, secrets: &Secrets) -> RecordedResponse {
        RecordedResponse {
            status: raw.status,
            headers: self.headers(&raw.headers, secrets),
            body: self.body(&raw.headers, &raw.body, secrets),
            error: raw.error.as_deref().map(|e| self.text(e, secrets)),
        }
    }

    fn headers(&self, headers: &HeaderMap, secrets: &Secrets) -> Headers {
        let mut out = Headers::new();
        for (name, value) in headers {
            let shown = if value.is_sensitive() || crate::redact::is_sensitive(name) {
                REDACTED.to_owned()
            } else {
                self.text(&String::from_utf8_lossy(value.as_bytes()), secrets)
            };
            match out.get_mut(name.as_str()) {
                Some(values) => values.push(shown),
                None => {
                    out.insert(name.as_str().to_owned(), HeaderValues::One(shown));
                }
            }
        }
        out
    }

    fn body(&self, headers: &HeaderMap, bytes: &[u8], secrets: &Secrets) -> Option<RecordedBody> {
        if is_form(headers) {
            let mut out = String::new();
            for (key, value) in form_urlencoded::parse(bytes) {
                let value = if secret_field(&key) || secret_query_key(&key, &[]) {
                    REDACTED.to_owned()
                } else {
                    form_urlencoded::byte_serialize(value.as_bytes()).collect()
                };
                if !out.is_empty() {
                    out.push('&');
                }
                out.extend(form_urlencoded::byte_serialize(key.as_bytes()));
                out.push('=');
                out.push_str(&value);
            }
            return (!out.is_empty()).then(|| RecordedBody::Text(self.text(&out, secrets)));
        }
        Some(match RecordedBody::from_bytes(bytes)? {
            RecordedBody::JsonValue(mut value) => {
                self.json(&mut value, secrets);
                RecordedBody::JsonValue(value)
            }
            RecordedBody::Text(text) => RecordedBody::Text(self.text(&text, secrets)),
            binary @ RecordedBody::Base64(_) => binary,
        })
    }

    fn json(&self, value: &mut serde_json::Value, secrets: &Secrets) {
        use serde_json::Value;
        match value {
            Value::String(s) => *s = self.text(s, secrets),
            Value::Array(items) => items.iter_mut().for_each(|v| self.json(v, secrets)),
            Value::Object(map) => {
                for (key, v) in map.iter_mut() {
                    if secret_field(key) && !v.is_null() {
                        *v = Value::String(REDACTED.to_owned());
                    } else {
                        self.json(v, secrets);
                    }
                }
            }
            Value::Null | Value::Bool(_) | Value::Number(_) => {}
        }
    }

    /// Replaces the known secrets (as they are, and percent-encoded), then
    /// applies the user's rules.
    pub(super) fn text(&self, text: &str, secrets: &Secrets) -> String {
        let mut out = text.to_owned();
        for secret in &secrets.0 {
            if out.contains(secret.as_str()) {
                out = out.replace(secret.as_str(), REDACTED);
            }
            let encoded: String = form_urlencoded::byte_serialize(secret.as_bytes()).collect();
            if encoded != *secret && out.contains(&encoded) {
                out = out.replace(&encoded, REDACTED);
            }
        }
        for rule in &self.rules {
            out = match rule {
                Rule::Literal { find, replace } => out.replace(find.as_str(), replace),
                Rule::Fn(f) => f(&out),
            };
        }
        out
    }
}

/// True for a query parameter that holds a secret: one the auth marked, or
/// one whose name (any case) mentions a key, token, secret, password,
/// signature, session, credential or auth (`api_key`, `access_token`,
/// `X-Amz-Signature`, `sig`).
pub(super) fn secret_query_key(key: &str, marked: &[String]) -> bool {
    const PARTS: [&str; 9] = [
        "key",
        "token",
        "secret",
        "password",
        "passwd",
        "signature",
        "session",
        "credential",
        "auth",
    ];
    if marked.iter().any(|m| m == key) {
        return true;
    }
    let key = key.to_ascii_lowercase();
    key == "sig" || PARTS.iter().any(|p| key.contains(p))
}

fn secret_field(key: &str) -> bool {
    SECRET_FIELDS.iter().any(|f| f.eq_ignore_ascii_case(key))
}

fn is_form(headers: &HeaderMap) -> bool {
    headers
        .get(http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| {
            ct.trim_start()
                .to_ascii_lowercase()
                .starts_with("application/x-www-form-urlencoded")
        })
}

/// The URL with its password and secret query values replaced. The query
/// is rebuilt pair by pair so that the marker stays readable.
fn scrub_url(url: &Url, marked: &[String]) -> String {
    let mut shown = url.clone();
    if shown.password().is_some() {
        let _ = shown.set_password(Some("REDACTED"));
    }
    if let Some(query) = url.query() {
        let mut out = String::new();
        for (key, value) in form_urlencoded::parse(query.as_bytes()) {
            if !out.is_empty() {
                out.push('&');
            }
            out.extend(form_urlencoded::byte_serialize(key.as_bytes()));
            out.push('=');
            if secret_query_key(&key, marked) {
                out.push_str(REDACTED);
            } else {
                out.extend(form_urlencoded::byte_serialize(value.as_bytes()));
            }
        }
        shown.set_query(None);
        let mut text = shown.to_string();
        text.push('?');
        text.push_str(&out);
        return text;
    }
    shown.to_string()
}

fn learn_headers(headers: &HeaderMap, secrets: &mut Secrets) {
    for (name, value) in headers {
        if !(value.is_sensitive() || crate::redact::is_sensitive(name)) {
            continue;
        }
        let value = String::from_utf8_lossy(value.as_bytes());
        if name == http::header::COOKIE || name == http::header::SET_COOKIE {
            let pairs = if name == http::header::SET_COOKIE {
                value.split(';').take(1).collect::<Vec<_>>()
            } else {
                value.split(';').collect()
            };
            for pair in pairs {
                if let Some((_, v)) = pair.split_once('=') {
                    secrets.add(v);
                }
            }
            continue;
        }
        secrets.add(&value);
        if let Some((scheme, credential)) = value.split_once(' ') {
            secrets.add(credential);
            if scheme.eq_ignore_ascii_case("basic")
                && let Ok(decoded) =
                    base64::engine::general_purpose::STANDARD.decode(credential.trim())
                && let Ok(decoded) = String::from_utf8(decoded)
            {
                if let Some((_, password)) = decoded.split_once(':') {
                    secrets.add(password);
                }
                secrets.add(&decoded);
            }
        }
    }
}

fn learn_body(headers: &HeaderMap, body: &[u8], secrets: &mut Secrets) {
    if is_form(headers) {
        for (key, value) in form_urlencoded::parse(body) {
            if secret_field(&key) || secret_query_key(&key, &[]) {
                secrets.add(&value);
            }
        }
    } else if let Some(RecordedBody::JsonValue(value)) = RecordedBody::from_bytes(body) {
        learn_json(&value, secrets);
    }
}

fn learn_json(value: &serde_json::Value, secrets: &mut Secrets) {
    use serde_json::Value;
    match value {
        Value::Array(items) => items.iter().for_each(|v| learn_json(v, secrets)),
        Value::Object(map) => {
            for (key, v) in map {
                match v {
                    Value::String(s) if secret_field(key) => secrets.add(s),
                    other => learn_json(other, secrets),
                }
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::HeaderValue;

    fn request(url: &str, headers: &[(&str, &str)], body: &str) -> RawRequest {
        let mut map = HeaderMap::new();
        for (name, value) in headers {
            map.append(
                http::HeaderName::from_bytes(name.as_bytes()).expect("name"),
                HeaderValue::from_str(value).expect("value"),
            );
        }
        RawRequest {
            method: Method::POST,
            url: url.parse().expect("url"),
            template: "/t".into(),
            operation: None,
            headers: map,
            secret_query: Vec::new(),
            body: Bytes::from(body.to_owned()),
        }
    }

    fn scrubbed(raw: &RawRequest, responses: &[RawResponse]) -> String {
        let secrets = Scrubber::learn([raw], responses);
        let recorded = Scrubber::default().request(raw, &secrets);
        serde_json::to_string(&recorded).expect("json")
    }

    #[test]
    fn credential_headers_are_replaced_and_their_values_hunted() {
        let raw = request(
            "http://h/echo/sk_bearer_1",
            &[
                ("authorization", "Bearer sk_bearer_1"),
                ("cookie", "sid=ck_session_1; theme=dark"),
                ("x-api-key", "ak_header_1"),
                ("accept", "application/json"),
            ],
            r#"{"note": "token sk_bearer_1 and ak_header_1"}"#,
        );
        let shown = scrubbed(&raw, &[]);
        for secret in ["sk_bearer_1", "ck_session_1", "ak_header_1"] {
            assert!(!shown.contains(secret), "{secret} in {shown}");
        }
        assert!(shown.contains("application/json"), "{shown}");
        assert!(shown.contains("/echo/[REDACTED]"), "{shown}");
    }

    #[test]
    fn a_value_marked_sensitive_is_replaced_whatever_the_header() {
        let mut raw = request("http://h/", &[], "");
        let mut value = HeaderValue::from_static("tk_custom_1");
        value.set_sensitive(true);
        raw.headers.insert("x-tenant", value);
        let shown = scrubbed(&raw, &[]);
        assert!(!shown.contains("tk_custom_1"), "{shown}");
    }

    #[test]
    fn basic_credentials_lose_the_password_everywhere() {
        let header = format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode("me:pw_basic_1")
        );
        let raw = request(
            "http://h/?note=pw_basic_1",
            &[("authorization", &header)],
            "",
        );
        let shown = scrubbed(&raw, &[]);
        assert!(!shown.contains("pw_basic_1"), "{shown}");
    }

    #[test]
    fn secret_query_keys_are_replaced_in_any_case() {
        let mut raw = request(
            "http://h/p?API_KEY=k_1&Access_Token=k_2&sig=k_3&appid=k_4&page=2",
            &[],
            "",
        );
        raw.secret_query.push("appid".into());
        let shown = scrubbed(&raw, &[]);
        for secret in ["k_1", "k_2", "k_3", "k_4"] {
            assert!(!shown.contains(secret), "{secret} in {shown}");
        }
        assert!(
            shown.contains("page=2") && shown.contains("API_KEY=[REDACTED]"),
            "{shown}"
        );
    }

    #[test]
    fn token_fields_of_json_and_form_bodies_are_replaced() {
        let raw = request(
            "http://h/token",
            &[("content-type", "application/x-www-form-urlencoded")],
            "grant_type=refresh_token&refresh_token=rt_1&client_secret=cs_1&client_id=app",
        );
        let mut headers = HeaderMap::new();
        headers.insert("content-type", HeaderValue::from_static("application/json"));
        let response = RawResponse {
            status: 200,
            headers,
            body: Bytes::from_static(
                br#"{"access_token":"at_1","refresh_token":"rt_2","id_token":"it_1","token_type":"Bearer","expires_in":3600}"#,
            ),
            error: None,
        };
        let secrets = Scrubber::learn([&raw], [&response]);
        let scrubber = Scrubber::default();
        let shown = format!(
            "{} {}",
            serde_json::to_string(&scrubber.request(&raw, &secrets)).expect("json"),
            serde_json::to_string(&scrubber.response(&response, &secrets)).expect("json"),
        );
        for secret in ["rt_1", "cs_1", "at_1", "rt_2", "it_1"] {
            assert!(!shown.contains(secret), "{secret} in {shown}");
        }
        assert!(shown.contains("grant_type=refresh_token") && shown.contains("client_id=app"));
        assert!(shown.contains("\"expires_in\":3600"), "{shown}");
    }

    #[test]
    fn user_rules_run_last_in_order() {
        let mut scrubber = Scrubber::default();
        scrubber.literal("acct_42".into(), "acct_X".into());
        scrubber.with_fn(Arc::new(|s: &str| s.replace("X", "Y")));
        let raw = request("http://h/accounts/acct_42", &[], "id acct_42");
        let recorded = scrubber.request(&raw, &Secrets::default());
        assert_eq!(recorded.url, "http://h/accounts/acct_Y");
        assert_eq!(recorded.body, Some(RecordedBody::Text("id acct_Y".into())));
    }

    #[test]
    fn short_values_are_not_hunted() {
        let mut secrets = Secrets::default();
        secrets.add("ab");
        secrets.add(REDACTED);
        secrets.add("abcd");
        secrets.add("abcd");
        assert_eq!(secrets.0, ["abcd"]);
    }
}
