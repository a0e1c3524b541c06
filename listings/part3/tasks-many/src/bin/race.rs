//! select!: the first of several futures to finish wins; the others are
//! dropped.

use std::time::Duration;

use tokio::sync::mpsc;
use tokio::time::{Instant, sleep};
use tokio_util::sync::CancellationToken;

async fn mirror(name: &str, seconds: u64) -> String {
    sleep(Duration::from_secs(seconds)).await;
    format!("the page, from {name}")
}

// ANCHOR: race
/// Asks two mirrors, keeps the first answer, and gives up after `limit`.
async fn fastest_mirror(limit: Duration) -> Option<String> {
    tokio::select! {
        page = mirror("Frankfurt", 2) => Some(page),
        page = mirror("Oregon", 1) => Some(page),
        _ = sleep(limit) => None,
    }
}
// ANCHOR_END: race

// ANCHOR: worker
/// Takes jobs from the queue until it is empty and closed, or until the
/// token is cancelled, whichever comes first. Returns the jobs it did.
async fn worker(
    mut jobs: mpsc::Receiver<u32>,
    stop: CancellationToken,
) -> Vec<u32> {
    let mut done = Vec::new();
    loop {
        tokio::select! {
            // Branches are tried in the order written, so a cancel is seen
            // at once even when the queue always has another job ready.
            biased;
            _ = stop.cancelled() => break,
            job = jobs.recv() => match job {
                Some(job) => done.push(job),
                None => break, // every sender is gone and the queue is empty
            },
        }
    }
    done
}
// ANCHOR_END: worker

// ANCHOR: main
// One thread, so the worker's steps happen in a fixed order.
#[tokio::main(flavor = "current_thread")]
async fn main() {
    let start = Instant::now();
    let page = fastest_mirror(Duration::from_secs(5)).await;
    println!("{page:?} after {:.1}s", start.elapsed().as_secs_f64());
    let start = Instant::now();
    let page = fastest_mirror(Duration::from_millis(500)).await;
    println!("{page:?} after {:.1}s", start.elapsed().as_secs_f64());

    let (jobs_tx, jobs_rx) = mpsc::channel(10);
    let stop = CancellationToken::new();
    let worker = tokio::spawn(worker(jobs_rx, stop.clone()));
    for job in 1..=3 {
        jobs_tx.send(job).await.unwrap();
    }
    sleep(Duration::from_millis(100)).await; // the worker empties the queue
    // `jobs_tx` is still alive, so `recv` alone would wait for ever.
    stop.cancel();
    println!("The worker did {:?}, then stopped", worker.await.unwrap());
}
// ANCHOR_END: main

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn the_faster_mirror_wins_and_the_timer_gives_up() {
        let start = Instant::now();
        let page = fastest_mirror(Duration::from_secs(5)).await;
        assert_eq!(page.as_deref(), Some("the page, from Oregon"));
        assert_eq!(start.elapsed(), Duration::from_secs(1));
        let start = Instant::now();
        assert_eq!(fastest_mirror(Duration::from_millis(500)).await, None);
        assert_eq!(start.elapsed(), Duration::from_millis(500));
    }

    // ANCHOR: biased_test
    #[tokio::test]
    async fn a_cancelled_worker_takes_no_job_even_with_a_full_queue() {
        // Without `biased`, select! picks a ready branch at random, and one
        // of these twenty workers would take a job before seeing the cancel.
        for _ in 0..20 {
            let (jobs_tx, jobs_rx) = mpsc::channel(10);
            for job in 1..=10 {
                jobs_tx.send(job).await.unwrap();
            }
            let stop = CancellationToken::new();
            stop.cancel();
            assert_eq!(worker(jobs_rx, stop).await, Vec::<u32>::new());
        }
    }
    // ANCHOR_END: biased_test

    #[tokio::test]
    async fn a_worker_finishes_the_queue_when_the_senders_are_gone() {
        let (jobs_tx, jobs_rx) = mpsc::channel(10);
        for job in 1..=3 {
            jobs_tx.send(job).await.unwrap();
        }
        drop(jobs_tx);
        assert_eq!(worker(jobs_rx, CancellationToken::new()).await, [1, 2, 3]);
    }
}
