//! The little of an OpenAPI document that conformance needs: for each path,
//! its shape and operations; for each operation, its parameters and request
//! body. Read from a `serde_json::Value`, so OpenAPI 3.0 and 3.1 (whose
//! differences are in schemas, which are not read here) go the same way, as
//! JSON or YAML.

use serde_json::Value;

/// Where a parameter goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Place {
    Path,
    Query,
    Header,
    Cookie,
}

impl Place {
    fn from_name(name: &str) -> Option<Self> {
        Some(match name {
            "path" => Place::Path,
            "query" => Place::Query,
            "header" => Place::Header,
            "cookie" => Place::Cookie,
            _ => return None,
        })
    }

    pub(crate) fn name(self) -> &'static str {
        match self {
            Place::Path => "path",
            Place::Query => "query",
            Place::Header => "header",
            Place::Cookie => "cookie",
        }
    }
}

/// One piece of a path template, on either side: text, or a placeholder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Tok {
    Lit(String),
    Var(String),
}

/// A path's pieces with the placeholders blanked, `/pets/{}`: two templates
/// name the same path exactly when their shapes are equal.
pub(crate) fn shape(toks: &[Tok]) -> String {
    toks.iter()
        .map(|t| match t {
            Tok::Lit(text) => text.as_str(),
            Tok::Var(_) => "{}",
        })
        .collect()
}

/// `/pets/{petId}` as pieces.
pub(crate) fn tokens(path: &str) -> Vec<Tok> {
    let mut out = Vec::new();
    let mut rest = path;
    while !rest.is_empty() {
        match rest.find('{') {
            Some(start) => {
                let Some(len) = rest[start..].find('}') else {
                    push_lit(&mut out, rest);
                    break;
                };
                push_lit(&mut out, &rest[..start]);
                out.push(Tok::Var(rest[start + 1..start + len].to_owned()));
                rest = &rest[start + len + 1..];
            }
            None => {
                push_lit(&mut out, rest);
                break;
            }
        }
    }
    out
}

/// Appends text, merged with the text before it.
pub(crate) fn push_lit(out: &mut Vec<Tok>, text: &str) {
    if text.is_empty() {
        return;
    }
    if let Some(Tok::Lit(last)) = out.last_mut() {
        last.push_str(text);
    } else {
        out.push(Tok::Lit(text.to_owned()));
    }
}

/// A spec's paths, in the order written.
#[derive(Debug, Default)]
pub(crate) struct Spec {
    pub(crate) paths: Vec<PathItem>,
}

#[derive(Debug)]
pub(crate) struct PathItem {
    /// As written in the spec: `/pets/{petId}`.
    pub(crate) template: String,
    pub(crate) toks: Vec<Tok>,
    pub(crate) shape: String,
    pub(crate) operations: Vec<Operation>,
}

#[derive(Debug)]
pub(crate) struct Operation {
    /// Lower case, as in the spec and in `#[get]`.
    pub(crate) verb: &'static str,
    pub(crate) params: Vec<SpecParam>,
    pub(crate) body: Option<SpecBody>,
}

#[derive(Debug, Clone)]
pub(crate) struct SpecParam {
    pub(crate) name: String,
    pub(crate) place: Place,
    pub(crate) required: bool,
}

#[derive(Debug)]
pub(crate) struct SpecBody {
    pub(crate) required: bool,
    /// The media types of `content`, as written.
    pub(crate) media: Vec<String>,
}

