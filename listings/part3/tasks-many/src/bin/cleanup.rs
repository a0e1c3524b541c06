//! Cleaning up when a task is cancelled: what replaces try/finally.

use std::time::Duration;

use tokio::time::sleep;
use tokio_util::sync::CancellationToken;

// ANCHOR: guard
/// Runs its cleanup when dropped: at the end of the scope, on `?`, on a
/// panic, and when the future holding it is dropped (aborted, timed out,
/// lost a select!). Drop cannot await, so this cleanup must be quick and
/// synchronous.
struct Cleanup(&'static str);

impl Drop for Cleanup {
    fn drop(&mut self) {
        println!("{}: guard dropped, temporary file removed", self.0);
    }
}
// ANCHOR_END: guard

async fn flush(name: &str) {
    sleep(Duration::from_millis(100)).await; // an async write, say
    println!("{name}: progress saved");
}

// ANCHOR: worker
async fn worker(name: &'static str, stop: CancellationToken) {
    let _cleanup = Cleanup(name);
    loop {
        tokio::select! {
            // Asked to stop: the task itself still runs, so it can await.
            _ = stop.cancelled() => {
                flush(name).await;
                return;
            }
            _ = sleep(Duration::from_millis(400)) => {
                println!("{name}: working");
            }
        }
    }
}
// ANCHOR_END: worker

// ANCHOR: main
#[tokio::main(flavor = "current_thread")]
async fn main() {
    let stop = CancellationToken::new();
    let polite = tokio::spawn(worker("asked", stop.clone()));
    let aborted = tokio::spawn(worker("aborted", CancellationToken::new()));
    sleep(Duration::from_millis(500)).await;

    stop.cancel(); // asks; the worker decides how to stop
    aborted.abort(); // stops it at its current .await; only Drop runs
    let asked = polite.await;
    let killed = aborted.await;
    println!("asked: {asked:?}; aborted: cancelled = {}", {
        killed.unwrap_err().is_cancelled()
    });
}
// ANCHOR_END: main

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::time::Instant;

    #[tokio::test(start_paused = true)]
    async fn a_cancelled_token_lets_the_worker_finish_its_async_cleanup() {
        let stop = CancellationToken::new();
        let worker = tokio::spawn(worker("test", stop.clone()));
        sleep(Duration::from_millis(500)).await;
        let start = Instant::now();
        stop.cancel();
        worker.await.unwrap();
        // The worker took the 100 ms of its flush before it ended.
        assert_eq!(start.elapsed(), Duration::from_millis(100));
    }

    #[tokio::test(start_paused = true)]
    async fn an_aborted_worker_ends_without_its_async_cleanup() {
        let worker = tokio::spawn(worker("test", CancellationToken::new()));
        sleep(Duration::from_millis(500)).await;
        let start = Instant::now();
        worker.abort();
        assert!(worker.await.unwrap_err().is_cancelled());
        assert_eq!(start.elapsed(), Duration::ZERO);
    }
}
