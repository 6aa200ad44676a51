//! The body of a [`MockResponse`](super::MockResponse): bytes, or a script
//! of chunks, pauses and a dropped connection played as a stream.

use std::collections::VecDeque;
use std::time::Duration;

use bytes::Bytes;
use futures::stream::{self, StreamExt};

use crate::error::{TransportError, TransportErrorKind};
use crate::response::ResponseBody;

/// One step of a streamed mock body.
#[derive(Clone, Debug)]
pub(super) enum Step {
    Chunk(Bytes),
    Pause(Duration),
    Drop,
}

/// What a mock answers with: the whole body at once, or step by step.
#[derive(Clone, Debug)]
pub(super) enum MockBody {
    Full(Bytes),
    Steps(Vec<Step>),
}

impl MockBody {
    /// Adds a step, turning a body in memory into a script that starts with it.
    pub(super) fn push(&mut self, step: Step) {
        match self {
            MockBody::Full(bytes) => {
                let mut steps = Vec::new();
                if !bytes.is_empty() {
                    steps.push(Step::Chunk(std::mem::take(bytes)));
                }
                steps.push(step);
                *self = MockBody::Steps(steps);
            }
            MockBody::Steps(steps) => steps.push(step),
        }
    }

    /// The response body: chunks as they come, pauses on tokio's clock (so
    /// tests with paused time run at once), a dropped connection as a
    /// transport error, after which the stream ends.
    pub(super) fn into_body(self, len: Option<u64>) -> ResponseBody {
        let steps = match self {
            MockBody::Full(bytes) => return ResponseBody::full(bytes),
            MockBody::Steps(steps) => VecDeque::from(steps),
        };
        let played = stream::unfold(Some(steps), |steps| async move {
            let mut steps = steps?;
            loop {
                match steps.pop_front()? {
                    Step::Chunk(bytes) => return Some((Ok(bytes), Some(steps))),
                    Step::Pause(wait) => tokio::time::sleep(wait).await,
                    Step::Drop => {
                        let e = TransportError::new(
                            TransportErrorKind::Body,
                            "connection closed mid-body (mock)",
                            None,
                        );
                        return Some((Err(e), None));
                    }
                }
            }
        });
        ResponseBody::from_stream(played.boxed()).with_len(len)
    }
}
