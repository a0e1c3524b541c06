//! The book's own tests, in one test binary so that they run side by side: the slow ones
//! (the listings' real runs, the Python snippets' real sleeps) overlap instead of adding up
//! (early.rs says how).

mod build;
mod cli;
mod early;
mod exercises;
mod listings;
mod snippets;
mod workspace;

/// The workspace's target folder, which cargo chose for this test binary too; the tests keep
/// their own builds and files in folders inside it.
pub(crate) fn target_dir() -> std::path::PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| async_book::root().join("target"))
}

/// Every listing's own tests, run side by side from the workspace's build (tests/book/workspace.rs).
/// Its name sorts first, so that it starts first: it is the longest of the book's tests.
#[test]
fn all_listings_pass_their_own_tests() {
    early::start_all();
    workspace::run_listing_tests();
}