const VERBS: &[&str] = &[
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// Header parameters that OpenAPI says to ignore: the request's media types
/// and credentials are described elsewhere.
const IGNORED_HEADERS: &[&str] = &["accept", "content-type", "authorization"];

/// Reads the text of a spec, JSON (it starts with `{`) or YAML.
pub(crate) fn parse(text: &str) -> Result<Spec, String> {
    let doc: Value = if text.trim_start().starts_with('{') {
        serde_json::from_str(text).map_err(|e| format!("it is not valid JSON: {e}"))?
    } else {
        serde_norway::from_str(text).map_err(|e| format!("it is not valid YAML: {e}"))?
    };
    from_value(&doc)
}

/// Reads an OpenAPI 3.0 or 3.1 document.
pub(crate) fn from_value(doc: &Value) -> Result<Spec, String> {
    match doc.get("openapi").and_then(Value::as_str) {
        Some(v) if v.starts_with("3.0") || v.starts_with("3.1") => {}
        Some(v) => {
            return Err(format!(
                "it is OpenAPI {v}; restrait reads OpenAPI 3.0 and 3.1"
            ));
        }
        None if doc.get("swagger").is_some() => {
            return Err(
                "it is a Swagger 2.0 document; restrait reads OpenAPI 3.0 and 3.1 (convert it first)"
                    .to_owned(),
            );
        }
        None => return Err("it has no `openapi` version: is it an OpenAPI document?".to_owned()),
    }
    let mut spec = Spec::default();
    let Some(paths) = doc.get("paths") else {
        return Ok(spec);
    };
    let paths = paths
        .as_object()
        .ok_or("`/paths` is not an object".to_owned())?;
    for (template, item) in paths {
        let at = format!("/paths/{}", escape(template));
        let item = resolve(doc, item, &at)?;
        let shared = params(doc, item.get("parameters"), &format!("{at}/parameters"))?;
        let mut operations = Vec::new();
        for verb in VERBS {
            let Some(op) = item.get(*verb) else { continue };
            let at = format!("{at}/{verb}");
            let mut own = params(doc, op.get("parameters"), &format!("{at}/parameters"))?;
            for param in &shared {
                if !own
                    .iter()
                    .any(|p| p.place == param.place && p.name == param.name)
                {
                    own.push(param.clone());
                }
            }
            let body = match op.get("requestBody") {
                Some(body) => Some(request_body(doc, body, &format!("{at}/requestBody"))?),
                None => None,
            };
            operations.push(Operation {
                verb,
                params: own,
                body,
            });
        }
        let toks = tokens(template);
        spec.paths.push(PathItem {
            template: template.clone(),
            shape: shape(&toks),
            toks,
            operations,
        });
    }
    Ok(spec)
}

fn params(doc: &Value, list: Option<&Value>, at: &str) -> Result<Vec<SpecParam>, String> {
    let Some(list) = list else {
        return Ok(Vec::new());
    };
    let list = list
        .as_array()
        .ok_or_else(|| format!("`{at}` is not an array"))?;
    let mut out = Vec::new();
    for (i, param) in list.iter().enumerate() {
        let at = format!("{at}/{i}");
        let param = resolve(doc, param, &at)?;
        let name = param
            .get("name")
            .and_then(Value::as_str)
            .ok_or_else(|| format!("the parameter at `{at}` has no `name`"))?;
        let place = param
            .get("in")
            .and_then(Value::as_str)
            .and_then(Place::from_name)
            .ok_or_else(|| {
                format!("the parameter at `{at}` has no `in` of path, query, header or cookie")
            })?;
        if place == Place::Header && IGNORED_HEADERS.contains(&name.to_ascii_lowercase().as_str()) {
            continue;
        }
        let required = place == Place::Path
            || param
                .get("required")
                .and_then(Value::as_bool)
                .unwrap_or(false);
        out.push(SpecParam {
            name: name.to_owned(),
            place,
            required,
        });
    }
    Ok(out)
}

fn request_body(doc: &Value, body: &Value, at: &str) -> Result<SpecBody, String> {
    let body = resolve(doc, body, at)?;
    let media = body
        .get("content")
        .and_then(Value::as_object)
        .map(|content| content.keys().cloned().collect())
        .unwrap_or_default();
    Ok(SpecBody {
        required: body
            .get("required")
            .and_then(Value::as_bool)
            .unwrap_or(false),
        media,
    })
}

/// Follows local `$ref`s (`#/components/..`) to the node they name.
fn resolve<'a>(doc: &'a Value, node: &'a Value, at: &str) -> Result<&'a Value, String> {
    let mut node = node;
    for _ in 0..32 {
        let Some(reference) = node.get("$ref").and_then(Value::as_str) else {
            return Ok(node);
        };
        let Some(pointer) = reference.strip_prefix('#') else {
            return Err(format!(
                "the `$ref` {reference:?} at `{at}` points into another file; restrait reads references inside the spec only (`#/components/..`)"
            ));
        };
        node = doc
            .pointer(pointer)
            .ok_or_else(|| format!("the `$ref` {reference:?} at `{at}` points nowhere"))?;
    }
    Err(format!("the `$ref`s at `{at}` go round in a loop"))
}

/// A JSON pointer's escaping of one key.
fn escape(key: &str) -> String {
    key.replace('~', "~0").replace('/', "~1")
}

#[cfg(test)]
mod tests {
    use super::*;

    const PETS: &str = r##"
openapi: 3.1.0
info: { title: t, version: "1" }
paths:
  /pets/{petId}:
    parameters:
      - $ref: "#/components/parameters/Trace"
      - { name: verbose, in: query }
    get:
      parameters:
        - { name: petId, in: path, required: true }
        - { name: verbose, in: query, required: true }
        - { name: Accept, in: header, required: true }
    put:
      requestBody: { $ref: "#/components/requestBodies/Pet" }
components:
  parameters:
    Trace: { name: X-Trace, in: header, required: true }
  requestBodies:
    Pet: { required: true, content: { application/json: {} } }
"##;

    #[test]
    fn reads_operations_with_shared_and_referenced_parts() {
        let spec = parse(PETS).expect("spec");
        let [item] = spec.paths.as_slice() else {
            panic!("one path: {spec:?}")
        };
        assert_eq!(item.shape, "/pets/{}");
        assert_eq!(
            item.toks,
            [Tok::Lit("/pets/".into()), Tok::Var("petId".into())]
        );
        let verbs: Vec<&str> = item.operations.iter().map(|o| o.verb).collect();
        assert_eq!(verbs, ["get", "put"]);
        let get = &item.operations[0];
        let names: Vec<(&str, Place, bool)> = get
            .params
            .iter()
            .map(|p| (p.name.as_str(), p.place, p.required))
            .collect();
        // The operation's `verbose` overrides the path's; `Accept` is ignored.
        assert_eq!(
            names,
            [
                ("petId", Place::Path, true),
                ("verbose", Place::Query, true),
                ("X-Trace", Place::Header, true),
            ]
        );
        assert!(get.body.is_none());
        let body = item.operations[1].body.as_ref().expect("a body");
        assert!(body.required);
        assert_eq!(body.media, ["application/json"]);
    }

    #[test]
    fn json_and_bad_documents() {
        let spec = parse(r#"{"openapi": "3.0.3", "paths": {"/a/{b}.json": {"delete": {}}}}"#)
            .expect("spec");
        assert_eq!(spec.paths[0].shape, "/a/{}.json");
        let errors = [
            ("{ nope", "not valid JSON"),
            ("swagger: '2.0'\n", "Swagger 2.0"),
            ("openapi: 2.5.0\n", "OpenAPI 2.5.0"),
            ("a: [1\n", "not valid YAML"),
            (
                "openapi: 3.0.0\npaths: {/a: {get: {parameters: [{$ref: '#/nowhere'}]}}}\n",
                "points nowhere",
            ),
            (
                "openapi: 3.0.0\npaths: {/a: {get: {parameters: [{$ref: 'other.yaml#/x'}]}}}\n",
                "another file",
            ),
            (
                "openapi: 3.0.0\npaths: {/a: {get: {parameters: [{name: x}]}}}\n",
                "no `in`",
            ),
        ];
        for (text, expected) in errors {
            match parse(text) {
                Err(message) => assert!(message.contains(expected), "{text}: {message}"),
                Ok(spec) => panic!("{text}: read as {spec:?}"),
            }
        }
    }
}
