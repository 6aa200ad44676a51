//! The blocking setting of [`ClientBuilder`] (the `blocking` feature).

use super::builder::ClientBuilder;
use crate::blocking::Client;
use crate::error::Result;

/// Blocking settings of [`ClientBuilder`].
impl ClientBuilder {
    /// Builds the client as [`build`](ClientBuilder::build) does and wraps
    /// it in a blocking [`Client`](crate::blocking::Client), with a runtime thread of its own.
    ///
    /// ```
    /// # fn main() -> restrait::Result<()> {
    /// use std::time::Duration;
    /// let client = restrait::Client::builder("https://api.example.com/v1")
    ///     .timeout(Duration::from_secs(30))
    ///     .build_blocking()?;
    /// # let _ = client; Ok(()) }
    /// ```
    pub fn build_blocking(self) -> Result<Client> {
        Client::new(self.build()?)
    }
}
