//! The coordinator: owns the frontier, starts fetches, saves results.

use std::collections::{HashSet, VecDeque};
use std::sync::Arc;

use indicatif::ProgressBar;
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;
use url::Url;

use crate::fetch::{Fetcher, Limits};
use crate::page::same_site;
use crate::store::Store;

/// What one run of the crawl did.
#[derive(Debug, Default)]
pub struct Summary {
    /// Pages fetched by this run.
    pub fetched: usize,
    /// The pages of this run that failed, and why, sorted.
    pub failed: Vec<(Url, String)>,
    /// Pages in the database, fetched or not.
    pub seen: usize,
    /// Pages still to fetch (the crawl was stopped before the end).
    pub left: usize,
}

// ANCHOR: crawl
/// Crawls the site of `start`, picking up where the database left off,
/// until nothing is left to fetch or `stop` is cancelled.
pub async fn crawl(
    start: &Url,
    store: &Store,
    limits: &Limits,
    progress: &ProgressBar,
    stop: CancellationToken,
) -> anyhow::Result<Summary> {
    let fetcher = Arc::new(Fetcher::new(limits)?);
    let resumed = store.resume().await?;
    let mut seen: HashSet<Url> = resumed.seen.into_iter().collect();
    let mut to_fetch = VecDeque::from(resumed.to_fetch);
    progress.set_length(seen.len() as u64);
    progress.set_position((seen.len() - to_fetch.len()) as u64);
    let mut fetching = JoinSet::new();
    let mut summary = Summary::default();
    loop {
        while !stop.is_cancelled()
            && fetching.len() < limits.concurrency
            && let Some(url) = to_fetch.pop_front()
        {
            let fetcher = fetcher.clone();
            fetching.spawn(async move {
                let fetched = fetcher.fetch(&url).await;
                (url, fetched)
            });
        }
        // ANCHOR_END: crawl
        // ANCHOR: result
        let next = tokio::select! {
            next = fetching.join_next() => next,
            // Stop starting fetches; those in flight finish and are saved.
            () = stop.cancelled(), if !stop.is_cancelled() => continue,
        };
        let Some(next) = next else {
            break; // nothing in flight, and nothing (more) to start
        };
        let (url, fetched) = next?;
        let mut new = Vec::new();
        for link in &fetched.links {
            if same_site(start, link) && seen.insert(link.clone()) {
                new.push(link.clone());
            }
        }
        store.save(&url, &fetched, &new).await?;
        to_fetch.extend(new);
        summary.fetched += 1;
        if let Some(error) = fetched.error {
            summary.failed.push((url, error));
        }
        progress.set_length(seen.len() as u64);
        progress.inc(1);
        let failed = summary.failed.len();
        progress
            .set_message(format!("{} queued, {failed} failed", to_fetch.len()));
    }
    summary.failed.sort();
    summary.seen = seen.len();
    summary.left = to_fetch.len();
    Ok(summary)
}
// ANCHOR_END: result
