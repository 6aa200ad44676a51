//! The `restrait-openapi` binary: writes the file, reports to stderr, and
//! fails with the error's pointer on a bad spec.

use std::path::Path;
use std::process::Command;

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_restrait-openapi"))
}

#[test]
fn writes_the_file_and_prints_the_summary_with_skips() {
    let spec = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/specs/todo31.yaml");
    let out = std::env::temp_dir().join(format!("restrait-openapi-cli-{}.rs", std::process::id()));
    let run = bin()
        .arg(&spec)
        .args([
            "--tag",
            "todos",
            "--check-against",
            "specs/todo.yaml",
            "--out",
        ])
        .arg(&out)
        .output()
        .expect("run the CLI");
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(
        stderr.contains("6 operations: 5 generated, 1 skipped; 1 traits"),
        "{stderr}"
    );
    assert!(stderr.contains("skipped (multipart): 1"), "{stderr}");
    let code = std::fs::read_to_string(&out).expect("the output file");
    assert!(code.contains("pub trait TodosApi"));
    assert!(code.contains(r#"#[restrait::resource(openapi = "specs/todo.yaml")]"#));
    assert!(!code.contains("pub trait DefaultApi"));
    assert!(
        code.contains(
            "// skipped: multipart: POST /todos/{todo-id}/attachments (uploadAttachment)"
        )
    );
    assert!(run.stdout.is_empty());
    let _ = std::fs::remove_file(out);
}

#[test]
fn a_bad_spec_fails_with_the_pointer() {
    let spec =
        std::env::temp_dir().join(format!("restrait-openapi-bad-{}.json", std::process::id()));
    std::fs::write(
        &spec,
        r##"{"openapi": "3.0.3", "info": {"title": "t", "version": "1"}, "paths": {},
            "components": {"schemas": {"A": {"$ref": "#/components/schemas/B"}}}}"##,
    )
    .expect("write the spec");
    let run = bin().arg(&spec).output().expect("run the CLI");
    assert!(!run.status.success());
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(
        stderr.contains("invalid spec at /components/schemas/A"),
        "{stderr}"
    );
    assert!(
        bin()
            .arg("--nope")
            .output()
            .is_ok_and(|o| !o.status.success())
    );
    let _ = std::fs::remove_file(spec);
}
