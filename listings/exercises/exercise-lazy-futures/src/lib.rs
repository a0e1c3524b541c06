//! Exercise: a dashboard that fetches the weather and the news together.
//!
//! `cargo test` fails until `dashboard` takes as long as the slower fetch.

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
    // Both futures are made first: are they both running now?
    let weather = fetch_weather();
    let news = fetch_news();
    Dashboard {
        weather: weather.await,
        news: news.await,
    }
}
// ANCHOR_END: start
