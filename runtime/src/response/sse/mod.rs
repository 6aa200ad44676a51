//! Server-sent events: the WHATWG parser ([`parse`], sans I/O), the typed
//! event ([`event`]), reconnecting ([`reconnect`]) and the stream that ties
//! them together ([`stream`]).

mod event;
mod parse;
mod reconnect;
mod stream;

pub use event::Event;
pub use reconnect::DEFAULT_RECONNECT_DELAY;
pub use stream::EventStream;
