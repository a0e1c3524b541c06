//! Exercise: fetch many pages, at most `limit` at a time, as fast as the limit
//! allows.
//!
//! A solution: copy this file over `src/lib.rs` and `cargo test` passes.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use tokio::sync::Semaphore;
use tokio::task::JoinSet;

/// A server that takes `id % 3 + 1` seconds to answer page `id`, and counts
/// the requests it serves at once. Leave it as it is.
#[derive(Default)]
pub struct Server {
    in_flight: AtomicUsize,
    most_at_once: AtomicUsize,
}

impl Server {
    pub async fn fetch(&self, id: u32) -> String {
        let now = self.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
        self.most_at_once.fetch_max(now, Ordering::SeqCst);
        let seconds = u64::from(id % 3 + 1);
        tokio::time::sleep(Duration::from_secs(seconds)).await;
        self.in_flight.fetch_sub(1, Ordering::SeqCst);
        format!("page {id}")
    }

    /// The most requests the server has served at the same time.
    pub fn most_at_once(&self) -> usize {
        self.most_at_once.load(Ordering::SeqCst)
    }
}

// ANCHOR: start
/// Fetches every page in `ids`, with at most `limit` requests in flight, and
/// returns the pages in the order of `ids`.
pub async fn fetch_all(
    server: Arc<Server>,
    ids: Vec<u32>,
    limit: usize,
) -> Vec<String> {
    assert!(limit > 0, "a limit of 0 would never fetch anything");
    // One permit per request in flight: a task waits for a permit before it
    // sends its request, and gives it back when the page is in.
    let permits = Arc::new(Semaphore::new(limit));
    let mut tasks = JoinSet::new();
    for (index, id) in ids.into_iter().enumerate() {
        let (server, permits) = (server.clone(), permits.clone());
        tasks.spawn(async move {
            let _permit = permits.acquire().await.expect("never closed");
            (index, server.fetch(id).await)
        });
    }
    // The pages arrive in the order they finish: put them back in order.
    let mut pages = vec![String::new(); tasks.len()];
    while let Some(done) = tasks.join_next().await {
        let (index, page) = done.expect("a fetch panicked");
        pages[index] = page;
    }
    pages
}
// ANCHOR_END: start
