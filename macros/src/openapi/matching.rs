//! Compares one declared endpoint with a spec, as plain data: which
//! operation it is, and what does not conform. No syntax here; `report`
//! turns each [`Problem`] into a message at the user's token.
//!
//! The rules:
//! - the verb and the path must name an operation. Paths are compared by
//!   shape: `<id>` and `{id}` match the spec's `{petId}` by position, and the
//!   names must be the same words (`pet_id` is `petId`, `gist_id` is
//!   `gist-id`). A template with a `prefix` is tried with it, then without
//!   it (a spec often leaves the prefix to its server URL);
//! - every required path, query and header parameter of the operation is
//!   declared, in its place; a `#[query]` struct (flattened: its fields
//!   cannot be seen here) stands for every query parameter, and a fixed
//!   `#[headers("Name: ..")]` for a header parameter;
//! - no declared query or header parameter is unknown to the operation;
//! - a body is declared when the operation requires one, may be when its
//!   body is optional, and is refused when it takes none; a JSON `#[body]`,
//!   a `#[form]` or a `#[multipart]` body must be one of the media types the
//!   operation lists (a raw `Bytes` or `Body` is any of them).
//!
//! Cookie parameters are not checked: restrait declares no cookies.

use super::spec::{Operation, PathItem, Place, Spec, Tok, shape};
use crate::ctxt::closest;

/// How a declared parameter is sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Wire {
    Query,
    /// A `#[query]` value whose type is not a plain scalar: when its key is
    /// no query parameter of the operation, a flattened struct.
    QueryStruct,
    Header,
}

/// The kind of a declared body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum BodyKind {
    Json,
    Form,
    Multipart,
    Raw,
}

impl BodyKind {
    pub(crate) fn accepts(self, media: &str) -> bool {
        let media = media.to_ascii_lowercase();
        match self {
            BodyKind::Raw => true,
            _ if media.starts_with("*/*") => true,
            BodyKind::Json => media.contains("json"),
            BodyKind::Form => media.starts_with("application/x-www-form-urlencoded"),
            BodyKind::Multipart => media.starts_with("multipart/"),
        }
    }
}

/// One declared query or header parameter; `index` is its position among
/// the method's parameters.
#[derive(Debug, Clone)]
pub(crate) struct Param {
    pub(crate) index: usize,
    pub(crate) wire: Wire,
    pub(crate) name: String,
}

/// An endpoint as declared.
#[derive(Debug, Clone)]
pub(crate) struct Declared {
    pub(crate) verb: &'static str,
    /// The template's pieces, with the prefix; then without it, if there is one.
    pub(crate) paths: Vec<Vec<Tok>>,
    pub(crate) params: Vec<Param>,
    /// The body and the index of its parameter (`None` for `#[multipart]`).
    pub(crate) body: Option<(BodyKind, Option<usize>)>,
    /// Names of the method's and the trait's fixed `#[headers]`.
    pub(crate) fixed_headers: Vec<String>,
}

/// What does not conform.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Problem {
    /// No path of this shape; the closest spec path, if one is close.
    NoPath { suggestion: Option<String> },
    /// The path exists without this verb; the verbs it has.
    NoVerb {
        path: String,
        verbs: Vec<&'static str>,
    },
    /// A placeholder whose name is not the spec's at its position.
    Placeholder { ours: String, spec: String },
    /// A required parameter that is not declared.
    Missing { place: Place, name: String },
    /// A declared parameter the operation does not have.
    Unknown {
        index: usize,
        wire: Wire,
        name: String,
        /// The spec's name when it is the same words or a likely typo.
        suggestion: Option<String>,
        /// Where the spec has a parameter of this name instead, and its name.
        elsewhere: Option<(Place, String)>,
    },
    /// The operation requires a body; its media types.
    MissingBody { media: Vec<String> },
    /// A body on an operation that takes none.
    NoBody { index: Option<usize> },
    /// A body of a kind the operation does not list.
    BodyKind {
        index: Option<usize>,
        kind: BodyKind,
        media: Vec<String>,
    },
}

