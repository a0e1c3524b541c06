//! This crate holds a program that must not compile: `compile-fail/await-in-sync-fn.rs`.
//! `cargo test` compiles it and checks that rustc rejects it with the error saved beside it.
