//! The finished scraper: a concurrent, polite crawl of one site, saved to
//! SQLite as it goes.

pub mod crawl;
pub mod fetch;
pub mod limit;
pub mod page;
pub mod store;

pub use crawl::{Summary, crawl};
pub use fetch::{Fetched, Limits};
pub use store::Store;
