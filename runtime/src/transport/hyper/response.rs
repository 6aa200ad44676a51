//! hyper's response as a [`TransportResponse`]: the head at once, the body
//! read in place as the caller reads it.

use hyper::body::Incoming;

use crate::response::ResponseBody;
use crate::transport::TransportResponse;

pub(super) fn from_hyper(response: http::Response<Incoming>) -> TransportResponse {
    let (head, body) = response.into_parts();
    TransportResponse {
        status: head.status,
        headers: head.headers,
        body: ResponseBody::from_hyper(body),
    }
}
