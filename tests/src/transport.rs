//! The transport the wire tests run on, chosen by `RESTRAIT_TEST_TRANSPORT`:
//! `hyper` for [`HyperTransport`](restrait::HyperTransport), unset or
//! `reqwest` for the default. `.ci/run` runs the wire test binaries once
//! with each, so every test that builds its client with [`client_builder`]
//! checks both transports.

use restrait::{Client, ClientBuilder};

/// The environment variable that picks the transport.
pub const TRANSPORT_VAR: &str = "RESTRAIT_TEST_TRANSPORT";

/// Which transport the tests run on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TestTransport {
    /// [`ReqwestTransport`](restrait::ReqwestTransport), the default.
    Reqwest,
    /// [`HyperTransport`](restrait::HyperTransport).
    Hyper,
}

impl TestTransport {
    /// The transport named by `RESTRAIT_TEST_TRANSPORT`. Any other value
    /// than `hyper`, `reqwest` or nothing stops the test run, so a typo
    /// does not quietly test reqwest twice.
    pub fn from_env() -> TestTransport {
        match std::env::var(TRANSPORT_VAR).as_deref() {
            Err(_) | Ok("" | "reqwest") => TestTransport::Reqwest,
            Ok("hyper") => TestTransport::Hyper,
            Ok(other) => panic!("{TRANSPORT_VAR}={other}: expected `hyper` or `reqwest`"),
        }
    }
}

/// `Client::builder(base)` on the transport under test: what every wire
/// test uses instead of `Client::builder`. A `.transport(..)` or
/// `.reqwest_client*(..)` set on it afterwards still wins, so tests of a
/// mock or of reqwest itself keep theirs.
pub fn client_builder(base: impl Into<String>) -> ClientBuilder {
    let builder = Client::builder(base);
    match TestTransport::from_env() {
        TestTransport::Reqwest => builder,
        TestTransport::Hyper => builder.hyper_transport(),
    }
}
