use std::collections::{BTreeSet, HashMap, VecDeque};
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::mpsc::error::TrySendError;
use tokio::sync::{Mutex, mpsc};
use tokio::task::JoinSet;
use tokio::time::sleep;

// ANCHOR: site
/// A small web site: each page and the pages it links to.
type Site = HashMap<&'static str, Vec<&'static str>>;

fn example_site() -> Site {
    HashMap::from([
        ("/", vec!["/about", "/blog"]),
        ("/about", vec!["/"]),
        ("/blog", vec!["/blog/1", "/blog/2", "/about"]),
        ("/blog/1", vec!["/blog/2"]),
        ("/blog/2", vec!["/blog/1", "/"]),
    ])
}

/// Fetches a page (100 ms) and returns the links on it.
async fn fetch_links(site: &Site, page: &str) -> Vec<String> {
    sleep(Duration::from_millis(100)).await;
    let links = site.get(page).cloned().unwrap_or_default();
    links.into_iter().map(String::from).collect()
}
// ANCHOR_END: site

// ANCHOR: worker
/// Takes pages until the queue is closed; sends back the links it found.
async fn worker(
    site: Arc<Site>,
    pages: Arc<Mutex<mpsc::Receiver<String>>>,
    found_tx: mpsc::Sender<Vec<String>>,
) {
    loop {
        let next = pages.lock().await.recv().await;
        let Some(page) = next else { break };
        let links = fetch_links(&site, &page).await;
        if found_tx.send(links).await.is_err() {
            break; // the crawl is over
        }
    }
}
// ANCHOR_END: worker

// ANCHOR: crawl
/// Crawls from `start` with `workers` workers; returns every page reached.
async fn crawl(site: Site, start: &str, workers: usize) -> Vec<String> {
    let (pages_tx, pages_rx) = mpsc::channel(workers);
    let (found_tx, mut found_rx) = mpsc::channel(workers);
    let (site, pages_rx) = (Arc::new(site), Arc::new(Mutex::new(pages_rx)));
    let mut pool = JoinSet::new();
    for _ in 0..workers {
        let (site, pages_rx) = (site.clone(), pages_rx.clone());
        pool.spawn(worker(site, pages_rx, found_tx.clone()));
    }

    let mut seen = BTreeSet::from([start.to_string()]);
    let mut to_visit = VecDeque::from([start.to_string()]);
    let mut outstanding = 0; // pages handed out whose links are not back yet
    while outstanding > 0 || !to_visit.is_empty() {
        // Hand out as many pages as the queue takes, without waiting.
        while let Some(page) = to_visit.pop_front() {
            match pages_tx.try_send(page) {
                Ok(()) => outstanding += 1,
                Err(TrySendError::Full(page)) => {
                    to_visit.push_front(page);
                    break;
                }
                Err(TrySendError::Closed(_)) => unreachable!("workers run"),
            }
        }
        // Then wait for one page's links: new work, or none.
        let links = found_rx.recv().await.expect("a worker is running");
        outstanding -= 1;
        for link in links {
            if seen.insert(link.clone()) {
                to_visit.push_back(link);
            }
        }
    }
    drop(pages_tx); // no work outstanding, none to come: close the queue
    pool.join_all().await;
    seen.into_iter().collect() // a BTreeSet iterates in sorted order
}
// ANCHOR_END: crawl

// ANCHOR: main
#[tokio::main]
async fn main() {
    let reached = crawl(example_site(), "/", 2).await;
    println!("reached {} pages: {}", reached.len(), reached.join(" "));
}
// ANCHOR_END: main

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::time::Instant;

    #[tokio::test(start_paused = true)]
    async fn every_page_is_reached_once_and_the_crawl_ends() {
        let start = Instant::now();
        let reached = crawl(example_site(), "/", 2).await;
        assert_eq!(reached, ["/", "/about", "/blog", "/blog/1", "/blog/2"]);
        // Three rounds of 100 ms: "/"; "/about" with "/blog"; the two posts.
        assert_eq!(start.elapsed(), Duration::from_millis(300));
    }

    #[tokio::test(start_paused = true)]
    async fn a_page_with_no_links_ends_the_crawl_at_once() {
        let site = HashMap::from([("/", vec![])]);
        let start = Instant::now();
        assert_eq!(crawl(site, "/", 4).await, ["/"]);
        assert_eq!(start.elapsed(), Duration::from_millis(100));
    }

    #[tokio::test(start_paused = true)]
    async fn a_wide_site_fills_the_queue_and_still_finishes() {
        // 50 links on one page, a queue of 2: most wait in `to_visit`.
        let children: Vec<&'static str> = (0..50)
            .map(|i| &*Box::leak(format!("/p{i}").into_boxed_str()))
            .collect();
        let site = HashMap::from([("/", children)]);
        let start = Instant::now();
        assert_eq!(crawl(site, "/", 2).await.len(), 51);
        // "/" first, then 50 pages two at a time: 1 + 25 rounds.
        assert_eq!(start.elapsed(), Duration::from_millis(2_600));
    }
}
