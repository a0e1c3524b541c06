//! Step 2 of the scraper: a concurrent crawl, and knowing when it is done.

pub mod page;
pub mod site;

use std::collections::{BTreeMap, HashSet, VecDeque};
use std::sync::{Arc, Mutex};

use reqwest::Client;
use tokio::sync::mpsc;
use tokio::task::JoinSet;
use url::Url;

use page::{Page, parse_page, same_site};

/// Fetches one page and reads its title and links.
pub async fn fetch_page(client: &Client, url: &Url) -> Result<Page, String> {
    let response = client.get(url.clone()).send().await;
    let response = response.and_then(|r| r.error_for_status());
    let html = match response {
        Ok(response) => response.text().await,
        Err(error) => Err(error),
    };
    html.map(|html| parse_page(url, &html))
        .map_err(|error| error.to_string())
}

// ANCHOR: queue
/// A crawl the way Part 1's workers read a queue, with a twist: the
/// workers also put the links they find into the queue they read.
/// It never returns (see the tests).
pub async fn crawl_with_a_queue(
    client: Client,
    start: Url,
    workers: usize,
    capacity: usize,
) -> BTreeMap<Url, Result<Page, String>> {
    let (urls_tx, urls_rx) = mpsc::channel::<Url>(capacity);
    let urls_rx = Arc::new(tokio::sync::Mutex::new(urls_rx));
    let seen = Arc::new(Mutex::new(HashSet::new()));
    let pages = Arc::new(Mutex::new(BTreeMap::new()));
    urls_tx.send(start.clone()).await.unwrap();
    let mut tasks = JoinSet::new();
    for _ in 0..workers {
        let (client, start) = (client.clone(), start.clone());
        let (urls_tx, urls_rx) = (urls_tx.clone(), urls_rx.clone());
        let (seen, pages) = (seen.clone(), pages.clone());
        tasks.spawn(async move {
            // Ends when the queue is closed: when every sender is gone.
            while let Some(url) = urls_rx.lock().await.recv().await {
                if !seen.lock().unwrap().insert(url.clone()) {
                    continue; // already fetched
                }
                let page = fetch_page(&client, &url).await;
                for link in page.iter().flat_map(|page| &page.links) {
                    if same_site(&start, link) {
                        // Waits while the queue is full.
                        urls_tx.send(link.clone()).await.unwrap();
                    }
                }
                pages.lock().unwrap().insert(url, page);
            }
        });
    }
    drop(urls_tx); // ours; but every worker holds one too
    tasks.join_all().await;
    Arc::into_inner(pages).unwrap().into_inner().unwrap()
}
// ANCHOR_END: queue

// ANCHOR: coordinator
/// A crawl whose frontier (the URLs seen and those still to fetch) is
/// owned by one loop, which starts at most `concurrency` fetches at once.
pub async fn crawl(
    client: Client,
    start: Url,
    concurrency: usize,
) -> BTreeMap<Url, Result<Page, String>> {
    let mut seen = HashSet::from([start.clone()]);
    let mut to_fetch = VecDeque::from([start.clone()]);
    let mut fetching = JoinSet::new();
    let mut pages = BTreeMap::new();
    loop {
        while fetching.len() < concurrency
            && let Some(url) = to_fetch.pop_front()
        {
            let client = client.clone();
            fetching.spawn(async move {
                let page = fetch_page(&client, &url).await;
                (url, page)
            });
        }
        // Nothing queued and nothing being fetched: the crawl is done.
        let Some(fetched) = fetching.join_next().await else {
            break;
        };
        let (url, page) = fetched.expect("a fetch panicked");
        for link in page.iter().flat_map(|page| &page.links) {
            if same_site(&start, link) && seen.insert(link.clone()) {
                to_fetch.push_back(link.clone());
            }
        }
        pages.insert(url, page);
    }
    pages
}
// ANCHOR_END: coordinator

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;
    use tokio::time::timeout;

    const PAGES: usize = 31; // "/" and /page/0 to /page/29

    fn each_once(hits: &site::Hits) -> bool {
        let hits = hits.lock().unwrap();
        hits.len() == PAGES && hits.values().all(|&n| n == 1)
    }

    // ANCHOR: hang
    #[tokio::test(start_paused = true)]
    async fn a_queue_the_workers_feed_never_closes() {
        let (start, hits) =
            site::start(30, Duration::from_millis(100)).await.unwrap();
        let crawl = crawl_with_a_queue(Client::new(), start, 4, 1000);
        // An hour on the paused clock passes in an instant.
        let hour = Duration::from_secs(3600);
        assert!(timeout(hour, crawl).await.is_err(), "it returned");
        // Every page was fetched, yet the crawl did not end.
        assert!(each_once(&hits), "{hits:?}");
    }

    #[tokio::test(start_paused = true)]
    async fn a_full_queue_its_workers_send_into_stops_them_all() {
        let (start, hits) =
            site::start(30, Duration::from_millis(100)).await.unwrap();
        let crawl = crawl_with_a_queue(Client::new(), start, 4, 2);
        let hour = Duration::from_secs(3600);
        assert!(timeout(hour, crawl).await.is_err(), "it returned");
        // Stuck halfway: every worker waits to send, none receives.
        let fetched = hits.lock().unwrap().len();
        assert!(fetched < PAGES, "fetched {fetched}");
    }
    // ANCHOR_END: hang

    #[tokio::test(start_paused = true)]
    async fn the_coordinator_ends_and_fetches_each_page_once() {
        let (start, hits) =
            site::start(30, Duration::from_millis(100)).await.unwrap();
        let crawl = crawl(Client::new(), start.clone(), 4);
        let hour = Duration::from_secs(3600);
        let pages = timeout(hour, crawl).await.expect("it never ended");
        assert_eq!(pages.len(), PAGES);
        assert!(pages.keys().all(|url| same_site(&start, url)));
        assert!(pages.values().all(Result::is_ok));
        assert!(each_once(&hits), "{hits:?}");
    }
}
