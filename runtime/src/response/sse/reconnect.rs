//! Reconnecting an event stream whose connection dropped: whether it may,
//! how long it waits, what it sends, and which answers it accepts.
//!
//! A reconnect is a new call through the same [`Client`], so the whole
//! middleware chain runs again: tracing, redirects, the retry layer (which
//! retries a refused connection or a 503 with its own backoff) and auth
//! (which refreshes an OAuth2 token on a 401 and sends again).

use std::sync::Arc;
use std::time::Duration;

use http::header::{CONTENT_TYPE, HeaderName, HeaderValue};
use http::{HeaderMap, StatusCode};

use crate::client::Client;
use crate::error::{DecodeError, Error, Result};
use crate::middleware::BoxFuture;
use crate::request::Request;
use crate::response::Response;

/// How long a stream waits before it reconnects when the server has not
/// said (with a `retry:` field): 3 s, as browsers do. Either wait is capped
/// by the retry policy's
/// [`max_retry_after`](crate::RetryPolicy::max_retry_after).
pub const DEFAULT_RECONNECT_DELAY: Duration = Duration::from_secs(3);

const LAST_EVENT_ID: HeaderName = HeaderName::from_static("last-event-id");

/// Why a stream cannot reconnect: its request body is a one-shot stream.
pub(super) const ONE_SHOT: &str =
    "the request body is a one-shot stream, so the event stream cannot reconnect";
/// Why a stream cannot reconnect: sending its request again may repeat it.
pub(super) const NOT_IDEMPOTENT: &str = "the method is not idempotent, so the event stream does not reconnect (mark the endpoint `#[idempotent]` to let it)";
/// Why a stream stopped reconnecting.
pub(super) const EXHAUSTED: &str =
    "the event stream reconnected as often as the retry policy allows without a new event";

/// What a stream that may reconnect keeps: the client, a copy of the
/// request to send again, and the policy's limits.
pub(super) struct Reconnect {
    client: Client,
    request: Request,
    /// Reconnects in a row without a new event that the policy allows.
    max: u32,
    /// The longest wait before a reconnect.
    cap: Duration,
    /// Reconnects since the last event.
    pub(super) failures: u32,
}

impl Reconnect {
    /// The reconnect of a call, or why it has none. `request` is the copy
    /// made before the first attempt (`None` when its body cannot be sent
    /// again). The limits are those of the call's retry policy: the method's
    /// `#[retry(..)]` and [`CallOptions`](crate::CallOptions), else the client's.
    pub(super) fn new(
        client: Client,
        request: Option<Request>,
    ) -> std::result::Result<Self, &'static str> {
        let request = request.ok_or(ONE_SHOT)?;
        if !may_resend(&request) {
            return Err(NOT_IDEMPOTENT);
        }
        let policy = request
            .options()
            .retry
            .clone()
            .unwrap_or_else(|| Arc::clone(&client.inner.retry_policy));
        let max = request
            .options()
            .get_max_retries()
            .unwrap_or(policy.max_retries);
        Ok(Reconnect {
            client,
            request,
            max,
            cap: policy.max_retry_after,
            failures: 0,
        })
    }

    /// Starts the next reconnect: waits for the delay, then sends the
    /// request again with `Last-Event-ID`. `Err(why)` when the policy allows
    /// no more, or the request cannot be built.
    pub(super) fn start(
        &mut self,
        last_event_id: Option<&str>,
        asked: Option<Duration>,
    ) -> std::result::Result<Connecting, Stop> {
        if self.failures >= self.max {
            return Err(Stop::Refused(EXHAUSTED));
        }
        let mut request = self.request.try_clone().ok_or(Stop::Refused(ONE_SHOT))?;
        set_last_event_id(request.headers_mut(), last_event_id).map_err(Stop::Failed)?;
        self.failures = self.failures.saturating_add(1);
        let wait = delay(asked, self.cap);
        tracing::debug!(
            http.request.method = %request.method(),
            url.template = request.template(),
            sse.reconnect = self.failures,
            sse.wait_ms = u64::try_from(wait.as_millis()).unwrap_or(u64::MAX),
            "reconnecting the event stream"
        );
        let client = self.client.clone();
        Ok(Box::pin(async move {
            tokio::time::sleep(wait).await;
            let response = client.execute_stream(request).await?;
            accept(response).await
        }))
    }
}

/// A reconnect under way: the wait, then the new response (`None` when the
/// server answered 204, which ends the stream).
pub(super) type Connecting = BoxFuture<'static, Result<Option<Response>>>;

