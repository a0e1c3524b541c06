#[test]
fn mistakes_do_not_compile() {
    trybuild::TestCases::new().compile_fail("compile-fail/*.rs");
}
