//! Reading error response bodies: a human-readable message, the body
//! decoded as a resource's own error type (`#[resource(error = T)]`), and
//! a 2xx body that reports a failure (`#[resource(ok_field = "ok")]`).

use std::any::Any;
use std::borrow::Cow;
use std::collections::HashMap;

use bytes::Bytes;
use serde::de::DeserializeOwned;
use serde_json::Value;
use serde_json::value::RawValue;

use crate::error::{ApiError, Error};
use crate::response::Response;

/// An error body decoded as a resource's declared error type, type-erased
/// so that one [`ApiError`] carries any API's error.
pub(crate) struct Decoded {
    pub(crate) value: Box<dyn Any + Send + Sync>,
    /// For `Debug`: the value itself need not be `Debug`.
    pub(crate) type_name: &'static str,
}

/// Decodes an error body as a resource's declared type, if it is one.
type DecodeFn = fn(&[u8]) -> Option<Decoded>;

/// How a resource's API reports errors, beyond the status: carried in a
/// request's extensions by the generated code (see
/// `ResourceClient::with_error`), read where the call's answer becomes an
/// [`Error`].
#[derive(Clone, Copy, Default)]
pub(crate) struct ErrorShape {
    decode: Option<DecodeFn>,
    ok_field: Option<&'static str>,
    check: Option<CheckFn>,
}

/// `#[resource(check = path)]`: the message of a 2xx answer that reports
/// a failure, `None` for a success.
pub(crate) type CheckFn = fn(&Response<Bytes>) -> Option<String>;

impl ErrorShape {
    /// Error bodies are decoded as `T` too.
    #[must_use]
    pub(crate) fn with_error<T: DeserializeOwned + Send + Sync + 'static>(mut self) -> Self {
        self.decode = Some(decode_as::<T>);
        self
    }

    /// A 2xx body whose top-level `field` is `false` is an
    /// [`Error::Rejected`].
    #[must_use]
    pub(crate) fn with_ok_field(mut self, field: &'static str) -> Self {
        self.ok_field = Some(field);
        self
    }

    /// A 2xx answer for which `check` gives a message is an
    /// [`Error::Rejected`] with that message.
    #[must_use]
    pub(crate) fn with_check(mut self, check: CheckFn) -> Self {
        self.check = Some(check);
        self
    }

    /// Decodes the body of an API error as the declared type, once.
    pub(crate) fn error(&self, mut error: Error) -> Error {
        if let (Some(decode), Some(api)) = (self.decode, error.api_mut())
            && api.api_error.is_none()
        {
            api.api_error = decode(&api.body);
        }
        error
    }

    /// `Err(Error::Rejected)` for a 2xx body whose ok field is `false`,
    /// or that the resource's `check` function says failed, its error body
    /// decoded as for an HTTP error.
    pub(crate) fn check(&self, response: &Response<Bytes>) -> Result<(), Error> {
        let message = match (self.ok_field, self.check) {
            (Some(field), _) if reports_failure(&response.body, field) => {
                message_from_body(&response.body)
                    .unwrap_or_else(|| format!("the body's `{field}` is false"))
            }
            (_, Some(check)) => match check(response) {
                Some(message) => message,
                None => return Ok(()),
            },
            _ => return Ok(()),
        };
        let error = Error::Rejected(Box::new(ApiError {
            status: response.status,
            message,
            headers: response.head.headers.clone(),
            body: response.body.clone(),
            body_truncated: response.body_truncated,
            call: response.head.call.clone(),
            attempts: response.attempts,
            not_retried: None,
            api_error: None,
        }));
        Err(self.error(error))
    }
}

fn decode_as<T: DeserializeOwned + Send + Sync + 'static>(body: &[u8]) -> Option<Decoded> {
    let value: T = serde_json::from_slice(body).ok()?;
    Some(Decoded {
        value: Box::new(value),
        type_name: std::any::type_name::<T>(),
    })
}

/// True when `body` is a JSON object whose `field` is `false`. The other
/// fields are not decoded, only skipped.
fn reports_failure(body: &[u8], field: &str) -> bool {
    let Ok(object) = serde_json::from_slice::<HashMap<Cow<'_, str>, &RawValue>>(body) else {
        return false;
    };
    object.get(field).is_some_and(|v| v.get() == "false")
}

