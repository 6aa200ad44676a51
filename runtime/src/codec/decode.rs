//! A response body decoded with a [`Codec`]: the `Decode` kind the macro
//! picks for a `Result<T>` whose codec is not JSON.

use std::marker::PhantomData;

use bytes::Bytes;
use serde::de::DeserializeOwned;

use super::Codec;
use crate::error::{DecodeError, Error, Result};
use crate::redact::Excerpt;
use crate::response::Response;
use crate::response::decode::Decode;

/// A body decoded as `T` with the codec `C`.
pub struct Decoded<C, T>(PhantomData<fn() -> (C, T)>);

impl<C: Codec, T: DeserializeOwned> Decode for Decoded<C, T> {
    type Output = T;
    const ACCEPT: Option<&'static str> = Some(C::ACCEPT);
    fn decode(response: Response<Bytes>) -> Result<T> {
        decode_with::<C, T>(&response)
    }
    fn decode_keeping_head(response: Response<Bytes>) -> Result<(T, Response<()>)> {
        let value = decode_with::<C, T>(&response)?;
        Ok((value, response.map(drop)))
    }
}

/// The body of `response` decoded as `T` with `C`.
fn decode_with<C: Codec, T: DeserializeOwned>(response: &Response<Bytes>) -> Result<T> {
    C::decode(&response.body).map_err(|e| {
        Error::Decode(Box::new(DecodeError {
            status: response.status,
            call: response.head.call.clone(),
            target: std::any::type_name::<T>(),
            path: e.path().to_owned(),
            message: e.message().to_owned(),
            excerpt: Excerpt(&response.body).to_text(),
            line: None,
            event: None,
            source: None,
        }))
    })
}
