//! `EventStream<T>`: the events of a `text/event-stream` response, read as
//! they arrive, reconnecting when the connection drops.

use std::fmt;
use std::marker::PhantomData;
use std::pin::Pin;
use std::task::{Context, Poll, ready};

use bytes::Bytes;
use futures::{Stream, StreamExt};
use http::StatusCode;
use serde::de::DeserializeOwned;

use super::event::{Event, Source};
use super::parse::{Limits, ParseError, Parser, RawEvent};
use super::reconnect::{Connecting, Reconnect, Stop, check_content_type};
use crate::client::Client;
use crate::error::{BodyTooLarge, CallInfo, Error, Result, TransportError, TransportErrorKind};
use crate::request::Request;
use crate::response::{Response, ResponseBody};

/// [Server-sent events](https://html.spec.whatwg.org/multipage/server-sent-events.html)
/// as a [`Stream`] of [`Event<T>`]. Declare a resource method as returning
/// `Result<EventStream<T>>`; it sends `Accept: text/event-stream`.
///
/// Each event's data is decoded as JSON into `T` (`T = String` gives the
/// text as it is). Event types, multi-line data, `id`, `retry` and comments
/// are read as the WHATWG spec says.
///
/// The stream ends (`None`) when:
/// - an event's data is the terminator the method declares with
///   `#[sse(done = "[DONE]")]` (that event is not yielded);
/// - the server answers a reconnect with 204 No Content;
/// - the server closes the connection and the stream may not reconnect (see
///   below), unless a terminator was declared: then closing before it is an
///   error.
///
/// **Reconnecting.** When the connection drops (a transport error mid-body,
/// a body silent for longer than the idle limit, or the server closing it),
/// the stream calls again through the same [`Client`], so the middleware
/// runs again (an OAuth2 token is refreshed on a 401, each reconnect is
/// traced), with `Last-Event-ID` set to the last event ID seen. It waits the
/// delay the server asked for with `retry:`, else
/// [`DEFAULT_RECONNECT_DELAY`](crate::DEFAULT_RECONNECT_DELAY), at most the
/// retry policy's `max_retry_after`. It reconnects at most `max_retries`
/// times in a row without a new event (the call's retry policy: the
/// client's, `#[retry(..)]` or [`CallOptions`](crate::CallOptions)); then
/// the error that dropped it is yielded, with
/// [`Error::not_retried`] saying why, and the stream ends. Only requests that
/// may be sent again reconnect: an idempotent method (GET, ...) or one marked
/// `#[idempotent]`, with a body that can be replayed; a chat-completions
/// `POST` does not, since sending it again would start another completion.
///
/// A reconnect answered with a status that is not a success (after the
/// retry and auth layers had their go), or with something other than
/// `text/event-stream`, yields that typed error and ends the stream.
///
/// **Errors.** An event whose data does not decode yields an
/// [`Error::Decode`] naming the event ([`DecodeError::event`](crate::DecodeError::event)
/// and [`event_id`](crate::DecodeError::event_id)), and the stream goes on.
/// A line or an event's data larger than the client's `max_body_size` yields
/// [`Error::BodyTooLarge`] and ends it. A body silent for the attempt
/// timeout ([`ClientBuilder::attempt_timeout`](crate::ClientBuilder::attempt_timeout))
/// counts as a dropped connection: it reconnects, and once it may not, it
/// yields [`Error::Timeout`] (of kind [`Idle`](crate::TimeoutKind::Idle)).
/// Servers keep a quiet stream alive with comment lines (`:`), which reset
/// the idle limit. Without an attempt timeout (the default) a silent stream
/// waits as long as the connection lives: set one, for the client or with
/// [`CallOptions::attempt_timeout`](crate::CallOptions::attempt_timeout),
/// a little longer than the server's heartbeat.
///
/// It is lazy, `Send` and `Unpin`; dropping it closes the connection.
///
/// ```
/// use futures::StreamExt;
/// use restrait::{resource, EventStream, Result};
///
/// #[derive(serde::Deserialize)]
/// pub struct Delta { pub content: String }
///
/// #[resource]
/// pub trait Chat {
///     #[post("/chat/completions")]
///     #[sse(done = "[DONE]")]
///     async fn complete(&self, #[body] prompt: &serde_json::Value) -> Result<EventStream<Delta>>;
/// }
///
/// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<()> {
/// # use restrait::{http::Method, testing::{MockResponse, MockTransport}};
/// # let mock = MockTransport::new().route(Method::POST, "/chat/completions", MockResponse::new(200)
/// #     .header("content-type", "text/event-stream")
/// #     .chunks(["data: {\"content\":\"Hel\"}\n\n", ": a comment\n\ndata: {\"content\":\"lo\"}\n\n"])
/// #     .chunk("data: [DONE]\n\n"));
/// let client = restrait::Client::builder("https://api.example.com")
/// #   .transport(mock)
///     .build()?;
/// let chat = ChatClient::new(client);
/// let mut text = String::new();
/// let mut events = chat.complete(&serde_json::json!({"stream": true})).await?;
/// while let Some(event) = events.next().await {
///     text.push_str(&event?.data.content);
/// }
/// assert_eq!(text, "Hello");
/// # Ok(()) }
/// ```
pub struct EventStream<T> {
    state: State,
    parser: Parser,
    reconnect: std::result::Result<Reconnect, &'static str>,
    /// The data of the event that ends the stream.
    done: Option<&'static str>,
    /// Events dispatched so far, for the errors that name one.
    events: u64,
    status: StatusCode,
    call: CallInfo,
    _data: PhantomData<fn() -> T>,
}

