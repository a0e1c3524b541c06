use std::thread;
use std::time::Duration;

use tokio::time::{Instant, interval};

/// Ticks every 100 ms, `ticks` times, and returns the longest gap it saw
/// between two ticks.
async fn ticker(ticks: u32) -> Duration {
    let mut every_100ms = interval(Duration::from_millis(100));
    let mut longest = Duration::ZERO;
    let mut last = Instant::now();
    for _ in 0..ticks {
        every_100ms.tick().await;
        longest = longest.max(last.elapsed());
        last = Instant::now();
    }
    longest
}

/// A blocking call, standing in for a database driver that is not async, or a
/// large file read: it keeps its thread busy for a second.
fn save_to_disk(order: &str) {
    thread::sleep(Duration::from_secs(1));
    println!("{order}: saved");
}

// ANCHOR: save
/// The blocking call runs on tokio's blocking thread pool; this task waits for
/// it with `.await`, which leaves the runtime's thread free for other tasks.
async fn save_order(order: String) -> anyhow::Result<()> {
    tokio::task::spawn_blocking(move || save_to_disk(&order)).await?;
    Ok(())
}
// ANCHOR_END: save

// ANCHOR: main
#[tokio::main(flavor = "current_thread")]
async fn main() -> anyhow::Result<()> {
    let ticks = tokio::spawn(ticker(12));
    let handler = tokio::spawn(save_order("order 1".to_string()));
    handler.await??;
    let longest_gap = ticks.await?;
    println!(
        "longest gap between ticks: {:.1}s",
        longest_gap.as_secs_f64()
    );
    Ok(())
}
// ANCHOR_END: main

#[cfg(test)]
mod tests {
    use super::*;

    // ANCHOR: test
    #[tokio::test] // one thread runs every task, as in main
    async fn the_runtime_thread_stays_free_while_the_blocking_call_runs() {
        let (finished_tx, finished) = std::sync::mpsc::channel();
        tokio::spawn(async move {
            ticker(2).await;
            finished_tx.send(()).unwrap();
        });
        // A blocking call that can only return once the ticker, which needs the
        // runtime's thread, has finished. On the blocking pool, it does.
        let waited = tokio::task::spawn_blocking(move || {
            finished.recv_timeout(Duration::from_secs(10))
        })
        .await
        .unwrap();
        assert!(waited.is_ok(), "the ticker could not run");
    }
    // ANCHOR_END: test

    #[tokio::test] // one thread, as in main
    async fn save_order_gives_the_thread_back_while_the_disk_works() {
        let handler = tokio::spawn(save_order("order 1".to_string()));
        // Give the thread away once: the runtime polls the handler, which
        // hands the save to the blocking pool and gives the thread back at
        // once. The save takes a second; we are back in microseconds.
        tokio::task::yield_now().await;
        assert!(!handler.is_finished(), "the save held the runtime's thread");
        handler.await.unwrap().unwrap();
    }
}
