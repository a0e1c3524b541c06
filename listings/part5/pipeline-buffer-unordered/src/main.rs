use std::time::Duration;

use futures::StreamExt;
use tokio::sync::mpsc;
use tokio::time::{Instant, sleep};
use tokio_stream::wrappers::ReceiverStream;

/// When one job ran, measured from the start of the stage.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Ran {
    job: u32,
    from: Duration,
    to: Duration,
}

// ANCHOR: stage
/// A stage that works on up to `limit` jobs at once, inside one task.
/// Each job is a number of milliseconds to wait, standing in for a request.
async fn run_jobs(
    jobs_rx: mpsc::Receiver<u32>,
    limit: usize,
    done_tx: mpsc::Sender<Ran>,
) {
    let start = Instant::now();
    let mut finished = ReceiverStream::new(jobs_rx)
        .map(|job| async move {
            let from = start.elapsed();
            sleep(Duration::from_millis(job.into())).await;
            Ran {
                job,
                from,
                to: start.elapsed(),
            }
        })
        .buffer_unordered(limit); // at most `limit` jobs at a time
    while let Some(ran) = finished.next().await {
        if done_tx.send(ran).await.is_err() {
            return;
        }
    }
}
// ANCHOR_END: stage

// ANCHOR: main
#[tokio::main]
async fn main() {
    let (jobs_tx, jobs_rx) = mpsc::channel(8);
    let (done_tx, mut done_rx) = mpsc::channel(8);
    tokio::spawn(async move {
        for job in [300, 100, 250, 100, 400, 100] {
            if jobs_tx.send(job).await.is_err() {
                return;
            }
        }
    });
    tokio::spawn(run_jobs(jobs_rx, 3, done_tx));
    while let Some(ran) = done_rx.recv().await {
        let (from, to) = (ran.from.as_secs_f64(), ran.to.as_secs_f64());
        println!("{} ms job: from {from:.2}s to {to:.2}s", ran.job);
    }
}
// ANCHOR_END: main

#[cfg(test)]
mod tests {
    use super::*;

    /// Runs `jobs` through the stage and returns what ran when.
    async fn run(jobs: Vec<u32>, limit: usize) -> Vec<Ran> {
        let (jobs_tx, jobs_rx) = mpsc::channel(jobs.len());
        for job in jobs {
            jobs_tx.send(job).await.unwrap();
        }
        drop(jobs_tx);
        let (done_tx, mut done_rx) = mpsc::channel(100);
        run_jobs(jobs_rx, limit, done_tx).await;
        let mut ran = Vec::new();
        while let Some(one) = done_rx.recv().await {
            ran.push(one);
        }
        ran
    }

    /// The most jobs running at any one moment.
    fn most_at_once(ran: &[Ran]) -> usize {
        ran.iter()
            .map(|a| {
                ran.iter()
                    .filter(|b| b.from <= a.from && a.from < b.to)
                    .count()
            })
            .max()
            .unwrap()
    }

    #[tokio::test(start_paused = true)]
    async fn ten_jobs_three_at_a_time() {
        let start = Instant::now();
        let ran = run(vec![100; 10], 3).await;
        assert_eq!(ran.len(), 10);
        assert_eq!(most_at_once(&ran), 3);
        // Four rounds: 3, 3, 3 and 1.
        assert_eq!(start.elapsed(), Duration::from_millis(400));
    }

    #[tokio::test(start_paused = true)]
    async fn a_new_job_starts_as_soon_as_one_finishes() {
        let start = Instant::now();
        let ran = run(vec![300, 100, 250, 100, 400, 100], 3).await;
        assert_eq!(most_at_once(&ran), 3);
        let order: Vec<u32> = ran.iter().map(|r| r.job).collect();
        assert_eq!(order, [100, 100, 250, 300, 100, 400]);
        assert_eq!(start.elapsed(), Duration::from_millis(600));
    }
}
