//! The loopback test server lives in the tests crate's library
//! (`restrait_tests::server`) so that every test file shares one copy;
//! this module only re-exports it for `mod support;`.

#[allow(unused_imports)]
pub(crate) use restrait_tests::{Recorded, Reply, TestServer};
