//! Fetching three slow pages with an async client, all at once.

use std::time::Duration;

use fetch_all::SlowServer;
use tokio::time::Instant;

// ANCHOR: fetch
async fn fetch(
    client: &reqwest::Client,
    url: String,
) -> anyhow::Result<String> {
    // Each `.await` hands the thread back to the runtime while we wait.
    let response = client.get(url).send().await?.error_for_status()?;
    Ok(response.text().await?)
}

async fn fetch_all_at_once(server: &SlowServer) -> anyhow::Result<Vec<String>> {
    let client = reqwest::Client::new();
    let fetches = (1..=3).map(|id| {
        println!("Fetching page {id}...");
        fetch(&client, server.url(id))
    });
    // Waits for all three together; the answers come back in this order.
    futures::future::try_join_all(fetches).await
}
// ANCHOR_END: fetch

// ANCHOR: main
#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let server = fetch_all::start(Duration::from_secs(1), 20).await?;

    let start = Instant::now();
    let pages = fetch_all_at_once(&server).await?;
    println!("Got {pages:?}");
    println!("All at once took {:.1?}", start.elapsed());
    println!("The server had at most {} at once", server.most_at_once());
    Ok(())
}
// ANCHOR_END: main

#[cfg(test)]
mod tests {
    use super::*;

    // ANCHOR: test
    #[tokio::test(start_paused = true)]
    async fn three_pages_take_as_long_as_one() {
        // Server and client share this runtime, so the server's sleep is on
        // the paused clock, which jumps ahead when every task is waiting.
        let server =
            fetch_all::start(Duration::from_secs(1), 20).await.unwrap();
        let start = Instant::now();
        let pages = fetch_all_at_once(&server).await.unwrap();
        assert_eq!(start.elapsed(), Duration::from_secs(1));
        assert_eq!(pages, ["page 1", "page 2", "page 3"]);
        assert_eq!(server.most_at_once(), 3);
    }
    // ANCHOR_END: test
}
