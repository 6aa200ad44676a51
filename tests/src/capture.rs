//! Capturing what `tracing` writes, for tests that look for span fields or
//! for secrets that must not be there.

use std::io::Write;
use std::sync::{Arc, Mutex, MutexGuard};

use tracing::subscriber::DefaultGuard;

/// A buffer that a `tracing_subscriber::fmt` subscriber writes into.
#[derive(Clone, Default)]
pub struct LogCapture(Arc<Mutex<Vec<u8>>>);

impl LogCapture {
    /// Makes a capture and installs a subscriber at `level` for the current
    /// thread (until the guard is dropped).
    ///
    /// `tracing` caches each callsite's interest process-wide, computed where
    /// it is first reached: a sibling test without a subscriber may have
    /// cached "never". Call [`LogCapture::refresh`] after the code under test
    /// has reached its callsites once, or reach them before installing.
    pub fn install(level: tracing::Level) -> (LogCapture, DefaultGuard) {
        let capture = LogCapture::default();
        let guard = tracing::subscriber::set_default(capture.subscriber(level));
        tracing::callsite::rebuild_interest_cache();
        (capture, guard)
    }

    /// Makes a capture and installs it as the process-wide subscriber, for
    /// tests whose work runs on several threads. Fails if the process
    /// already has one: such a test must be alone in its test binary.
    pub fn install_global(level: tracing::Level) -> Result<LogCapture, String> {
        let capture = LogCapture::default();
        tracing::subscriber::set_global_default(capture.subscriber(level))
            .map_err(|e| e.to_string())?;
        tracing::callsite::rebuild_interest_cache();
        Ok(capture)
    }

    fn subscriber(&self, level: tracing::Level) -> impl tracing::Subscriber + Send + Sync {
        let writer = self.clone();
        tracing_subscriber::fmt()
            .with_max_level(level)
            .with_ansi(false)
            .with_writer(move || writer.clone())
            .finish()
    }

    /// Recomputes every callsite's interest against the current subscriber.
    pub fn refresh(&self) {
        tracing::callsite::rebuild_interest_cache();
    }

    /// Forgets what was written so far.
    pub fn clear(&self) {
        lock(&self.0).clear();
    }

    /// Everything written so far.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&lock(&self.0)).into_owned()
    }
}

fn lock(m: &Mutex<Vec<u8>>) -> MutexGuard<'_, Vec<u8>> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl Write for LogCapture {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        lock(&self.0).extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}
