use std::thread;
use std::time::Duration;

use tokio::time::{Instant, interval};

// ANCHOR: ticker
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
// ANCHOR_END: ticker

// ANCHOR: save
/// A blocking call, standing in for a database driver that is not async, or a
/// large file read: it keeps its thread busy for a second.
fn save_to_disk(order: &str) {
    thread::sleep(Duration::from_secs(1));
    println!("{order}: saved");
}

// A mistake on purpose: `async` in front, and still a blocking call inside.
async fn save_order(order: &str) {
    save_to_disk(order);
}
// ANCHOR_END: save

// ANCHOR: main
#[tokio::main(flavor = "current_thread")]
async fn main() -> anyhow::Result<()> {
    let ticks = tokio::spawn(ticker(12));
    let handler = tokio::spawn(save_order("order 1"));
    handler.await?;
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

    #[tokio::test] // one thread, as in main
    async fn the_whole_save_runs_in_one_poll_with_the_thread_held() {
        let handler = tokio::spawn(save_order("order 1"));
        // Give the thread away once: the runtime polls the handler, which
        // blocks inside save_to_disk and finishes before it gives it back.
        tokio::task::yield_now().await;
        assert!(handler.is_finished(), "the save let the thread go");
        handler.await.unwrap();
    }

    #[tokio::test]
    async fn a_blocking_call_on_the_runtime_thread_keeps_every_task_out() {
        let (finished_tx, finished) = std::sync::mpsc::channel();
        tokio::spawn(async move {
            ticker(2).await;
            finished_tx.send(()).unwrap();
        });
        // Blocks the runtime's only thread, waiting for a task that needs that
        // same thread.
        let waited = finished.recv_timeout(Duration::from_millis(300));
        assert!(
            waited.is_err(),
            "the ticker ran while the thread was blocked"
        );
    }
}
