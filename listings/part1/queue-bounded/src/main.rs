use std::time::Duration;

use tokio::sync::mpsc;
use tokio::time::{Instant, sleep};

/// Seconds since `start`, as the program prints them.
fn at(start: Instant) -> String {
    format!("{:.1}s", start.elapsed().as_secs_f64())
}

// ANCHOR: producer
/// Queues jobs 1 to `jobs` as fast as the queue takes them. Returns when the
/// last was queued.
async fn produce(
    jobs_tx: mpsc::Sender<u32>,
    jobs: u32,
    start: Instant,
) -> anyhow::Result<Duration> {
    for job in 1..=jobs {
        // While the queue is full, `send` waits here: the producer slows to the
        // consumer's pace.
        jobs_tx.send(job).await?;
        println!("{} producer: queued job {job}", at(start));
    }
    Ok(start.elapsed())
}
// ANCHOR_END: producer

// ANCHOR: consumer
/// Takes jobs one at a time; each takes 100 ms. Stops when the queue is closed
/// and empty.
async fn consume(mut jobs_rx: mpsc::Receiver<u32>, start: Instant) -> u32 {
    let mut handled = 0;
    while let Some(job) = jobs_rx.recv().await {
        println!("{} consumer: handling job {job}", at(start));
        sleep(Duration::from_millis(100)).await;
        handled += 1;
    }
    handled
}
// ANCHOR_END: consumer

// ANCHOR: main
#[tokio::main(flavor = "current_thread")]
async fn main() -> anyhow::Result<()> {
    let start = Instant::now();
    // Room for two jobs: a third has to wait until the consumer takes one.
    let (jobs_tx, jobs_rx) = mpsc::channel(2);
    let consumer = tokio::spawn(consume(jobs_rx, start));
    let last_queued = produce(jobs_tx, 5, start).await?;
    let handled = consumer.await?;
    println!(
        "{} main: {handled} jobs handled; the last was queued at {:.1}s",
        at(start),
        last_queued.as_secs_f64()
    );
    Ok(())
}
// ANCHOR_END: main

#[cfg(test)]
mod tests {
    use super::*;

    /// When the producer queued its last job, with a queue of `capacity`.
    async fn last_queued(capacity: usize) -> Duration {
        let start = Instant::now();
        let (jobs_tx, jobs_rx) = mpsc::channel(capacity);
        let consumer = tokio::spawn(consume(jobs_rx, start));
        let last_queued = produce(jobs_tx, 5, start).await.unwrap();
        assert_eq!(consumer.await.unwrap(), 5, "every job is handled");
        assert_eq!(start.elapsed(), Duration::from_millis(500));
        last_queued
    }

    #[tokio::test(start_paused = true)]
    async fn a_full_queue_makes_the_producer_wait_for_the_consumer() {
        // Jobs 1 and 2 fill the queue; the consumer takes job 1 at once, so job
        // 3 fits too. Jobs 4 and 5 each wait for the consumer to finish a job:
        // 100 ms, then 200 ms.
        assert_eq!(last_queued(2).await, Duration::from_millis(200));
    }

    #[tokio::test(start_paused = true)]
    async fn with_room_for_every_job_the_producer_never_waits() {
        assert_eq!(last_queued(5).await, Duration::ZERO);
    }

    #[tokio::test(start_paused = true)]
    async fn send_fails_once_the_consumer_is_gone() {
        let (jobs_tx, jobs_rx) = mpsc::channel(2);
        drop(jobs_rx);
        assert!(produce(jobs_tx, 5, Instant::now()).await.is_err());
    }
}
