//! Server-sent events: the WHATWG parser and the typed stream over it.

mod parse;