/// The outcome for one endpoint: the operation found (`GET /pets/{petId}`)
/// and the problems.
#[derive(Debug)]
pub(crate) struct Outcome {
    pub(crate) operation: Option<String>,
    pub(crate) problems: Vec<Problem>,
}

/// Checks `declared` against `spec`.
pub(crate) fn check(spec: &Spec, declared: &Declared) -> Outcome {
    let found = declared.paths.iter().find_map(|toks| {
        let wanted = shape(toks);
        spec.paths
            .iter()
            .find(|p| p.shape == wanted)
            .map(|item| (item, toks))
    });
    let Some((item, toks)) = found else {
        return Outcome {
            operation: None,
            problems: vec![Problem::NoPath {
                suggestion: closest_path(spec, declared.paths.last().map(Vec::as_slice)),
            }],
        };
    };
    let Some(op) = item.operations.iter().find(|o| o.verb == declared.verb) else {
        return Outcome {
            operation: None,
            problems: vec![Problem::NoVerb {
                path: item.template.clone(),
                verbs: item.operations.iter().map(|o| o.verb).collect(),
            }],
        };
    };
    let mut problems = Vec::new();
    placeholders(item, toks, &mut problems);
    params(op, declared, &mut problems);
    body(op, declared, &mut problems);
    Outcome {
        operation: Some(format!(
            "{} {}",
            op.verb.to_ascii_uppercase(),
            item.template
        )),
        problems,
    }
}

fn placeholders(item: &PathItem, toks: &[Tok], problems: &mut Vec<Problem>) {
    for (ours, theirs) in toks.iter().zip(&item.toks) {
        if let (Tok::Var(ours), Tok::Var(spec)) = (ours, theirs)
            && !same_words(ours, spec)
        {
            problems.push(Problem::Placeholder {
                ours: ours.clone(),
                spec: spec.clone(),
            });
        }
    }
}

fn params(op: &Operation, declared: &Declared, problems: &mut Vec<Problem>) {
    let is_query = |name: &str| {
        op.params
            .iter()
            .any(|s| s.place == Place::Query && s.name == name)
    };
    // A value of a type that may be a struct, whose key is no query
    // parameter: taken to be a flattened struct, which may hold any of them.
    let has_struct = declared
        .params
        .iter()
        .any(|p| p.wire == Wire::QueryStruct && !is_query(&p.name));
    let declares = |spec: &super::spec::SpecParam| match spec.place {
        Place::Path | Place::Cookie => true,
        Place::Query => {
            has_struct
                || declared.params.iter().any(|p| {
                    matches!(p.wire, Wire::Query | Wire::QueryStruct) && p.name == spec.name
                })
        }
        Place::Header => {
            declared
                .params
                .iter()
                .any(|p| p.wire == Wire::Header && p.name.eq_ignore_ascii_case(&spec.name))
                || declared
                    .fixed_headers
                    .iter()
                    .any(|h| h.eq_ignore_ascii_case(&spec.name))
        }
    };
    for spec in op.params.iter().filter(|p| p.required) {
        if !declares(spec) {
            problems.push(Problem::Missing {
                place: spec.place,
                name: spec.name.clone(),
            });
        }
    }
    for param in &declared.params {
        let (place, known) = match param.wire {
            Wire::Query => (Place::Query, is_query(&param.name)),
            Wire::Header => (
                Place::Header,
                op.params
                    .iter()
                    .any(|s| s.place == Place::Header && s.name.eq_ignore_ascii_case(&param.name)),
            ),
            // A struct of unknown fields: whatever it holds is taken as known.
            Wire::QueryStruct => continue,
        };
        if known {
            continue;
        }
        let names: Vec<&str> = op
            .params
            .iter()
            .filter(|s| s.place == place)
            .map(|s| s.name.as_str())
            .collect();
        let suggestion = names
            .iter()
            .find(|n| same_words(n, &param.name))
            .copied()
            .or_else(|| closest(&param.name, &names))
            .map(str::to_owned);
        let elsewhere = op
            .params
            .iter()
            .find(|s| s.place != place && same_words(&s.name, &param.name))
            .map(|s| (s.place, s.name.clone()));
        problems.push(Problem::Unknown {
            index: param.index,
            wire: param.wire,
            name: param.name.clone(),
            suggestion,
            elsewhere,
        });
    }
}

