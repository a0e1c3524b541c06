//! Exercise: a dashboard that fetches the weather and the news together.
//!
//! A solution: copy this file over `src/lib.rs` and `cargo test` passes.

use std::time::Duration;
use tokio::time::sleep;

/// What the dashboard shows.
#[derive(Debug, PartialEq)]
pub struct Dashboard {
    pub weather: String,
    pub news: String,
}

/// Takes two seconds. Leave it as it is.
pub async fn fetch_weather() -> String {
    sleep(Duration::from_secs(2)).await;
    "sunny".to_string()
}

/// Takes three seconds. Leave it as it is.
pub async fn fetch_news() -> String {
    sleep(Duration::from_secs(3)).await;
    "no news is good news".to_string()
}

// ANCHOR: start
/// Fetches the weather and the news at the same time.
pub async fn dashboard() -> Dashboard {
    // join! polls both futures in turn, so both sleeps run at once.
    let (weather, news) = tokio::join!(fetch_weather(), fetch_news());
    Dashboard { weather, news }
}
// ANCHOR_END: start