/// Why a dropped stream is not reconnected.
#[derive(Debug)]
pub(super) enum Stop {
    /// Not allowed; the error that dropped the stream notes why.
    Refused(&'static str),
    /// The reconnect request could not be made.
    Failed(Error),
}

/// True if sending the request again cannot repeat a side effect: an
/// idempotent method, or one marked `#[idempotent]` (or given an
/// idempotency key), as for retries.
fn may_resend(request: &Request) -> bool {
    request.method().is_idempotent()
        || request.is_idempotent()
        || request.options().get_idempotency_key().is_some()
}

/// The wait before a reconnect: what the server asked for with `retry:`,
/// else [`DEFAULT_RECONNECT_DELAY`], at most `cap`.
fn delay(asked: Option<Duration>, cap: Duration) -> Duration {
    asked.unwrap_or(DEFAULT_RECONNECT_DELAY).min(cap)
}

/// Sends the last event ID, when the stream has one; else the request
/// keeps any `Last-Event-ID` it was declared with.
fn set_last_event_id(headers: &mut HeaderMap, id: Option<&str>) -> Result<()> {
    let Some(id) = id else {
        return Ok(());
    };
    let value = HeaderValue::from_str(id).map_err(|_| {
        Error::invalid_request(format!(
            "the event stream cannot resume: its last event ID {id:?} cannot be sent as a `Last-Event-ID` header"
        ))
    })?;
    headers.insert(LAST_EVENT_ID, value);
    Ok(())
}

/// The answer to a reconnect: the stream, `None` for a 204 (the server's
/// way to say "do not reconnect"), or the typed error of any other status
/// or of an answer that is not an event stream.
async fn accept(response: Response) -> Result<Option<Response>> {
    if response.status() == StatusCode::NO_CONTENT {
        return Ok(None);
    }
    if !response.status().is_success() {
        return Err(response.into_error().await);
    }
    check_content_type(&response)?;
    Ok(Some(response))
}

/// `Ok` when the response says it is `text/event-stream`, else an
/// [`Error::Decode`] that names what it is.
pub(super) fn check_content_type<B>(response: &Response<B>) -> Result<()> {
    let content_type = response.headers().get(CONTENT_TYPE);
    let essence = content_type
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(str::trim);
    if essence.is_some_and(|e| e.eq_ignore_ascii_case("text/event-stream")) {
        return Ok(());
    }
    let is = match content_type {
        Some(v) => format!(
            "the Content-Type is `{}`",
            String::from_utf8_lossy(v.as_bytes())
        ),
        None => "there is no Content-Type".to_owned(),
    };
    Err(Error::Decode(Box::new(DecodeError {
        status: response.status(),
        call: response.call().clone(),
        target: "an event stream",
        path: ".".into(),
        message: format!("{is}, not `text/event-stream`"),
        excerpt: "(not read)".into(),
        line: None,
        event: None,
        source: None,
    })))
}

#[cfg(test)]
mod tests {
    use http::Method;

    use super::*;

    #[test]
    fn the_delay_is_the_servers_or_the_default_within_the_cap() {
        let cap = Duration::from_secs(60);
        assert_eq!(delay(None, cap), DEFAULT_RECONNECT_DELAY);
        assert_eq!(
            delay(Some(Duration::from_millis(250)), cap),
            Duration::from_millis(250)
        );
        assert_eq!(delay(Some(Duration::ZERO), cap), Duration::ZERO);
        assert_eq!(delay(Some(Duration::from_secs(86_400)), cap), cap);
        assert_eq!(delay(None, Duration::from_secs(1)), Duration::from_secs(1));
    }

    #[test]
    fn the_last_event_id_replaces_a_declared_one_and_is_checked() {
        let mut headers = HeaderMap::new();
        headers.insert(LAST_EVENT_ID, HeaderValue::from_static("declared"));
        set_last_event_id(&mut headers, None).expect("nothing to set");
        assert_eq!(headers[LAST_EVENT_ID], "declared", "kept without an ID");
        set_last_event_id(&mut headers, Some("42 é")).expect("valid");
        assert_eq!(headers.get_all(LAST_EVENT_ID).iter().count(), 1);
        assert_eq!(headers[LAST_EVENT_ID].as_bytes(), "42 é".as_bytes());
        let e = set_last_event_id(&mut headers, Some("a\u{1}b")).expect_err("a control byte");
        assert!(matches!(e, Error::InvalidRequest(_)), "{e}");
    }

    #[test]
    fn only_requests_that_may_be_sent_again_reconnect() {
        let url: url::Url = "https://api.test/feed".parse().expect("url");
        let client = Client::builder("https://api.test").build().expect("client");
        let get = Request::new(Method::GET, url.clone());
        assert!(Reconnect::new(client.clone(), Some(get)).is_ok());
        let post = Request::new(Method::POST, url.clone());
        assert_eq!(
            Reconnect::new(client.clone(), Some(post)).err(),
            Some(NOT_IDEMPOTENT)
        );
        let mut marked = Request::new(Method::POST, url);
        marked.set_idempotent(true);
        assert!(Reconnect::new(client.clone(), Some(marked)).is_ok());
        assert_eq!(Reconnect::new(client, None).err(), Some(ONE_SHOT));
    }

    #[test]
    fn the_call_options_set_the_number_of_reconnects() {
        let url: url::Url = "https://api.test/feed".parse().expect("url");
        let client = Client::builder("https://api.test")
            .retry(crate::RetryPolicy::default().max_retries(7))
            .build()
            .expect("client");
        let plain = Request::new(Method::GET, url.clone());
        let reconnect = Reconnect::new(client.clone(), Some(plain)).expect("reconnects");
        assert_eq!(reconnect.max, 7, "the client's policy");
        let mut capped = Request::new(Method::GET, url);
        *capped.options_mut() = crate::CallOptions::new().max_retries(1);
        let mut reconnect = Reconnect::new(client, Some(capped)).expect("reconnects");
        assert_eq!(reconnect.max, 1, "the call's option");
        reconnect.failures = 1;
        assert!(matches!(
            reconnect.start(None, None),
            Err(Stop::Refused(EXHAUSTED))
        ));
    }

    #[test]
    fn only_text_event_stream_is_an_event_stream() {
        let with = |value: Option<&'static str>| {
            let mut headers = HeaderMap::new();
            if let Some(v) = value {
                headers.insert(CONTENT_TYPE, HeaderValue::from_static(v));
            }
            check_content_type(&Response::new(StatusCode::OK, headers, ()))
        };
        assert!(with(Some("text/event-stream")).is_ok());
        assert!(with(Some("Text/Event-Stream; charset=utf-8")).is_ok());
        let Err(Error::Decode(e)) = with(Some("application/json")) else {
            panic!("JSON is not an event stream");
        };
        assert!(e.message().contains("`application/json`"), "{e}");
        assert!(with(None).is_err());
    }
}
