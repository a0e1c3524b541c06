//! Step 2: crawl a generated site of 30 pages, four fetches at a time.

use std::time::Duration;

use reqwest::Client;
use scraper_frontier::{crawl, site};

// ANCHOR: main
#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let (start, hits) = site::start(30, Duration::from_millis(20)).await?;
    let pages = crawl(Client::new(), start, 4).await;
    println!("crawled {} pages", pages.len());
    for (url, page) in pages.iter().take(4) {
        let page = page.as_ref().map_err(|e| anyhow::anyhow!("{e}"))?;
        let title = page.title.as_deref().unwrap_or("");
        println!("  {:<10} {title:<8} {} links", url.path(), page.links.len());
    }
    let hits = hits.lock().unwrap();
    let most = hits.values().max().unwrap();
    println!(
        "the server answered {} paths, each at most {most}",
        hits.len()
    );
    Ok(())
}
// ANCHOR_END: main
