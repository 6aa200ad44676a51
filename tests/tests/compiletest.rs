//! The one trybuild driver: `ui/<topic>/<mistake>.rs` must fail to compile
//! with the checked-in `.stderr`; `pass/*.rs` must compile (and run).
//!
//! After a deliberate change to a message, regenerate with
//! `TRYBUILD=overwrite cargo test -p restrait-tests --test compiletest` and
//! review every changed `.stderr`.
//!
//! While working on one topic, `UI_TOPIC=uploads cargo test -p restrait-tests
//! --test compiletest` checks `ui/uploads` alone (and skips `pass/`).

#[test]
fn ui() {
    let t = trybuild::TestCases::new();
    match std::env::var("UI_TOPIC") {
        Ok(topic) if !topic.is_empty() => t.compile_fail(format!("tests/ui/{topic}/*.rs")),
        _ => {
            t.compile_fail("tests/ui/*/*.rs");
            t.pass("tests/pass/*.rs");
        }
    }
}
