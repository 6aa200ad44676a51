//! From text to an [`openapiv3::OpenAPI`]: JSON or YAML, 3.0 as it is and 3.1
//! normalised to 3.0 first (see [`normalise_31`]).

use openapiv3::OpenAPI;
use serde_json::{Map, Value};

use crate::error::{Error, child};

/// Parses a spec, and gives the `openapi` version as written (3.1 is
/// rewritten to 3.0.3 on the way). Errors name the JSON pointer of the node
/// that failed.
pub(crate) fn load(text: &str) -> Result<(OpenAPI, String), Error> {
    let mut value: Value = if text.trim_start().starts_with('{') {
        serde_json::from_str(text).map_err(|e| Error::Syntax {
            message: e.to_string(),
        })?
    } else {
        serde_norway::from_str(text).map_err(|e| Error::Syntax {
            message: e.to_string(),
        })?
    };
    let version = match value.get("openapi") {
        Some(Value::String(v)) => v.clone(),
        Some(other) => other.to_string(),
        None => String::new(),
    };
    if version.starts_with("3.1") {
        normalise_31(&mut value);
    } else if !version.starts_with("3.0") {
        return Err(Error::Version { version });
    }
    if !value.is_object() {
        return Err(Error::invalid("", "the document must be an object"));
    }
    match serde_path_to_error::deserialize::<_, OpenAPI>(&value) {
        Ok(spec) => Ok((spec, version)),
        Err(e) => {
            let pointer = pointer_of(e.path());
            // openapiv3 flattens maps (paths, responses), which hides the
            // path below them: find the node by reading its parts one by one.
            Err(narrow(&value)
                .unwrap_or_else(|| Error::invalid(&pointer, e.into_inner().to_string())))
        }
    }
}

/// The first node under `paths` or `components` that does not read as what
/// it should be, as an error with its pointer.
fn narrow(doc: &Value) -> Option<Error> {
    use openapiv3::{Operation, Parameter, ReferenceOr, RequestBody, Response, Schema};
    let mut paths: Vec<(&String, &Value)> = doc.get("paths")?.as_object()?.iter().collect();
    paths.sort_by(|a, b| a.0.cmp(b.0));
    for (path, item) in paths {
        let at = child("/paths", path);
        for verb in [
            "get", "put", "post", "delete", "options", "head", "patch", "trace",
        ] {
            let Some(op) = item.get(verb) else { continue };
            let at = child(&at, verb);
            if let Some(responses) = op.get("responses").and_then(Value::as_object) {
                for (code, response) in responses {
                    let at = child(&child(&at, "responses"), code);
                    if let Some(e) = check::<ReferenceOr<Response>>(response, &at) {
                        return Some(e);
                    }
                }
            }
            if let Some(e) = check::<Operation>(op, &at) {
                return Some(e);
            }
        }
        if let Some(params) = item.get("parameters")
            && let Some(e) = check::<Vec<ReferenceOr<Parameter>>>(params, &child(&at, "parameters"))
        {
            return Some(e);
        }
    }
    let components = doc.get("components")?;
    for (section, at) in [
        ("schemas", 0),
        ("parameters", 1),
        ("responses", 2),
        ("requestBodies", 3),
    ] {
        let Some(entries) = components.get(section).and_then(Value::as_object) else {
            continue;
        };
        for (key, node) in entries {
            let pointer = child(&child("/components", section), key);
            let e = match at {
                0 => check::<ReferenceOr<Schema>>(node, &pointer),
                1 => check::<ReferenceOr<Parameter>>(node, &pointer),
                2 => check::<ReferenceOr<Response>>(node, &pointer),
                _ => check::<ReferenceOr<RequestBody>>(node, &pointer),
            };
            if e.is_some() {
                return e;
            }
        }
    }
    None
}

fn check<T: serde::de::DeserializeOwned>(node: &Value, at: &str) -> Option<Error> {
    serde_path_to_error::deserialize::<_, T>(node)
        .err()
        .map(|e| {
            let inner = pointer_of(e.path());
            Error::invalid(&format!("{at}{inner}"), e.into_inner().to_string())
        })
}

fn pointer_of(path: &serde_path_to_error::Path) -> String {
    use serde_path_to_error::Segment;
    let mut pointer = String::new();
    for segment in path.iter() {
        pointer = match segment {
            Segment::Seq { index } => child(&pointer, &index.to_string()),
            Segment::Map { key } => child(&pointer, key),
            Segment::Enum { variant } => child(&pointer, variant),
            Segment::Unknown => pointer,
        };
    }
    pointer
}

