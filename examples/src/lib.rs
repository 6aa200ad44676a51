//! Support for restrait's examples: an embedded demo API, so that every
//! example runs without a network.

pub mod demo;
