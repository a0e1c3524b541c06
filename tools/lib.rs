//! The tools behind the book "Async Rust, a beginner's guide": build it strictly, serve it
//! while it is written, and the checks that the tests share.

pub mod api_links;
pub mod book;
pub mod contents;
pub mod crates;
pub mod figures;
pub mod listings;
pub mod markdown;
pub mod serve;
pub mod snippets;
pub mod timeline;

/// The root of the repository: where `book.toml` is.
pub fn root() -> std::path::PathBuf {
    std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

// Every `rust` block written in a chapter is compiled and run as a doctest of this crate.
// build.rs copies the chapters with the blocks that only include a listing turned into
// plain text (listings are tested as crates of their own) and lists them here.
//
// They are doctests under `--cfg chapter_doctests` only, which the book's tests give rustdoc
// when they run them (tests/book/snippets.rs): there they run beside the listings' tests,
// where cargo's own doctest step comes after every test binary, one core working while the
// other waits. `RUSTDOCFLAGS="--cfg chapter_doctests" cargo test --doc` runs them alone.
#[cfg(all(doctest, chapter_doctests))]
include!(concat!(env!("OUT_DIR"), "/chapter_doctests.rs"));
