//! `Event<T>`: one server-sent event, its data decoded.

use std::any::Any;
use std::time::Duration;

use http::StatusCode;
use serde::de::DeserializeOwned;

use super::parse::RawEvent;
use crate::error::{CallInfo, Error, EventOrigin, Result};
use crate::response::json::{Origin, decode};

/// One server-sent event of an [`EventStream`](crate::EventStream).
///
/// `data` is the event's `data` lines (joined with `\n`) decoded as JSON
/// into `T`, or, for `T = String`, the text itself, undecoded.
///
/// ```
/// # use restrait::Event;
/// # fn show(event: Event<String>) {
/// match event.event.as_str() {
///     "ping" => {}
///     _ => println!("{} (id {:?}): {}", event.event, event.id, event.data),
/// }
/// # }
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event<T> {
    /// The event type: `message` unless the server sent an `event:` field.
    pub event: String,
    /// The event's data, decoded.
    pub data: T,
    /// The last event ID when the event arrived (an `id:` field sticks to
    /// the events after it until another one changes it); `None` when the
    /// server has not sent one, or cleared it. A reconnect sends it as
    /// `Last-Event-ID`.
    pub id: Option<String>,
    /// The reconnection delay the server set with a `retry:` field among
    /// this event's lines, if it did.
    pub retry: Option<Duration>,
}

/// Which response an event came from, and its number, for its errors.
pub(super) struct Source<'a> {
    pub(super) status: StatusCode,
    pub(super) call: &'a CallInfo,
    pub(super) number: u64,
}

impl<T: DeserializeOwned + 'static> Event<T> {
    /// Decodes the data of `raw`: as it is for `T = String`, else as JSON,
    /// a failure being an [`Error::Decode`] that names the event.
    pub(super) fn decode(raw: RawEvent, source: Source<'_>) -> Result<Event<T>> {
        let RawEvent {
            event,
            data,
            id,
            retry,
        } = raw;
        let data = match text_as::<T>(data) {
            Ok(text) => text,
            Err(data) => {
                let origin = Origin {
                    status: source.status,
                    call: source.call,
                    line: None,
                };
                decode(data.as_bytes(), origin).map_err(|mut e| {
                    if let Error::Decode(d) = &mut e {
                        d.event = Some(EventOrigin {
                            number: source.number,
                            id: id.clone(),
                        });
                    }
                    e
                })?
            }
        };
        Ok(Event {
            event,
            data,
            id,
            retry,
        })
    }
}

/// `data` itself when `T` is `String`, else `data` back.
fn text_as<T: 'static>(data: String) -> std::result::Result<T, String> {
    let mut slot = Some(data);
    match (&mut slot as &mut dyn Any)
        .downcast_mut::<Option<T>>()
        .and_then(Option::take)
    {
        Some(text) => Ok(text),
        None => Err(slot.unwrap_or_default()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw(data: &str, id: Option<&str>) -> RawEvent {
        RawEvent {
            event: "message".into(),
            data: data.into(),
            id: id.map(str::to_owned),
            retry: None,
        }
    }

    fn source(call: &CallInfo) -> Source<'_> {
        Source {
            status: StatusCode::OK,
            call,
            number: 4,
        }
    }

    #[test]
    fn a_string_gets_the_data_as_it_is_and_other_types_json() {
        let call = CallInfo::new(http::Method::GET, "/feed");
        let text = Event::<String>::decode(raw("\"a\"\n{b", None), source(&call)).expect("text");
        assert_eq!(text.data, "\"a\"\n{b");
        let json = Event::<Vec<u32>>::decode(raw("[1,\n2]", None), source(&call)).expect("json");
        assert_eq!(json.data, [1, 2]);
        let value = Event::<serde_json::Value>::decode(raw("\"a\"", None), source(&call));
        assert_eq!(value.expect("json").data, "a");
    }

    #[test]
    fn bad_data_is_a_decode_error_naming_the_event() {
        #[derive(Debug, serde::Deserialize)]
        struct Chunk {
            #[allow(dead_code)]
            n: u32,
        }
        let call = CallInfo::new(http::Method::POST, "/chat");
        let Err(Error::Decode(e)) =
            Event::<Chunk>::decode(raw(r#"{"n":"x"}"#, Some("7")), source(&call))
        else {
            panic!("a string is not a u32");
        };
        assert_eq!(
            (e.event(), e.event_id(), e.path()),
            (Some(4), Some("7"), "n")
        );
        let shown = e.to_string();
        assert!(
            shown.starts_with("POST /chat: cannot decode event 4 (id \"7\") of the 200 OK"),
            "{shown}"
        );
        let Err(Error::Decode(e)) = Event::<Chunk>::decode(raw("nope", None), source(&call)) else {
            panic!("not JSON");
        };
        assert_eq!((e.event(), e.event_id(), e.line()), (Some(4), None, None));
    }
}
