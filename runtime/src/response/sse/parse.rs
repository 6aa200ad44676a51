//! The WHATWG "event stream interpretation", sans I/O: push byte chunks,
//! pull events. Nothing here knows about sockets, timers or reconnection.
//!
//! Lines are split on bytes and each line is UTF-8 decoded on its own (with
//! replacement characters, as the spec's decoder does). That is the same as
//! decoding the whole stream first: CR and LF never occur inside a UTF-8
//! sequence, so a multi-byte character split across chunks is simply
//! buffered with the rest of its line.

use std::mem;
use std::time::Duration;

use bytes::Bytes;

/// The UTF-8 byte order mark, stripped once at the start of a stream.
const BOM: &[u8] = b"\xEF\xBB\xBF";

/// How much one line and one event's data may hold, in bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Limits {
    pub(crate) max_line: usize,
    pub(crate) max_data: usize,
}

/// A limit that the stream ran past: the parser stops rather than grow.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ParseError {
    /// A line is longer than `Limits::max_line`.
    LineTooLong { limit: usize },
    /// An event's data is larger than `Limits::max_data`.
    DataTooLarge { limit: usize },
}

impl ParseError {
    pub(crate) fn limit(self) -> usize {
        match self {
            ParseError::LineTooLong { limit } | ParseError::DataTooLarge { limit } => limit,
        }
    }
}

/// One dispatched event, its data still text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RawEvent {
    /// The event type: `message` unless an `event` field said otherwise.
    pub(crate) event: String,
    /// The `data` lines joined with `\n`.
    pub(crate) data: String,
    /// The last event ID string when the event was dispatched (it persists
    /// across events); `None` when it is empty.
    pub(crate) id: Option<String>,
    /// A `retry` field given within this event's lines.
    pub(crate) retry: Option<Duration>,
}

/// The parser. Call [`push`](Parser::push) with a chunk, then
/// [`next_event`](Parser::next_event) until it returns `Ok(None)`, then push
/// the next chunk. Call [`end_of_stream`](Parser::end_of_stream) when a
/// connection ends; the parser is then ready for the next connection and
/// keeps the last event ID and the reconnection time.
#[derive(Debug)]
pub(crate) struct Parser {
    limits: Limits,
    /// The chunk being read, and how far.
    chunk: Bytes,
    pos: usize,
    /// A partial line carried over from earlier chunks.
    line: Vec<u8>,
    /// The last line ended in CR: an LF right after it (maybe in the next
    /// chunk) ends nothing.
    after_cr: bool,
    /// No line of this connection has been completed yet (the BOM check).
    first_line: bool,
    event_type: String,
    data: String,
    event_retry: Option<Duration>,
    last_event_id_buffer: String,
    last_event_id: String,
    reconnection_time: Option<Duration>,
}

impl Parser {
    pub(crate) fn new(limits: Limits) -> Self {
        Parser {
            limits,
            chunk: Bytes::new(),
            pos: 0,
            line: Vec::new(),
            after_cr: false,
            first_line: true,
            event_type: String::new(),
            data: String::new(),
            event_retry: None,
            last_event_id_buffer: String::new(),
            last_event_id: String::new(),
            reconnection_time: None,
        }
    }

    /// The last event ID string: what a reconnect sends as `Last-Event-ID`.
    pub(crate) fn last_event_id(&self) -> Option<&str> {
        Some(self.last_event_id.as_str()).filter(|id| !id.is_empty())
    }

    /// The reconnection time the server asked for with `retry`, if it did.
    pub(crate) fn reconnection_time(&self) -> Option<Duration> {
        self.reconnection_time
    }

    /// Gives the parser the next chunk. Any unread rest of the previous one
    /// is kept in front of it.
    pub(crate) fn push(&mut self, chunk: Bytes) {
        if self.pos < self.chunk.len() {
            let mut joined =
                Vec::with_capacity((self.chunk.len() - self.pos).saturating_add(chunk.len()));
            joined.extend_from_slice(&self.chunk[self.pos..]);
            joined.extend_from_slice(&chunk);
            self.chunk = Bytes::from(joined);
        } else {
            self.chunk = chunk;
        }
        self.pos = 0;
    }