// Mostly `Reading`, and never moved once the stream is polled: boxing the
// body would only add an allocation per connection.
#[allow(clippy::large_enum_variant)]
enum State {
    Reading(ResponseBody),
    Connecting(Connecting),
    Done,
}

impl<T> EventStream<T> {
    /// The stream over a live 2xx `response`, which reconnects with
    /// `request` through `client` (see [`Reconnect::new`]). A line or an
    /// event's data may be as large as a whole buffered body may be.
    pub(crate) fn new(
        response: Response,
        client: Client,
        request: Option<Request>,
    ) -> Result<Self> {
        let max = usize::try_from(client.inner.max_body_size).unwrap_or(usize::MAX);
        let reconnect = Reconnect::new(client, request);
        EventStream::start(response, max, reconnect)
    }

    /// The stream over a body already in memory; it cannot reconnect.
    pub(crate) fn buffered(response: &Response<Bytes>) -> Result<Self> {
        let max = response.body.len().max(1);
        let mut live = Response::new(
            response.status,
            response.head.headers.clone(),
            ResponseBody::full(response.body.clone()),
        );
        live.head.call = response.head.call.clone();
        EventStream::start(live, max, Err("the body was read whole"))
    }

    fn start(
        response: Response,
        max: usize,
        reconnect: std::result::Result<Reconnect, &'static str>,
    ) -> Result<Self> {
        let state = if response.status == StatusCode::NO_CONTENT {
            State::Done
        } else {
            check_content_type(&response)?;
            State::Reading(response.body)
        };
        Ok(EventStream {
            state,
            parser: Parser::new(Limits {
                max_line: max,
                max_data: max,
            }),
            reconnect,
            done: None,
            events: 0,
            status: response.status,
            call: response.head.call,
            _data: PhantomData,
        })
    }

    /// Ends the stream at an event whose data is `done` (`#[sse(done = "..")]`).
    pub(crate) fn until(mut self, done: Option<&'static str>) -> Self {
        self.done = done;
        self
    }

    /// The last event ID the server sent, which a reconnect sends as
    /// `Last-Event-ID`; keep it to resume the stream in a later call (pass
    /// it as a `#[header("Last-Event-ID")]` parameter).
    pub fn last_event_id(&self) -> Option<&str> {
        self.parser.last_event_id()
    }

