//! Finding a human-readable message in an error response body.

use serde_json::Value;

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