fn body(op: &Operation, declared: &Declared, problems: &mut Vec<Problem>) {
    match (&op.body, declared.body) {
        (Some(spec), None) if spec.required => problems.push(Problem::MissingBody {
            media: spec.media.clone(),
        }),
        (None, Some((_, index))) => problems.push(Problem::NoBody { index }),
        (Some(spec), Some((kind, index)))
            if !spec.media.is_empty() && !spec.media.iter().any(|m| kind.accepts(m)) =>
        {
            problems.push(Problem::BodyKind {
                index,
                kind,
                media: spec.media.clone(),
            });
        }
        _ => {}
    }
}

/// The spec path closest to `toks` by shape, when it is close enough to be
/// the one meant.
fn closest_path(spec: &Spec, toks: Option<&[Tok]>) -> Option<String> {
    let wanted = shape(toks?);
    let limit = (wanted.len() / 3).max(3);
    spec.paths
        .iter()
        .map(|p| (strsim::damerau_levenshtein(&wanted, &p.shape), p))
        .filter(|(distance, _)| *distance <= limit)
        .min_by_key(|(distance, _)| *distance)
        .map(|(_, p)| p.template.clone())
}

/// The lower-case words of a name: `petId`, `pet_id`, `pet-id` and `PetID`
/// are all `pet id`; a trailing `_` (`self_`) is no word.
pub(crate) fn words(name: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut current = String::new();
    let mut prev_lower = false;
    for c in name.chars() {
        if !c.is_ascii_alphanumeric() {
            out.extend((!current.is_empty()).then(|| std::mem::take(&mut current)));
            prev_lower = false;
            continue;
        }
        if c.is_ascii_uppercase() && prev_lower {
            out.push(std::mem::take(&mut current));
        }
        prev_lower = c.is_ascii_lowercase() || c.is_ascii_digit();
        current.push(c.to_ascii_lowercase());
    }
    out.extend((!current.is_empty()).then_some(current));
    out
}

