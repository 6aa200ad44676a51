//! The cassette shortcut of [`ClientBuilder`].

use std::path::Path;

use super::builder::ClientBuilder;
use crate::testing::Cassette;

impl ClientBuilder {
    /// Sends through a [`Cassette`] at `path`, as
    /// [`Cassette::from_env`] decides: records when `RESTRAIT_RECORD=1` or
    /// the file is missing, replays otherwise. A cassette that cannot be
    /// opened (corrupt, from a newer restrait, missing under
    /// `RESTRAIT_RECORD=0`) makes [`build`](Self::build) fail with
    /// [`Error::Config`](crate::Error::Config).
    ///
    /// The recording transport is a plain [`ReqwestTransport`](crate::ReqwestTransport):
    /// the builder's pool and connect settings do not apply to it. To
    /// configure the cassette (scrub rules, matching), build it yourself and
    /// pass it to [`transport`](Self::transport).
    ///
    /// ```
    /// # fn main() -> restrait::Result<()> {
    /// # let dir = std::env::temp_dir().join(format!("restrait-doc-b-{}", std::process::id()));
    /// let client = restrait::Client::builder("https://api.example.com")
    ///     .bearer_token("sk_test_123")
    ///     .cassette(dir.join("users.json"))
    ///     .build()?;
    /// # let _ = client; let _ = std::fs::remove_dir_all(dir); Ok(()) }
    /// ```
    pub fn cassette(mut self, path: impl AsRef<Path>) -> Self {
        match Cassette::from_env(path) {
            Ok(cassette) => self.transport(cassette),
            Err(e) => {
                self.push_error(e.to_string());
                self
            }
        }
    }
}
