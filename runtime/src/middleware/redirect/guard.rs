//! The redirect layer's guard at the bottom of the chain, just above the
//! transport, and the marks the layer leaves on a hop for it.

use std::future::Future;
use std::sync::{Arc, Mutex, PoisonError};

use futures::future::Either;

use crate::client::ClientInner;
use crate::error::{Error, RedirectError, RedirectErrorKind, Result};
use crate::request::Request;
use crate::response::Response;

use super::credentials::strip_credentials;

/// Sends one attempt; when the client's redirect guard is on, first strips
/// credential headers from a hop away from the client's origin once more
/// (whatever middleware below the redirect layer added), notes the query
/// the hop was sent with (for the redirect layer), and turns a redirect
/// that the transport followed on its own (a `reqwest::Client` handed in
/// with another policy than `Policy::none()`) into [`Error::Redirect`], so
/// that retry does not send it again.
///
/// The attempt's future is boxed: it is the bottom of every call, and
/// inline it would add its size to the chain's, which is boxed once per
/// call too and is kept within what glibc's per-thread cache serves (see
/// the chain's size test). Layers make their inner futures in place
/// (`pin!`), so a size costs copies only where a future is boxed.
pub(crate) fn guarded_send(
    client: &ClientInner,
    mut request: Request,
) -> impl Future<Output = Result<Response>> + Send + '_ {
    if !client.layers.guard {
        return Either::Left(Box::pin(client.send_attempt(request)));
    }
    if request.parts.extensions.get::<AwayHop>().is_some() {
        // A header a middleware of yours added for the base origin (a
        // hand-made auth, say) does not go elsewhere either.
        strip_credentials(&mut request.parts.headers);
    }
    if let Some(probe) = request.parts.extensions.get::<SentQuery>() {
        probe.set(request.parts.url.query());
    }
    let call = request.call_info();
    // Made here, not in the `async` block: there the request would take
    // room of its own beside the attempt's future.
    let attempt = Box::pin(client.send_attempt(request));
    Either::Right(async move {
        match attempt.await {
            Err(Error::Transport(e)) => {
                match crate::transport::followed_redirect(&e).map(str::to_owned) {
                    Some(location) => Err(Error::Redirect(Box::new(RedirectError {
                        kind: RedirectErrorKind::FollowedByTransport,
                        call,
                        status: None,
                        hops: 0,
                        location: Some(location),
                    }))),
                    None => Err(Error::Transport(e)),
                }
            }
            other => other,
        }
    })
}

/// Marks a redirect hop that leaves the client's origin, for
/// [`guarded_send`].
#[derive(Clone, Copy)]
pub(super) struct AwayHop;

/// Where [`guarded_send`] leaves the query of the last attempt of a hop, as
/// it went out (auth's pairs included).
#[derive(Clone, Default)]
pub(super) struct SentQuery(Arc<Mutex<Option<String>>>);

impl SentQuery {
    fn set(&self, query: Option<&str>) {
        let mut slot = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        *slot = query.map(str::to_owned);
    }

    pub(super) fn take(&self) -> Option<String> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner).take()
    }
}
