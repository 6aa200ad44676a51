//! Support for restrait's integration tests: a real HTTP/1.1 server on
//! 127.0.0.1 that records what it receives and counts connections and
//! requests in flight, so tests can assert on what actually went over the
//! wire.

pub mod capture;
pub mod fault;
pub mod helpers;
pub mod memory;
pub mod redis;
pub mod server;
pub mod tls;
pub mod transport;
pub mod upload;

pub use capture::LogCapture;
pub use redis::RedisServer;
pub use server::{Recorded, Reply, TestServer};
pub use transport::client_builder;
