// Compiles each program in compile-fail/ and checks that rustc rejects it
// with exactly the error saved in the .stderr file beside it.
// TRYBUILD=overwrite refreshes those files.
#[test]
fn the_mistakes_are_rejected_with_the_errors_the_book_shows() {
    trybuild::TestCases::new().compile_fail("compile-fail/*.rs");
}
