//! The generated Rust for the vendored specs, compared byte for byte with
//! the checked-in files under `tests/snapshots/`. After a deliberate change
//! to the output, rewrite them with `RESTRAIT_OPENAPI_BLESS=1 cargo test -p
//! restrait-openapi --test snapshot` and review the diff. They are written
//! with `--check-against` their spec, so `#[resource(openapi = ..)]` checks
//! the generator's output against the spec it came from.

use std::path::{Path, PathBuf};

use restrait_openapi::{Options, generate};

fn here(relative: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests")
        .join(relative)
}

fn check(spec: &str, snapshot: &str) {
    let text = std::fs::read_to_string(here(spec)).expect("read the spec");
    // Checked against their own spec whenever `clients.rs` compiles them.
    let options = Options::new().check_against(format!("tests/{spec}"));
    let generated = generate(&text, &options).expect("generate");
    let path = here(snapshot);
    if std::env::var_os("RESTRAIT_OPENAPI_BLESS").is_some() {
        std::fs::write(&path, &generated.code).expect("write the snapshot");
        return;
    }
    let expected = std::fs::read_to_string(&path).expect("read the snapshot");
    if generated.code != expected {
        let first = generated
            .code
            .lines()
            .zip(expected.lines())
            .position(|(a, b)| a != b)
            .map_or("a line added or removed at the end".to_owned(), |i| {
                format!("line {}", i + 1)
            });
        panic!(
            "{snapshot} differs from what {spec} generates now (first difference: {first}); \
             rerun with RESTRAIT_OPENAPI_BLESS=1 and review the diff"
        );
    }
}

#[test]
fn petstore_snapshot() {
    check("specs/petstore.yaml", "snapshots/petstore.rs");
}

#[test]
fn openapi_31_snapshot() {
    check("specs/todo31.yaml", "snapshots/todo31.rs");
}

#[test]
fn output_is_the_same_bytes_every_time() {
    let text = std::fs::read_to_string(here("specs/todo31.yaml")).expect("read the spec");
    let first = generate(&text, &Options::default()).expect("generate").code;
    for _ in 0..3 {
        assert_eq!(
            generate(&text, &Options::default()).expect("generate").code,
            first
        );
    }
}

#[test]
fn yaml_and_json_give_the_same_code() {
    let yaml = std::fs::read_to_string(here("specs/petstore.yaml")).expect("read the spec");
    let value: serde_json::Value = serde_norway::from_str(&yaml).expect("parse YAML");
    let json = serde_json::to_string_pretty(&value).expect("to JSON");
    let from_yaml = generate(&yaml, &Options::default()).expect("generate from YAML");
    let from_json = generate(&json, &Options::default()).expect("generate from JSON");
    assert_eq!(from_yaml.code, from_json.code);
}
