//! The one trybuild driver: `ui/<topic>/<mistake>.rs` must fail to compile
//! with the checked-in `.stderr`; `pass/*.rs` must compile (and run).
//!
//! After a deliberate change to a message, regenerate with
//! `TRYBUILD=overwrite cargo test -p restrait-tests --test compiletest` and
//! review every changed `.stderr`.

#[test]
fn ui() {
    let t = trybuild::TestCases::new();
    t.compile_fail("tests/ui/*/*.rs");
    t.pass("tests/pass/*.rs");
}
