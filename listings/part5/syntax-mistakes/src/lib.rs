//! Programs that must not compile, in `compile-fail/`. `cargo test`
//! compiles each one and checks that rustc rejects it with the error
//! saved beside it.
