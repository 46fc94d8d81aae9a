//! Compile-fail cases: every user-facing compile error of foal, each file
//! named for the rule it checks. Regenerate the expected output with
//! `TRYBUILD=overwrite` and review it.

#[test]
fn compile_errors() {
    trybuild::TestCases::new().compile_fail("ui/*.rs");
}
