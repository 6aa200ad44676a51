//! From OpenAPI operations to trait methods: parameters with their wire
//! names, the request body, the return type and pagination. An operation
//! the macro cannot express yet is skipped with the reason, never emitted
//! half right.

use std::collections::{BTreeMap, BTreeSet};

use openapiv3::{
    MediaType, Operation, Parameter, ParameterSchemaOrContent, PathItem, QueryStyle, ReferenceOr,
    RequestBody, Response, StatusCode,
};

use crate::error::{Error, child};
use crate::names::{Names, pascal, snake, unraw};
use crate::schema::{Ty, Types};

/// One trait method.
#[derive(Debug)]
pub(crate) struct Method {
    pub(crate) ident: String,
    pub(crate) verb: &'static str,
    /// The path template, placeholders renamed to the parameters' names.
    pub(crate) path: String,
    pub(crate) docs: Vec<String>,
    pub(crate) params: Vec<Param>,
    pub(crate) body: Option<Body>,
    pub(crate) output: Output,
}

#[derive(Debug)]
pub(crate) enum Place {
    Path,
    Query(String),
    Header(String),
}

#[derive(Debug)]
pub(crate) struct Param {
    pub(crate) ident: String,
    pub(crate) place: Place,
    pub(crate) ty: Ty,
    /// Passed by value (numbers, enums) rather than by reference.
    pub(crate) by_value: bool,
}

#[derive(Debug)]
pub(crate) enum BodyKind {
    Json,
    Form,
    /// Bytes sent as they are, with the media type to declare: the spec's
    /// first (a server that validates requests refuses the runtime's
    /// default `application/octet-stream` for, say, `text/plain`).
    Raw(Option<String>),
}

#[derive(Debug)]
pub(crate) struct Body {
    pub(crate) ident: String,
    pub(crate) kind: BodyKind,
    pub(crate) ty: Ty,
}

#[derive(Debug)]
pub(crate) enum Output {
    Unit,
    Text,
    Bytes,
    Json(Ty),
    /// `restrait::Response<T>`: the success response declares headers.
    WithHeaders(Box<Output>),
    /// `#[paginate(link)]`: a `Link` header and an array of items.
    Paginate {
        item: Ty,
        items_field: Option<String>,
    },
}

/// What one operation becomes.
#[derive(Debug)]
pub(crate) enum Entry {
    Method(Box<Method>),
    /// An operation left out; the text of its `// skipped: ..` comment.
    Skipped {
        reason: &'static str,
        comment: String,
    },
}

/// Operations grouped by tag, each group sorted by path and verb.
pub(crate) fn operations<'a>(spec: &'a openapiv3::OpenAPI) -> Vec<Op<'a>> {
    let mut ops = Vec::new();
    let mut paths: Vec<(&String, &ReferenceOr<PathItem>)> = spec.paths.iter().collect();
    paths.sort_by(|a, b| a.0.cmp(b.0));
    for (path, item) in paths {
        let ReferenceOr::Item(item) = item else {
            continue;
        };
        for (verb, op) in verbs(item) {
            let tag = op
                .tags
                .first()
                .cloned()
                .unwrap_or_else(|| "default".to_owned());
            ops.push(Op {
                tag,
                path,
                verb,
                op,
                item,
            });
        }
    }
    ops.sort_by(|a, b| a.tag.cmp(&b.tag));
    ops
}

/// An operation with where it was found.
pub(crate) struct Op<'a> {
    pub(crate) tag: String,
    pub(crate) path: &'a str,
    pub(crate) verb: &'static str,
    pub(crate) op: &'a Operation,
    item: &'a PathItem,
}

fn verbs(item: &PathItem) -> Vec<(&'static str, &Operation)> {
    [
        ("get", &item.get),
        ("put", &item.put),
        ("post", &item.post),
        ("delete", &item.delete),
        ("options", &item.options),
        ("head", &item.head),
        ("patch", &item.patch),
    ]
    .into_iter()
    .filter_map(|(v, op)| op.as_ref().map(|op| (v, op)))
    .collect()
}

impl Op<'_> {
    fn pointer(&self) -> String {
        child(&child("/paths", self.path), self.verb)
    }

    /// `GET /pets/{petId} (showPetById)`, for comments and the summary.
    pub(crate) fn label(&self) -> String {
        let id = self
            .op
            .operation_id
            .as_deref()
            .map(|id| format!(" ({id})"))
            .unwrap_or_default();
        format!("{} {}{id}", self.verb.to_uppercase(), self.path)
    }
}