    /// The connection dropped, with `cause` (`None`: the server closed it):
    /// reconnect if the stream may, else end with what to yield.
    fn dropped(&mut self, cause: Option<Error>) -> Option<Option<Result<Event<T>>>> {
        match &cause {
            Some(e) => tracing::debug!(error = %e, "{}: the event stream dropped", self.call),
            None => tracing::debug!("{}: the server closed the event stream", self.call),
        }
        self.parser.end_of_stream();
        self.state = State::Done;
        let why = match &mut self.reconnect {
            Err(why) => *why,
            Ok(reconnect) => {
                match reconnect.start(self.parser.last_event_id(), self.parser.reconnection_time())
                {
                    Ok(connecting) => {
                        self.state = State::Connecting(connecting);
                        return None;
                    }
                    Err(Stop::Refused(why)) => why,
                    Err(Stop::Failed(e)) => return Some(Some(Err(e))),
                }
            }
        };
        let mut error = match (cause, self.done) {
            (Some(e), _) => e,
            (None, None) => return Some(None),
            (None, Some(done)) => Error::Transport(TransportError::new(
                TransportErrorKind::Body,
                format!(
                    "{}: the event stream ended before its terminator {done:?}",
                    self.call
                ),
                None,
            )),
        };
        error.set_not_retried(why);
        Some(Some(Err(error)))
    }

    fn too_large(&mut self, e: ParseError) -> Error {
        self.state = State::Done;
        Error::BodyTooLarge(Box::new(BodyTooLarge {
            limit: u64::try_from(e.limit()).unwrap_or(u64::MAX),
            call: self.call.clone(),
        }))
    }
}

impl<T: DeserializeOwned + 'static> EventStream<T> {
    /// A dispatched event: the end, or the item to yield.
    fn dispatched(&mut self, raw: RawEvent) -> Option<Result<Event<T>>> {
        if self.done == Some(raw.data.as_str()) {
            self.state = State::Done;
            return None;
        }
        self.events = self.events.saturating_add(1);
        if let Ok(reconnect) = &mut self.reconnect {
            reconnect.failures = 0;
        }
        let source = Source {
            status: self.status,
            call: &self.call,
            number: self.events,
        };
        Some(Event::decode(raw, source))
    }
}

impl<T: DeserializeOwned + 'static> Stream for EventStream<T> {
    type Item = Result<Event<T>>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        loop {
            match &mut this.state {
                State::Done => return Poll::Ready(None),
                State::Connecting(connecting) => match ready!(connecting.as_mut().poll(cx)) {
                    Ok(Some(response)) => {
                        this.status = response.status;
                        this.state = State::Reading(response.body);
                    }
                    Ok(None) => this.state = State::Done,
                    Err(e) => {
                        this.state = State::Done;
                        return Poll::Ready(Some(Err(e)));
                    }
                },
                State::Reading(body) => {
                    match this.parser.next_event() {
                        Ok(Some(raw)) => return Poll::Ready(this.dispatched(raw)),
                        Ok(None) => {}
                        Err(e) => return Poll::Ready(Some(Err(this.too_large(e)))),
                    }
                    let cause = match ready!(body.poll_next_unpin(cx)) {
                        Some(Ok(chunk)) => {
                            this.parser.push(chunk);
                            continue;
                        }
                        Some(Err(e)) => Some(e),
                        None => None,
                    };
                    if let Some(end) = this.dropped(cause) {
                        return Poll::Ready(end);
                    }
                }
            }
        }
    }
}

impl<T> fmt::Debug for EventStream<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = match self.state {
            State::Reading(_) => "reading",
            State::Connecting(_) => "reconnecting",
            State::Done => "done",
        };
        f.debug_struct("EventStream")
            .field("call", &self.call)
            .field("state", &state)
            .field("events", &self.events)
            .finish_non_exhaustive()
    }
}

#[allow(dead_code)]
fn _assert_impls() {
    fn assert_send<T: Send + Unpin + 'static>() {}
    assert_send::<EventStream<String>>();
    assert_send::<EventStream<std::rc::Rc<u8>>>();
}
