// Compiles each program in compile-fail/ and checks that rustc rejects it with exactly the
// error saved in the .stderr file beside it. TRYBUILD=overwrite refreshes those files.
#[test]
fn await_outside_async_is_rejected() {
    trybuild::TestCases::new().compile_fail("compile-fail/*.rs");
}
