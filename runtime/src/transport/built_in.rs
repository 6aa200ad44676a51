//! The client's transport: a built-in one is called directly, so that its
//! future sits in the attempt's future, not in a box of its own.

use std::any::Any;
use std::fmt;
use std::future::Future;

use futures::future::Either;

#[cfg(feature = "hyper-transport")]
use super::HyperTransport;
use super::{ReqwestTransport, Transport, TransportResponse};
use crate::error::TransportError;
use crate::request::Request;

/// The transport a client sends through.
#[allow(
    clippy::large_enum_variant,
    reason = "one per client, in its `Arc`: a box would add a pointer to follow on every call"
)]
pub(crate) enum ClientTransport {
    Reqwest(ReqwestTransport),
    #[cfg(feature = "hyper-transport")]
    Hyper(HyperTransport),
    /// Any other [`Transport`], whose futures are boxed.
    Other(Box<dyn Transport>),
}

impl ClientTransport {
    /// `transport`, called directly if it is a built-in one (a clone of it,
    /// which shares its connection pool).
    pub(crate) fn new<T: Transport>(transport: T) -> Self {
        let any: &dyn Any = &transport;
        if let Some(reqwest) = any.downcast_ref::<ReqwestTransport>() {
            return ClientTransport::Reqwest(reqwest.clone());
        }
        #[cfg(feature = "hyper-transport")]
        if let Some(hyper) = any.downcast_ref::<HyperTransport>() {
            return ClientTransport::Hyper(hyper.clone());
        }
        ClientTransport::Other(Box::new(transport))
    }

    /// Sends `request`.
    pub(crate) fn send(
        &self,
        request: Request,
    ) -> impl Future<Output = Result<TransportResponse, TransportError>> + Send + '_ {
        match self {
            ClientTransport::Reqwest(t) => Either::Left(t.send_inline(request)),
            #[cfg(feature = "hyper-transport")]
            ClientTransport::Hyper(t) => Either::Right(Either::Left(t.send_inline(request))),
            #[cfg(feature = "hyper-transport")]
            ClientTransport::Other(t) => Either::Right(Either::Right(t.send(request))),
            #[cfg(not(feature = "hyper-transport"))]
            ClientTransport::Other(t) => Either::Right(t.send(request)),
        }
    }
}

/// The transport's own `Debug`.
impl fmt::Debug for ClientTransport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ClientTransport::Reqwest(t) => t.fmt(f),
            #[cfg(feature = "hyper-transport")]
            ClientTransport::Hyper(t) => t.fmt(f),
            ClientTransport::Other(t) => t.fmt(f),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::MockTransport;

    #[test]
    fn a_built_in_transport_handed_in_is_called_directly() {
        let reqwest = ReqwestTransport::new(reqwest::Client::new());
        assert!(matches!(
            ClientTransport::new(reqwest),
            ClientTransport::Reqwest(_)
        ));
        #[cfg(feature = "hyper-transport")]
        {
            let hyper = HyperTransport::new().expect("hyper transport");
            assert!(matches!(
                ClientTransport::new(hyper),
                ClientTransport::Hyper(_)
            ));
        }
        let mock = ClientTransport::new(MockTransport::new());
        assert!(matches!(mock, ClientTransport::Other(_)));
        assert!(format!("{mock:?}").starts_with("MockTransport"), "{mock:?}");
    }
}