/// The method for one operation, or why it is skipped.
pub(crate) fn method<'a>(
    types: &mut Types<'a>,
    spec: &'a openapiv3::OpenAPI,
    op: &Op<'a>,
    methods: &mut Names,
) -> Result<Entry, Error> {
    let pointer = op.pointer();
    let skip = |reason: &'static str| Entry::Skipped {
        reason,
        comment: format!("skipped: {reason}: {}", op.label()),
    };
    let base_name = base_name(op);
    let type_hint = op
        .op
        .operation_id
        .as_deref()
        .map_or_else(|| format!("{} {}", op.verb, op.path), str::to_owned);

    // Operation-level parameters override path-level ones of the same name and place.
    let mut declared: BTreeMap<(String, &'static str), (&'a Parameter, String)> = BTreeMap::new();
    let lists = [
        (
            &op.item.parameters,
            child(&child("/paths", op.path), "parameters"),
        ),
        (&op.op.parameters, child(&pointer, "parameters")),
    ];
    let mut order = Vec::new();
    for (list, at) in lists {
        for (i, p) in list.iter().enumerate() {
            let at = child(&at, &i.to_string());
            let p = resolve_parameter(spec, p, &at)?;
            let key = (p.parameter_data_ref().name.clone(), place_name(p));
            if !declared.contains_key(&key) {
                order.push(key.clone());
            }
            declared.insert(key, (p, at));
        }
    }

    let mut idents = Names::default();
    let mut params = Vec::new();
    let mut renames: BTreeMap<String, String> = BTreeMap::new();
    for key in &order {
        let Some((p, at)) = declared.get(key) else {
            continue;
        };
        let data = p.parameter_data_ref();
        let wire = data.name.clone();
        if let Parameter::Cookie { .. } = p {
            if data.required {
                return Ok(skip("required cookie parameter"));
            }
            continue;
        }
        if let Parameter::Header { .. } = p
            && ["accept", "content-type", "authorization"]
                .contains(&wire.to_ascii_lowercase().as_str())
        {
            continue;
        }
        if let Parameter::Query {
            style: QueryStyle::DeepObject,
            ..
        } = p
        {
            return Ok(skip("deepObject query parameter"));
        }
        let hint = format!("{type_hint} {wire}");
        let ty = match &data.format {
            ParameterSchemaOrContent::Schema(s) => {
                types.ty(s.into(), &hint, &child(at, "schema"))?
            }
            ParameterSchemaOrContent::Content(_) => Ty::Str,
        };
        let ident = idents.claim(&snake(&wire));
        let (place, ty) = match p {
            Parameter::Path { .. } => {
                renames.insert(wire.clone(), unraw(&ident).to_owned());
                (Place::Path, displayable(types, ty))
            }
            Parameter::Query { .. } => (Place::Query(wire.clone()), ty),
            Parameter::Header { .. } => (Place::Header(wire.clone()), displayable(types, ty)),
            Parameter::Cookie { .. } => continue,
        };
        let required = data.required || matches!(place, Place::Path);
        let by_value = by_value(types, &ty);
        let ty = if required { ty } else { ty.optional() };
        params.push(Param {
            ident,
            place,
            ty,
            by_value,
        });
    }

    let Some(path) = rename_placeholders(op.path, &renames) else {
        return Ok(skip("path placeholders do not match the path parameters"));
    };

    let body = match &op.op.request_body {
        None => None,
        Some(rb) => {
            let at = child(&pointer, "requestBody");
            let rb = resolve_body(spec, rb, &at)?;
            match request_body(types, rb, &format!("{type_hint} Request"), &at)? {
                Ok(None) => None,
                Ok(Some((kind, ty))) => Some(Body {
                    ident: idents.claim("body"),
                    kind,
                    ty,
                }),
                Err(reason) => return Ok(skip(reason)),
            }
        }
    };

    let output = output(
        types,
        spec,
        op,
        &format!("{type_hint} Response"),
        &pointer,
        body.is_some(),
    )?;
    let ident = methods.claim(&base_name);
    let mut docs = crate::docs::lines(&[op.op.summary.as_deref(), op.op.description.as_deref()]);
    if op.op.deprecated {
        if !docs.is_empty() {
            docs.push(String::new());
        }
        docs.push("**Deprecated** in the spec.".to_owned());
    }
    if !docs.is_empty() {
        docs.push(String::new());
    }
    let id = op
        .op
        .operation_id
        .as_deref()
        .map(|id| format!(" (`{id}`)"))
        .unwrap_or_default();
    docs.push(format!("`{} {}`{id}", op.verb.to_uppercase(), op.path));
    Ok(Entry::Method(Box::new(Method {
        ident,
        verb: op.verb,
        path,
        docs,
        params,
        body,
        output,
    })))
}

