//! The book's own tests, in one test binary so that they run side by side: the slow ones
//! (the listings' real runs, the Python snippets' real sleeps) overlap instead of adding up.

mod build;
mod cli;
mod exercises;
mod listings;
mod snippets;
mod workspace;

/// Every listing's own tests, run side by side from the workspace's build (tests/book/workspace.rs).
/// Its name sorts first, so that it starts first: it is the longest of the book's tests.
#[test]
fn all_listings_pass_their_own_tests() {
    workspace::run_listing_tests();
}