/// Rewrites the 3.1 constructs that openapiv3 (a 3.0 model) cannot read
/// into their 3.0 equivalents, in place:
///
/// - `type: [T, "null"]` becomes `type: T` with `nullable: true`;
/// - a `{type: "null"}` member of `oneOf`/`anyOf` is dropped and the parent made nullable;
/// - `const: v` becomes `enum: [v]`;
/// - numeric `exclusiveMinimum`/`exclusiveMaximum` become `minimum`/`maximum` with the flag;
/// - `openapi` becomes `3.0.3`, and a missing `paths` an empty one (3.1 allows webhooks only).
///
/// Examples are left alone. Everything else 3.1 adds (webhooks,
/// `$ref` siblings, `contentMediaType`, ...) is ignored by openapiv3.
pub(crate) fn normalise_31(doc: &mut Value) {
    if let Value::Object(map) = doc {
        map.insert("openapi".into(), Value::String("3.0.3".into()));
        map.entry("paths")
            .or_insert_with(|| Value::Object(Map::new()));
    }
    walk(doc);
}

fn walk(value: &mut Value) {
    match value {
        Value::Object(map) => {
            schema_31(map);
            for (key, child) in map.iter_mut() {
                if key != "example" && key != "examples" {
                    walk(child);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(walk),
        _ => {}
    }
}

fn schema_31(map: &mut Map<String, Value>) {
    if let Some(Value::Array(types)) = map.get("type") {
        let nullable = types.iter().any(|t| t == "null");
        let rest: Vec<Value> = types.iter().filter(|t| *t != "null").cloned().collect();
        match rest.as_slice() {
            [one] => {
                map.insert("type".into(), one.clone());
            }
            _ => {
                map.remove("type");
            }
        }
        if nullable {
            map.insert("nullable".into(), Value::Bool(true));
        }
    }
    if map.get("type").is_some_and(|t| t == "null") {
        map.remove("type");
        map.insert("nullable".into(), Value::Bool(true));
    }
    for key in ["oneOf", "anyOf"] {
        if let Some(Value::Array(members)) = map.get_mut(key) {
            let before = members.len();
            members.retain(|m| !is_null_schema(m));
            if members.len() != before {
                map.insert("nullable".into(), Value::Bool(true));
            }
        }
    }
    if let Some(value) = map.remove("const") {
        map.insert("enum".into(), Value::Array(vec![value]));
    }
    for (flag, bound) in [
        ("exclusiveMinimum", "minimum"),
        ("exclusiveMaximum", "maximum"),
    ] {
        if let Some(n @ Value::Number(_)) = map.get(flag).cloned() {
            map.insert(bound.into(), n);
            map.insert(flag.into(), Value::Bool(true));
        }
    }
}

fn is_null_schema(value: &Value) -> bool {
    match value.get("type") {
        Some(t) if t == "null" => true,
        Some(Value::Array(types)) => types.iter().all(|t| t == "null"),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn normalises_31_nullability_const_and_bounds() {
        let mut doc = json!({
            "openapi": "3.1.0",
            "components": {"schemas": {"A": {
                "type": ["string", "null"],
                "const": "x",
                "exclusiveMinimum": 3,
                "anyOf": [{"$ref": "#/components/schemas/B"}, {"type": "null"}],
                "examples": [{"type": ["keep", "null"]}]
            }}}
        });
        normalise_31(&mut doc);
        assert_eq!(
            doc,
            json!({
                "openapi": "3.0.3",
                "paths": {},
                "components": {"schemas": {"A": {
                    "type": "string",
                    "nullable": true,
                    "enum": ["x"],
                    "minimum": 3,
                    "exclusiveMinimum": true,
                    "anyOf": [{"$ref": "#/components/schemas/B"}],
                    "examples": [{"type": ["keep", "null"]}]
                }}}
            })
        );
    }

    #[test]
    fn bad_input_is_a_typed_error_with_a_pointer() {
        assert!(matches!(load("{ nope"), Err(Error::Syntax { .. })));
        assert!(matches!(load("openapi: 2.0\n"), Err(Error::Version { .. })));
        let err = load(
            r#"{"openapi": "3.0.0", "info": {"title": "t", "version": "1"},
                "paths": {"/a": {"get": {"responses": {"200": {"description": 7}}}}}}"#,
        );
        match err {
            Err(e @ Error::Invalid { .. }) => {
                assert!(
                    e.pointer().is_some_and(|p| p.starts_with("/paths/~1a")),
                    "{e}"
                );
            }
            other => panic!("expected Invalid, got {other:?}"),
        }
    }
}
