//! Fetching a hundred slow pages, at most ten at a time.

use std::time::Duration;

use fetch_all::SlowServer;
use futures::StreamExt;

async fn fetch(
    client: &reqwest::Client,
    url: String,
) -> anyhow::Result<String> {
    let response = client.get(url).send().await?.error_for_status()?;
    Ok(response.text().await?)
}

// ANCHOR: limited
/// Fetches every URL, with at most `limit` requests out at any moment.
async fn fetch_limited(
    urls: Vec<String>,
    limit: usize,
) -> Vec<anyhow::Result<String>> {
    let client = reqwest::Client::new();
    futures::stream::iter(urls)
        // A stream of futures, not yet started...
        .map(|url| fetch(&client, url))
        // ...run `limit` at a time: a new one starts when one finishes.
        .buffer_unordered(limit)
        .collect()
        .await
}
// ANCHOR_END: limited

fn page_urls(server: &SlowServer) -> Vec<String> {
    (1..=100).map(|id| server.url(id)).collect()
}

// ANCHOR: main
#[tokio::main]
async fn main() -> anyhow::Result<()> {
    // Like many real servers, this one serves 20 requests at once at most.
    let server = fetch_all::start(Duration::from_millis(100), 20).await?;

    let results = fetch_limited(page_urls(&server), 10).await;
    let fetched = results.iter().filter(|result| result.is_ok()).count();
    println!("Fetched {fetched} of {} pages", results.len());
    println!("The server had at most {} at once", server.most_at_once());
    Ok(())
}
// ANCHOR_END: main

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::time::Instant;

    // ANCHOR: test
    #[tokio::test(start_paused = true)]
    async fn the_server_never_has_more_than_the_limit() {
        let server = fetch_all::start(Duration::from_millis(100), 20)
            .await
            .unwrap();
        let start = Instant::now();
        let results = fetch_limited(page_urls(&server), 10).await;
        assert_eq!(server.most_at_once(), 10);
        assert_eq!(server.turned_away(), 0);
        assert!(results.iter().all(|result| result.is_ok()));
        // A hundred pages in ten rounds of ten: ten delays of 100 ms.
        assert_eq!(start.elapsed(), Duration::from_secs(1));
    }
    // ANCHOR_END: test
}