/// The method's name: the `operationId` (after GitHub's `tag/` prefix) in snake case.
fn base_name(op: &Op<'_>) -> String {
    match op.op.operation_id.as_deref() {
        Some(id) => snake(id.rsplit('/').next().unwrap_or(id)),
        None => snake(&format!("{} {}", op.verb, op.path)),
    }
}

fn place_name(p: &Parameter) -> &'static str {
    match p {
        Parameter::Query { .. } => "query",
        Parameter::Header { .. } => "header",
        Parameter::Path { .. } => "path",
        Parameter::Cookie { .. } => "cookie",
    }
}

/// Path and header values are written with `Display`: anything else goes as text.
fn displayable(types: &Types<'_>, ty: Ty) -> Ty {
    match types.expand_alias(&ty) {
        Ty::Bool | Ty::I32 | Ty::I64 | Ty::F64 | Ty::Str => ty,
        t if types.is_enum(t) => ty,
        _ => Ty::Str,
    }
}

fn by_value(types: &Types<'_>, ty: &Ty) -> bool {
    matches!(ty, Ty::Bool | Ty::I32 | Ty::I64 | Ty::F64) || types.is_enum(ty)
}

/// `/pets/{petId}` -> `/pets/{pet_id}`; `None` when the placeholders and
/// the path parameters are not the same set.
fn rename_placeholders(path: &str, renames: &BTreeMap<String, String>) -> Option<String> {
    let mut out = String::new();
    let mut rest = path;
    let mut used = BTreeSet::new();
    while let Some(open) = rest.find('{') {
        let close = rest[open..].find('}')? + open;
        let name = &rest[open + 1..close];
        out.push_str(&rest[..open]);
        out.push('{');
        out.push_str(renames.get(name)?);
        out.push('}');
        used.insert(name);
        rest = &rest[close + 1..];
    }
    out.push_str(rest);
    (used.len() == renames.len()).then_some(out)
}

fn resolve_parameter<'a>(
    spec: &'a openapiv3::OpenAPI,
    p: &'a ReferenceOr<Parameter>,
    at: &str,
) -> Result<&'a Parameter, Error> {
    match p {
        ReferenceOr::Item(p) => Ok(p),
        ReferenceOr::Reference { reference } => {
            let key = reference
                .strip_prefix("#/components/parameters/")
                .ok_or_else(|| {
                    Error::invalid(at, format!("unsupported parameter reference {reference:?}"))
                })?;
            match spec.components.as_ref().and_then(|c| c.parameters.get(key)) {
                Some(ReferenceOr::Item(p)) => Ok(p),
                Some(ReferenceOr::Reference { .. }) => Err(Error::invalid(
                    at,
                    format!("parameter reference {reference:?} points at another reference"),
                )),
                None => Err(Error::invalid(
                    at,
                    format!("parameter reference {reference:?} points at no parameter"),
                )),
            }
        }
    }
}

fn resolve_body<'a>(
    spec: &'a openapiv3::OpenAPI,
    rb: &'a ReferenceOr<RequestBody>,
    at: &str,
) -> Result<&'a RequestBody, Error> {
    match rb {
        ReferenceOr::Item(rb) => Ok(rb),
        ReferenceOr::Reference { reference } => {
            let key = reference
                .strip_prefix("#/components/requestBodies/")
                .unwrap_or(reference);
            match spec
                .components
                .as_ref()
                .and_then(|c| c.request_bodies.get(key))
            {
                Some(ReferenceOr::Item(rb)) => Ok(rb),
                _ => Err(Error::invalid(
                    at,
                    format!("request body reference {reference:?} points at no request body"),
                )),
            }
        }
    }
}

fn resolve_response<'a>(
    spec: &'a openapiv3::OpenAPI,
    r: &'a ReferenceOr<Response>,
    at: &str,
) -> Result<&'a Response, Error> {
    match r {
        ReferenceOr::Item(r) => Ok(r),
        ReferenceOr::Reference { reference } => {
            let key = reference
                .strip_prefix("#/components/responses/")
                .unwrap_or(reference);
            match spec.components.as_ref().and_then(|c| c.responses.get(key)) {
                Some(ReferenceOr::Item(r)) => Ok(r),
                _ => Err(Error::invalid(
                    at,
                    format!("response reference {reference:?} points at no response"),
                )),
            }
        }
    }
}

fn is_json(media: &str) -> bool {
    let media = media
        .split(';')
        .next()
        .unwrap_or(media)
        .trim()
        .to_ascii_lowercase();
    media == "application/json" || media.ends_with("+json") || media == "*/*"
}

