//! The book's own tests, in one test binary so that they run side by side: the slow ones
//! (the listings' real runs, the Python snippets' real sleeps) overlap instead of adding up.

mod build;
mod cli;
mod exercises;
mod listings;
mod snippets;
