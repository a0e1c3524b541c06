use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{Mutex, mpsc};
use tokio::task::JoinSet;
use tokio::time::{Instant, sleep};

// ANCHOR: worker
/// The receiving end of the queue, shared by every worker.
type SharedJobs = Arc<Mutex<mpsc::Receiver<u32>>>;

/// Takes jobs until the queue is closed and empty; each takes 100 ms.
/// Returns its number and how many jobs it did.
async fn worker(number: u32, jobs: SharedJobs) -> (u32, u32) {
    let mut done = 0;
    loop {
        // The lock is held only while waiting for the next job, not while doing
        // it.
        let next = jobs.lock().await.recv().await;
        let Some(_job) = next else { break };
        sleep(Duration::from_millis(100)).await;
        done += 1;
    }
    (number, done)
}
// ANCHOR_END: worker

// ANCHOR: run
/// Queues `jobs` jobs for `workers` workers, then waits until every job is
/// done.
async fn run(workers: u32, jobs: u32) -> anyhow::Result<Vec<(u32, u32)>> {
    let (jobs_tx, jobs_rx) = mpsc::channel(100);
    let jobs_rx = Arc::new(Mutex::new(jobs_rx));
    let mut pool = JoinSet::new();
    for number in 1..=workers {
        pool.spawn(worker(number, Arc::clone(&jobs_rx)));
    }
    for job in 1..=jobs {
        jobs_tx.send(job).await?;
    }
    // The equivalent of queue.join(): close the queue, then wait for every
    // worker to stop.
    drop(jobs_tx);
    let mut report = Vec::new();
    while let Some(finished) = pool.join_next().await {
        report.push(finished?);
    }
    report.sort();
    Ok(report)
}
// ANCHOR_END: run

// ANCHOR: main
#[tokio::main(flavor = "current_thread")]
async fn main() -> anyhow::Result<()> {
    let start = Instant::now();
    for (number, done) in run(2, 6).await? {
        println!("worker {number} stopped after {done} jobs");
    }
    println!(
        "all jobs done after {:.1}s; no worker is left running",
        start.elapsed().as_secs_f64()
    );
    Ok(())
}
// ANCHOR_END: main

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn two_workers_do_six_jobs_in_three_rounds() {
        let start = Instant::now();
        assert_eq!(run(2, 6).await.unwrap(), [(1, 3), (2, 3)]);
        assert_eq!(start.elapsed(), Duration::from_millis(300));
    }

    #[tokio::test(start_paused = true)]
    async fn three_workers_do_them_in_two() {
        let start = Instant::now();
        let report = run(3, 6).await.unwrap();
        assert_eq!(report.iter().map(|&(_, done)| done).sum::<u32>(), 6);
        assert_eq!(start.elapsed(), Duration::from_millis(200));
    }
}