/// The message of an error body, from the shapes APIs commonly use:
/// `{"error":{"message":..}}` (Stripe, Google), `{"error":".."}` with an
/// optional `error_description` (OAuth2), `{"message":..}` (GitHub), and
/// RFC 7807 problem details (`title` and `detail`). `None` when the body is
/// not JSON or has none of these.
pub(crate) fn message_from_body(body: &[u8]) -> Option<String> {
    let value: Value = serde_json::from_slice(body).ok()?;
    let obj = value.as_object()?;
    if let Some(error) = obj.get("error") {
        match error {
            Value::Object(inner) => {
                if let Some(m) = text(inner.get("message")) {
                    return Some(m);
                }
            }
            Value::String(_) => {
                // A blank code is no code: the description alone, if any.
                let description = text(obj.get("error_description"));
                match (text(Some(error)), description) {
                    (Some(code), Some(d)) => return Some(format!("{code}: {d}")),
                    (Some(code), None) => return Some(code),
                    (None, Some(d)) => return Some(d),
                    (None, None) => {}
                }
            }
            _ => {}
        }
    }
    if let Some(m) = text(obj.get("message")) {
        return Some(m);
    }
    match (text(obj.get("title")), text(obj.get("detail"))) {
        (Some(t), Some(d)) => Some(format!("{t}: {d}")),
        (Some(t), None) => Some(t),
        (None, Some(d)) => Some(d),
        (None, None) => None,
    }
}

fn text(value: Option<&Value>) -> Option<String> {
    match value? {
        Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_owned()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::message_from_body as m;

    #[test]
    fn only_an_explicit_false_reports_a_failure() {
        let fails = |body: &str| super::reports_failure(body.as_bytes(), "ok");
        assert!(fails(r#"{"ok":false,"error":"invalid_auth"}"#));
        assert!(fails(r#"{"channel":{"id":"C1"}, "ok" : false}"#));
        assert!(
            fails(r#"{"o\u006b":false}"#),
            "an escaped key is the same key"
        );
        assert!(!fails(r#"{"ok":true,"channel":"C1"}"#));
        assert!(!fails(r#"{"ok":"false"}"#), "a string is not false");
        assert!(!fails(r#"{"channel":"C1"}"#), "no field, no failure");
        assert!(!fails(r#"[{"ok":false}]"#));
        assert!(!fails(""));
        assert!(!fails(r#"{"nested":{"ok":false}}"#));
    }

    #[test]
    fn common_shapes() {
        let cases: &[(&str, Option<&str>)] = &[
            (
                r#"{"error":{"message":"No such customer","type":"x"}}"#,
                Some("No such customer"),
            ),
            (r#"{"error":"invalid_grant"}"#, Some("invalid_grant")),
            (
                r#"{"error":"invalid_grant","error_description":"expired"}"#,
                Some("invalid_grant: expired"),
            ),
            (
                r#"{"message":"Not Found","documentation_url":"x"}"#,
                Some("Not Found"),
            ),
            (
                r#"{"type":"about:blank","title":"Out of credit","detail":"Balance 30"}"#,
                Some("Out of credit: Balance 30"),
            ),
            (r#"{"title":"Gone"}"#, Some("Gone")),
            (r#"{"detail":"only detail"}"#, Some("only detail")),
            (r#"{"error":{"code":5}}"#, None),
            (r#"{"message":""}"#, None),
            // Found by fuzzing: a blank code gave "  : expired".
            (
                r#"{"error":"  ","error_description":"expired"}"#,
                Some("expired"),
            ),
            (r#"{"error":" invalid_grant "}"#, Some("invalid_grant")),
            (r#"{"error":"","message":"fallback"}"#, Some("fallback")),
            (r#"[1,2]"#, None),
            ("not json", None),
            ("", None),
        ];
        for (body, want) in cases {
            assert_eq!(m(body.as_bytes()).as_deref(), *want, "{body}");
        }
    }
}