fn same_words(a: &str, b: &str) -> bool {
    a == b || words(a) == words(b)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::openapi::spec::{parse, tokens};

    const SPEC: &str = r#"
openapi: 3.0.0
paths:
  /pets:
    get:
      parameters:
        - { name: limit, in: query }
        - { name: pageSize, in: query, required: true }
        - { name: X-Request-Id, in: header }
    post:
      requestBody: { required: true, content: { application/json: {} } }
  /pets/{petId}:
    get:
      parameters:
        - { name: petId, in: path, required: true }
        - { name: X-Tenant, in: header, required: true }
    patch:
      requestBody: { content: { application/x-www-form-urlencoded: {} } }
"#;

    fn declared(verb: &'static str, path: &str) -> Declared {
        Declared {
            verb,
            paths: vec![tokens(path)],
            params: Vec::new(),
            body: None,
            fixed_headers: Vec::new(),
        }
    }

    fn query(index: usize, name: &str) -> Param {
        Param {
            index,
            wire: Wire::Query,
            name: name.to_owned(),
        }
    }

    fn problems(d: &Declared) -> Vec<Problem> {
        check(&parse(SPEC).expect("spec"), d).problems
    }

    #[test]
    fn words_of_names() {
        assert_eq!(words("petId"), ["pet", "id"]);
        assert_eq!(words("pet_id"), ["pet", "id"]);
        assert_eq!(words("gist-id"), ["gist", "id"]);
        assert_eq!(words("self_"), ["self"]);
        assert_eq!(
            words("X-GitHub-Api-Version"),
            ["x", "git", "hub", "api", "version"]
        );
    }

    #[test]
    fn a_conforming_endpoint_names_its_operation() {
        let mut d = declared("get", "/pets");
        d.params = vec![query(0, "pageSize"), query(1, "limit")];
        let outcome = check(&parse(SPEC).expect("spec"), &d);
        assert_eq!(outcome.operation.as_deref(), Some("GET /pets"));
        assert_eq!(outcome.problems, []);
    }

    #[test]
    fn paths_match_by_shape_and_placeholder_words() {
        let mut d = declared("get", "/pets/{pet_id}");
        d.fixed_headers = vec!["x-tenant".into()];
        assert_eq!(problems(&d), []);
        let mut d = declared("get", "/pets/{id}");
        d.fixed_headers = vec!["x-tenant".into()];
        assert_eq!(
            problems(&d),
            [Problem::Placeholder {
                ours: "id".into(),
                spec: "petId".into()
            }]
        );
        // With a prefix the spec does not have: tried without it too.
        let mut d = declared("get", "/v1/pets");
        d.paths.push(tokens("/pets"));
        d.params = vec![Param {
            index: 0,
            wire: Wire::QueryStruct,
            name: "filter".into(),
        }];
        assert_eq!(problems(&d), []);
    }

    #[test]
    fn unknown_paths_and_verbs() {
        assert_eq!(
            problems(&declared("get", "/pet/{id}")),
            [Problem::NoPath {
                suggestion: Some("/pets/{petId}".into())
            }]
        );
        assert_eq!(
            problems(&declared("get", "/owners/{id}/visits")),
            [Problem::NoPath { suggestion: None }]
        );
        assert_eq!(
            problems(&declared("delete", "/pets")),
            [Problem::NoVerb {
                path: "/pets".into(),
                verbs: vec!["get", "post"]
            }]
        );
    }

    #[test]
    fn required_unknown_and_misplaced_parameters() {
        let mut d = declared("get", "/pets");
        d.params = vec![
            query(0, "page_size"),
            query(1, "limt"),
            Param {
                index: 2,
                wire: Wire::Header,
                name: "x-request-id".into(),
            },
            Param {
                index: 3,
                wire: Wire::Query,
                name: "x_request_id".into(),
            },
        ];
        assert_eq!(
            problems(&d),
            [
                Problem::Missing {
                    place: Place::Query,
                    name: "pageSize".into()
                },
                Problem::Unknown {
                    index: 0,
                    wire: Wire::Query,
                    name: "page_size".into(),
                    suggestion: Some("pageSize".into()),
                    elsewhere: None
                },
                Problem::Unknown {
                    index: 1,
                    wire: Wire::Query,
                    name: "limt".into(),
                    suggestion: Some("limit".into()),
                    elsewhere: None
                },
                Problem::Unknown {
                    index: 3,
                    wire: Wire::Query,
                    name: "x_request_id".into(),
                    suggestion: None,
                    elsewhere: Some((Place::Header, "X-Request-Id".into()))
                },
            ]
        );
        let mut d = declared("get", "/pets/{petId}");
        d.fixed_headers = vec!["Accept".into()];
        assert_eq!(
            problems(&d),
            [Problem::Missing {
                place: Place::Header,
                name: "X-Tenant".into()
            }]
        );
    }

    #[test]
    fn bodies_follow_the_operation() {
        assert_eq!(
            problems(&declared("post", "/pets")),
            [Problem::MissingBody {
                media: vec!["application/json".into()]
            }]
        );
        let mut d = declared("post", "/pets");
        d.body = Some((BodyKind::Json, Some(0)));
        assert_eq!(problems(&d), []);
        d.body = Some((BodyKind::Form, Some(0)));
        assert_eq!(
            problems(&d),
            [Problem::BodyKind {
                index: Some(0),
                kind: BodyKind::Form,
                media: vec!["application/json".into()]
            }]
        );
        d.body = Some((BodyKind::Raw, Some(0)));
        assert_eq!(problems(&d), []);
        // An optional body may be left out, or sent.
        let mut d = declared("patch", "/pets/{petId}");
        assert_eq!(problems(&d), []);
        d.body = Some((BodyKind::Form, Some(1)));
        assert_eq!(problems(&d), []);
        let mut d = declared("get", "/pets");
        d.params = vec![query(0, "pageSize")];
        d.body = Some((BodyKind::Multipart, None));
        assert_eq!(problems(&d), [Problem::NoBody { index: None }]);
    }
}
