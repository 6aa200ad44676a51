//! Bad input is a typed error that says where, never a panic.

use restrait_openapi::{Error, Options, generate};

fn spec(paths: &str, schemas: &str) -> String {
    format!(
        r#"{{"openapi": "3.0.3", "info": {{"title": "t", "version": "1"}},
            "paths": {paths}, "components": {{"schemas": {schemas}}}}}"#
    )
}

fn pointer(result: Result<restrait_openapi::Generated, Error>) -> String {
    match result {
        Err(e) => e
            .pointer()
            .map(str::to_owned)
            .unwrap_or_else(|| panic!("no pointer in {e}")),
        Ok(_) => panic!("expected an error"),
    }
}

#[test]
fn a_reference_to_no_schema_names_the_node() {
    let text = spec(
        "{}",
        r##"{"A": {"type": "object", "properties": {"b": {"$ref": "#/components/schemas/Nope"}}}}"##,
    );
    assert_eq!(
        pointer(generate(&text, &Options::default())),
        "/components/schemas/A/properties/b"
    );
}

#[test]
fn an_external_reference_is_refused_with_its_place() {
    let text = spec(
        r#"{"/a/{id}": {"get": {"parameters": [{"name": "id", "in": "path", "required": true,
            "schema": {"$ref": "other.yaml#/X"}}], "responses": {"204": {"description": "ok"}}}}}"#,
        "{}",
    );
    assert_eq!(
        pointer(generate(&text, &Options::default())),
        "/paths/~1a~1{id}/get/parameters/0/schema"
    );
}

#[test]
fn a_parameter_reference_to_nothing_names_the_node() {
    let text = spec(
        r##"{"/a": {"get": {"parameters": [{"$ref": "#/components/parameters/missing"}],
            "responses": {"204": {"description": "ok"}}}}}"##,
        "{}",
    );
    assert_eq!(
        pointer(generate(&text, &Options::default())),
        "/paths/~1a/get/parameters/0"
    );
}

#[test]
fn a_malformed_node_names_the_node() {
    let text = spec(
        r#"{"/a": {"get": {"responses": {"200": {"description": ["not text"]}}}}}"#,
        "{}",
    );
    let p = pointer(generate(&text, &Options::default()));
    assert!(p.starts_with("/paths/~1a/get"), "{p}");
}

#[test]
fn other_mistakes_have_their_own_variants() {
    assert!(matches!(
        generate("{ not json", &Options::default()),
        Err(Error::Syntax { .. })
    ));
    assert!(matches!(
        generate("a: [unclosed", &Options::default()),
        Err(Error::Syntax { .. })
    ));
    assert!(matches!(
        generate(r#"{"swagger": "2.0"}"#, &Options::default()),
        Err(Error::Version { .. })
    ));
    assert!(matches!(
        generate("openapi: 4.0.0\n", &Options::default()),
        Err(Error::Version { .. })
    ));
    let text = spec(
        r#"{"/a": {"get": {"tags": ["x"], "responses": {"204": {"description": "ok"}}}}}"#,
        "{}",
    );
    match generate(&text, &Options::new().tag("y")) {
        Err(Error::UnknownTag { tag, known }) => {
            assert_eq!((tag.as_str(), known.as_str()), ("y", "x"))
        }
        other => panic!("expected UnknownTag, got {other:?}"),
    }
}

#[test]
fn mismatched_path_parameters_skip_the_operation_instead_of_breaking_the_build() {
    let text = spec(
        r#"{"/a/{id}": {"get": {"operationId": "getA", "responses": {"204": {"description": "ok"}}}}}"#,
        "{}",
    );
    let generated = generate(&text, &Options::default()).expect("generate");
    assert_eq!(generated.summary.generated, 0);
    assert_eq!(
        generated
            .summary
            .skipped
            .get("path placeholders do not match the path parameters"),
        Some(&1)
    );
    assert!(generated.code.contains(
        "// skipped: path placeholders do not match the path parameters: GET /a/{id} (getA)"
    ));
}

#[test]
fn a_cyclic_all_of_is_not_an_endless_loop() {
    let text = spec(
        "{}",
        r##"{"A": {"allOf": [{"$ref": "#/components/schemas/B"}, {"type": "object", "properties": {"x": {"type": "string"}}}]},
             "B": {"allOf": [{"$ref": "#/components/schemas/A"}, {"type": "object", "properties": {"y": {"type": "string"}}}]}}"##,
    );
    let generated = generate(&text, &Options::default()).expect("generate");
    assert!(
        generated.code.contains("pub type A = serde_json::Value;"),
        "{}",
        generated.code
    );
}
