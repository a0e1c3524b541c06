//! asyncio.wait(tasks, timeout=...) in tokio: a JoinSet and a deadline.

use std::time::Duration;

use tasks_many::process_item;
use tokio::task::JoinSet;
use tokio::time::{Instant, timeout_at};

// ANCHOR: wait
/// Runs items 1 to 3 (item N takes N seconds) as tasks, collects what
/// finishes within `limit`, and aborts the rest. Returns the finished
/// outcomes and how many tasks were still pending.
async fn wait_for_some(
    limit: Duration,
) -> (Vec<anyhow::Result<String>>, usize) {
    let mut tasks = JoinSet::new();
    for id in 1..=3 {
        tasks.spawn(process_item(id, f64::from(id)));
    }
    let deadline = Instant::now() + limit;
    let mut done = Vec::new();
    // `join_next` is cancel safe: when the deadline cuts it short, no
    // finished task is lost; it stays in the set.
    while let Ok(Some(joined)) = timeout_at(deadline, tasks.join_next()).await {
        // A task that panicked gives a JoinError; count it as a failure.
        done.push(
            joined
                .map_err(anyhow::Error::from)
                .and_then(|result| result),
        );
    }
    let pending = tasks.len();
    // Abort what is left, and wait until it has really stopped.
    tasks.shutdown().await;
    (done, pending)
}
// ANCHOR_END: wait

// ANCHOR: main
// One thread, so the tasks' lines print in a fixed order.
#[tokio::main(flavor = "current_thread")]
async fn main() {
    let start = Instant::now();
    let (done, pending) = wait_for_some(Duration::from_secs_f64(2.5)).await;
    println!("Completed: {}, pending: {pending}", done.len());
    for outcome in &done {
        println!("  {outcome:?}");
    }
    println!("Took {:.1?}", start.elapsed());
}
// ANCHOR_END: main

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn what_is_not_done_by_the_deadline_is_aborted() {
        let start = Instant::now();
        let (done, pending) = wait_for_some(Duration::from_secs_f64(2.5)).await;
        assert_eq!(start.elapsed(), Duration::from_secs_f64(2.5));
        assert_eq!((done.len(), pending), (2, 1));
        // Nothing of the three tasks is left in the runtime.
        let metrics = tokio::runtime::Handle::current().metrics();
        assert_eq!(metrics.num_alive_tasks(), 0);
    }
}