type BodyChoice = Result<Option<(BodyKind, Ty)>, &'static str>;

/// The request body: JSON first, then a form, then raw bytes; multipart is
/// not supported by the macro yet.
fn request_body<'a>(
    types: &mut Types<'a>,
    rb: &'a RequestBody,
    hint: &str,
    at: &str,
) -> Result<BodyChoice, Error> {
    let content: BTreeMap<&str, &'a MediaType> =
        rb.content.iter().map(|(k, v)| (k.as_str(), v)).collect();
    let at = child(at, "content");
    let schema_ty = |types: &mut Types<'a>, media: &str, m: &'a MediaType| -> Result<Ty, Error> {
        match &m.schema {
            Some(s) => types.ty(s.into(), hint, &child(&child(&at, media), "schema")),
            None => Ok(Ty::Json),
        }
    };
    if let Some((media, m)) = content.iter().find(|(k, _)| is_json(k)) {
        return Ok(Ok(Some((BodyKind::Json, schema_ty(types, media, m)?))));
    }
    if let Some((media, m)) = content
        .iter()
        .find(|(k, _)| k.starts_with("application/x-www-form-urlencoded"))
    {
        let ty = schema_ty(types, media, m)?;
        return Ok(if types.struct_fields(&ty).is_some() {
            Ok(Some((BodyKind::Form, ty)))
        } else {
            Err("form body that is not an object")
        });
    }
    if content.keys().any(|k| k.starts_with("multipart/")) {
        return Ok(Err("multipart"));
    }
    if content.is_empty() {
        return Ok(Ok(None));
    }
    let media = content
        .keys()
        .find(|k| !k.contains('*'))
        .filter(|k| !k.eq_ignore_ascii_case("application/octet-stream"))
        .map(|k| (*k).to_owned());
    Ok(Ok(Some((BodyKind::Raw(media), Ty::Bytes))))
}

/// The return type, from the first 2xx response.
fn output<'a>(
    types: &mut Types<'a>,
    spec: &'a openapiv3::OpenAPI,
    op: &Op<'a>,
    hint: &str,
    pointer: &str,
    has_body: bool,
) -> Result<Output, Error> {
    let mut success: Vec<(&StatusCode, &'a ReferenceOr<Response>)> = op
        .op
        .responses
        .responses
        .iter()
        .filter(|(code, _)| match code {
            StatusCode::Code(c) => (200..300).contains(c),
            StatusCode::Range(r) => *r == 2,
        })
        .collect();
    success.sort_by(|a, b| a.0.cmp(b.0));
    let Some((code, response)) = success.first() else {
        return Ok(Output::Unit);
    };
    let at = child(&child(pointer, "responses"), &code.to_string());
    let response = resolve_response(spec, response, &at)?;
    let content: BTreeMap<&str, &'a MediaType> = response
        .content
        .iter()
        .map(|(k, v)| (k.as_str(), v))
        .collect();
    let body = if let Some((media, m)) = content.iter().find(|(k, _)| is_json(k)) {
        match &m.schema {
            Some(s) => Output::Json(types.ty(
                s.into(),
                hint,
                &child(&child(&child(&at, "content"), media), "schema"),
            )?),
            None => Output::Json(Ty::Json),
        }
    } else if content.keys().any(|k| k.starts_with("text/")) {
        Output::Text
    } else if content.is_empty() {
        Output::Unit
    } else {
        Output::Bytes
    };
    if response.headers.is_empty() {
        return Ok(body);
    }
    let link = response
        .headers
        .keys()
        .any(|h| h.eq_ignore_ascii_case("link"));
    if link
        && op.verb == "get"
        && !has_body
        && let Output::Json(ty) = &body
    {
        if let Ty::Vec(item) = types.expand_alias(ty) {
            return Ok(Output::Paginate {
                item: (**item).clone(),
                items_field: None,
            });
        }
        if let Some(fields) = types.struct_fields(ty) {
            let arrays: Vec<_> = fields
                .iter()
                .filter(|f| matches!(types.expand_alias(&f.ty), Ty::Vec(_)))
                .collect();
            if let [field] = arrays.as_slice()
                && let Ty::Vec(item) = types.expand_alias(&field.ty)
            {
                return Ok(Output::Paginate {
                    item: (**item).clone(),
                    items_field: Some(field.wire.clone()),
                });
            }
        }
    }
    Ok(Output::WithHeaders(Box::new(body)))
}

/// The trait a tag becomes: `pets` -> `PetsApi`.
pub(crate) fn trait_name(tag: &str) -> String {
    format!("{}Api", pascal(tag))
}
