//! hyper's response as a [`TransportResponse`]: the head at once, the body
//! a stream read as the caller reads it.

use futures::TryStreamExt;
use http_body::Body as _;
use http_body_util::BodyExt;
use hyper::body::Incoming;

use crate::response::ResponseBody;
use crate::transport::TransportResponse;

use super::error::body_error;

pub(super) fn from_hyper(response: http::Response<Incoming>) -> TransportResponse {
    let (head, body) = response.into_parts();
    let len = body.size_hint().exact();
    let chunks = body.into_data_stream().map_err(body_error);
    TransportResponse {
        status: head.status,
        headers: head.headers,
        body: ResponseBody::from_stream(chunks).with_len(len),
    }
}
