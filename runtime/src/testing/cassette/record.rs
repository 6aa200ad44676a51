//! Recording: send through the real transport, copy the exchange as its
//! body goes by, write the scrubbed cassette when the body ends.

use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};

use bytes::{Bytes, BytesMut};
use futures::Stream;
use http::{HeaderMap, StatusCode};

use super::format::{self, FORMAT_VERSION, Interaction};
use super::scrub::{RawRequest, RawResponse, Scrubber};
use super::{Cassette, CassetteError};
use crate::error::{TransportError, TransportErrorKind};
use crate::request::Request;
use crate::response::ResponseBody;
use crate::testing::lock;
use crate::transport::{Transport, TransportResponse};

/// The recording side of a cassette: the real transport and the
/// exchanges so far, in the order their requests were sent.
pub(super) struct Recorder {
    transport: Arc<dyn Transport>,
    /// One slot per request sent; filled when its response body ends
    /// (`None` for a request that got no response).
    slots: Mutex<Vec<Option<(RawRequest, RawResponse)>>>,
}

impl Recorder {
    pub(super) fn new(transport: Arc<dyn Transport>) -> Self {
        Recorder {
            transport,
            slots: Mutex::new(Vec::new()),
        }
    }

    pub(super) async fn send(
        &self,
        cassette: &Cassette,
        request: Request,
    ) -> Result<TransportResponse, TransportError> {
        let raw = RawRequest::of(&request);
        let slot = {
            let mut slots = lock(&self.slots);
            slots.push(None);
            slots.len() - 1
        };
        let response = self.transport.send(request).await?;
        let head = Head {
            status: response.status,
            headers: response.headers.clone(),
        };
        let body = response.body;
        let body = match body.as_bytes().cloned() {
            Some(bytes) => {
                if bytes.len() as u64 > cassette.max_body_size {
                    return Err(CassetteError::TooLarge {
                        limit: cassette.max_body_size,
                    }
                    .into_transport(TransportErrorKind::Body));
                }
                finish(cassette, slot, raw, &head, bytes, None)
                    .map_err(|e| e.into_transport(TransportErrorKind::Body))?;
                body
            }
            _ => {
                let len = body.content_length();
                ResponseBody::from_stream(Tee {
                    inner: body,
                    seen: BytesMut::new(),
                    pending: Some((cassette.clone(), slot, raw, head)),
                })
                .with_len(len)
            }
        };
        Ok(TransportResponse {
            status: response.status,
            headers: response.headers,
            body,
        })
    }
}

struct Head {
    status: StatusCode,
    headers: HeaderMap,
}

/// Puts the exchange in its slot and writes the whole cassette again,
/// scrubbed with every secret known so far (a token learned from a later
/// exchange is taken out of the earlier ones too).
fn finish(
    cassette: &Cassette,
    slot: usize,
    request: RawRequest,
    head: &Head,
    body: Bytes,
    error: Option<String>,
) -> Result<(), CassetteError> {
    let super::State::Record(recorder) = &*cassette.state else {
        return Ok(());
    };
    let response = RawResponse {
        status: head.status.as_u16(),
        headers: head.headers.clone(),
        body,
        error,
    };
    let mut slots = lock(&recorder.slots);
    if let Some(place) = slots.get_mut(slot) {
        *place = Some((request, response));
    }
    let done: Vec<&(RawRequest, RawResponse)> = slots.iter().flatten().collect();
    let secrets = Scrubber::learn(done.iter().map(|e| &e.0), done.iter().map(|e| &e.1));
    let file = format::File {
        version: FORMAT_VERSION,
        interactions: done
            .iter()
            .map(|(request, response)| Interaction {
                request: cassette.scrubber.request(request, &secrets),
                response: cassette.scrubber.response(response, &secrets),
            })
            .collect(),
    };
    format::write(&cassette.path, &file)
}

/// Hands the body on chunk by chunk while keeping a copy, and records the
/// exchange when the body ends, fails, or is dropped half read (a stream
/// the caller stopped reading: what was read is what replays).
struct Tee {
    inner: ResponseBody,
    seen: BytesMut,
    /// What the recording needs; taken when it is made.
    pending: Option<(Cassette, usize, RawRequest, Head)>,
}

impl Tee {
    fn record(&mut self, error: Option<String>) -> Result<(), CassetteError> {
        match self.pending.take() {
            Some((cassette, slot, request, head)) => finish(
                &cassette,
                slot,
                request,
                &head,
                std::mem::take(&mut self.seen).freeze(),
                error,
            ),
            None => Ok(()),
        }
    }
}

impl Stream for Tee {
    type Item = Result<Bytes, TransportError>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        if this.pending.is_none() {
            return Poll::Ready(None);
        }
        match Pin::new(&mut this.inner).poll_next(cx) {
            Poll::Pending => Poll::Pending,
            Poll::Ready(Some(Ok(chunk))) => {
                let limit = this.pending.as_ref().map_or(0, |p| p.0.max_body_size);
                let total = (this.seen.len() as u64).saturating_add(chunk.len() as u64);
                if total > limit {
                    this.pending = None;
                    let e = CassetteError::TooLarge { limit };
                    return Poll::Ready(Some(Err(e.into_transport(TransportErrorKind::Body))));
                }
                this.seen.extend_from_slice(&chunk);
                Poll::Ready(Some(Ok(chunk)))
            }
            Poll::Ready(Some(Err(e))) => {
                let e = match e {
                    crate::Error::Transport(t) => t,
                    other => TransportError::new(
                        TransportErrorKind::Body,
                        other.to_string(),
                        Some(Box::new(other)),
                    ),
                };
                if let Err(write) = this.record(Some(e.to_string())) {
                    return Poll::Ready(Some(Err(write.into_transport(TransportErrorKind::Body))));
                }
                Poll::Ready(Some(Err(e)))
            }
            Poll::Ready(None) => match this.record(None) {
                Ok(()) => Poll::Ready(None),
                Err(e) => Poll::Ready(Some(Err(e.into_transport(TransportErrorKind::Body)))),
            },
        }
    }
}

impl Drop for Tee {
    fn drop(&mut self) {
        // Nobody is left to hear about a failed write here; the next
        // exchange writes the whole file again.
        let _ = self.record(None);
    }
}