    /// The next complete event in what was pushed, if there is one.
    pub(crate) fn next_event(&mut self) -> Result<Option<RawEvent>, ParseError> {
        while self.pos < self.chunk.len() {
            let rest = &self.chunk[self.pos..];
            if mem::take(&mut self.after_cr) && rest.first() == Some(&b'\n') {
                self.pos += 1;
                continue;
            }
            let Some(end) = rest.iter().position(|&b| b == b'\n' || b == b'\r') else {
                self.check_line(rest.len())?;
                self.line.extend_from_slice(rest);
                self.pos = self.chunk.len();
                break;
            };
            self.check_line(end)?;
            self.after_cr = rest[end] == b'\r';
            let line = if self.line.is_empty() {
                self.chunk.slice(self.pos..self.pos + end)
            } else {
                self.line.extend_from_slice(&rest[..end]);
                Bytes::from(mem::take(&mut self.line))
            };
            self.pos += end + 1;
            if let Some(event) = self.process_line(&line)? {
                return Ok(Some(event));
            }
        }
        Ok(None)
    }

    /// The connection ended: an incomplete event is discarded, and the next
    /// bytes pushed start a new stream (with its own BOM). The last event ID
    /// and the reconnection time survive.
    pub(crate) fn end_of_stream(&mut self) {
        self.chunk = Bytes::new();
        self.pos = 0;
        self.line = Vec::new();
        self.after_cr = false;
        self.first_line = true;
        self.event_type.clear();
        self.data.clear();
        self.event_retry = None;
        self.last_event_id_buffer.clone_from(&self.last_event_id);
    }

    fn check_line(&self, more: usize) -> Result<(), ParseError> {
        if self.line.len().saturating_add(more) > self.limits.max_line {
            return Err(ParseError::LineTooLong {
                limit: self.limits.max_line,
            });
        }
        Ok(())
    }

    fn process_line(&mut self, mut line: &[u8]) -> Result<Option<RawEvent>, ParseError> {
        if mem::take(&mut self.first_line) {
            line = line.strip_prefix(BOM).unwrap_or(line);
        }
        if line.is_empty() {
            return Ok(self.dispatch());
        }
        let line = String::from_utf8_lossy(line);
        let (field, value) = match line.find(':') {
            Some(0) => return Ok(None),
            Some(colon) => {
                let value = &line[colon + 1..];
                (&line[..colon], value.strip_prefix(' ').unwrap_or(value))
            }
            None => (&*line, ""),
        };
        self.process_field(field, value)?;
        Ok(None)
    }

    fn process_field(&mut self, field: &str, value: &str) -> Result<(), ParseError> {
        match field {
            "event" => value.clone_into(&mut self.event_type),
            "data" => {
                let size = self
                    .data
                    .len()
                    .saturating_add(value.len())
                    .saturating_add(1);
                if size > self.limits.max_data {
                    return Err(ParseError::DataTooLarge {
                        limit: self.limits.max_data,
                    });
                }
                self.data.push_str(value);
                self.data.push('\n');
            }
            "id" if !value.contains('\0') => value.clone_into(&mut self.last_event_id_buffer),
            "retry" if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) => {
                // All digits but too large for a u64: ignored like any other bad value.
                if let Ok(millis) = value.parse::<u64>() {
                    let retry = Duration::from_millis(millis);
                    self.reconnection_time = Some(retry);
                    self.event_retry = Some(retry);
                }
            }
            _ => {}
        }
        Ok(())
    }

    fn dispatch(&mut self) -> Option<RawEvent> {
        self.last_event_id.clone_from(&self.last_event_id_buffer);
        let retry = self.event_retry.take();
        if self.data.is_empty() {
            self.event_type.clear();
            return None;
        }
        let mut data = mem::take(&mut self.data);
        if data.ends_with('\n') {
            data.pop();
        }
        let event = match mem::take(&mut self.event_type) {
            name if name.is_empty() => "message".to_owned(),
            name => name,
        };
        Some(RawEvent {
            event,
            data,
            id: self.last_event_id().map(str::to_owned),
            retry,
        })
    }
}

#[cfg(test)]
#[path = "parse_tests.rs"]
mod tests;
