//! Upload progress callbacks.

use std::sync::Arc;

use futures::StreamExt;

use super::{BodyStream, len_u64};

/// How much of a request body has been sent, as given to
/// [`Body::on_progress`](super::Body::on_progress).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UploadProgress {
    /// Bytes sent so far.
    pub bytes: u64,
    /// The whole length, when it is known.
    pub total: Option<u64>,
}

pub(super) type ProgressFn = Arc<dyn Fn(UploadProgress) + Send + Sync>;

/// Calls `callback` after each chunk that `stream` yields.
pub(super) fn report(stream: BodyStream, total: Option<u64>, callback: ProgressFn) -> BodyStream {
    let mut sent: u64 = 0;
    Box::pin(stream.map(move |item| {
        if let Ok(chunk) = &item {
            sent = sent.saturating_add(len_u64(chunk.len()));
            callback(UploadProgress { bytes: sent, total });
        }
        item
    }))
}
