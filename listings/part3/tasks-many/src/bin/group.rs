//! A task group in tokio: asyncio.TaskGroup's guarantees, built on JoinSet.

use tasks_many::process_item;
use tokio::task::JoinSet;
use tokio::time::Instant;

// ANCHOR: group
/// Runs every job as a task of its own and waits for them all. The first
/// job to fail (or panic) aborts the others and is returned. Either way, no
/// job is still running when this returns. Results come back in job order.
async fn run_group<T, F>(
    jobs: impl IntoIterator<Item = F>,
) -> anyhow::Result<Vec<T>>
where
    F: Future<Output = anyhow::Result<T>> + Send + 'static,
    T: Send + 'static,
{
    let mut tasks = JoinSet::new();
    for (index, job) in jobs.into_iter().enumerate() {
        tasks.spawn(async move { (index, job.await) });
    }
    let mut results = Vec::new();
    while let Some(joined) = tasks.join_next().await {
        let failure = match joined {
            Ok((index, Ok(value))) => {
                results.push((index, value));
                continue;
            }
            Ok((_, Err(error))) => error,
            Err(join_error) => anyhow::Error::from(join_error), // a panic
        };
        // Abort the siblings and wait until they have stopped, instead of
        // leaving that to the JoinSet's Drop, which aborts but does not wait.
        tasks.shutdown().await;
        return Err(failure);
    }
    results.sort_by_key(|(index, _)| *index);
    Ok(results.into_iter().map(|(_, value)| value).collect())
}
// ANCHOR_END: group

// ANCHOR: main
// One thread, so the tasks' lines print in a fixed order.
#[tokio::main(flavor = "current_thread")]
async fn main() {
    let start = Instant::now();
    let all_fine = run_group((1..=2).map(|id| process_item(id, 1.0))).await;
    println!("Group of two: {all_fine:?} after {:.1?}", start.elapsed());

    let start = Instant::now();
    let jobs = [(1, 1.0), (2, 2.0), (3, 1.0)];
    let failed = run_group(jobs.map(|(id, seconds)| process_item(id, seconds)));
    match failed.await {
        Ok(results) => println!("Group of three: {results:?}"),
        Err(error) => println!("Group of three failed: {error}"),
    }
    println!("after {:.1?}", start.elapsed());
    let alive = tokio::runtime::Handle::current()
        .metrics()
        .num_alive_tasks();
    println!("Tasks still alive: {alive}");
}
// ANCHOR_END: main

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::time::Duration;
    use tokio::time::sleep;
    use tokio_util::task::TaskTracker;

    fn alive_tasks() -> usize {
        tokio::runtime::Handle::current()
            .metrics()
            .num_alive_tasks()
    }

    /// A job that takes `seconds`, then fails or counts itself finished.
    fn job(
        seconds: u64,
        fails: bool,
        finished: &Arc<AtomicUsize>,
    ) -> impl Future<Output = anyhow::Result<u64>> + Send + 'static {
        let finished = finished.clone();
        async move {
            sleep(Duration::from_secs(seconds)).await;
            anyhow::ensure!(!fails, "job of {seconds}s failed");
            finished.fetch_add(1, Ordering::SeqCst);
            Ok(seconds)
        }
    }

    // ANCHOR: group_tests
    #[tokio::test(start_paused = true)]
    async fn the_first_failure_cancels_the_others_and_is_returned() {
        let finished = Arc::new(AtomicUsize::new(0));
        let start = Instant::now();
        let jobs = [job(5, false, &finished), job(1, true, &finished)];
        let error = run_group(jobs).await.unwrap_err();
        assert_eq!(error.to_string(), "job of 1s failed");
        assert_eq!(start.elapsed(), Duration::from_secs(1));
        // Nothing is left running, now or later.
        assert_eq!(alive_tasks(), 0);
        sleep(Duration::from_secs(10)).await;
        assert_eq!(finished.load(Ordering::SeqCst), 0);
    }

    #[tokio::test(start_paused = true)]
    async fn a_panic_is_a_failure_too() {
        let slow = async {
            sleep(Duration::from_secs(5)).await;
            Ok(())
        };
        let panics = async { panic!("job exploded") };
        let jobs: [std::pin::Pin<Box<dyn Future<Output = _> + Send>>; 2] =
            [Box::pin(slow), Box::pin(panics)];
        let error = run_group(jobs).await.unwrap_err();
        assert!(error.to_string().contains("job exploded"), "{error}");
        assert_eq!(alive_tasks(), 0);
    }

    #[tokio::test(start_paused = true)]
    async fn results_come_back_in_job_order() {
        let finished = Arc::new(AtomicUsize::new(0));
        let jobs = [3, 1, 2].map(|seconds| job(seconds, false, &finished));
        assert_eq!(run_group(jobs).await.unwrap(), [3, 1, 2]);
    }
    // ANCHOR_END: group_tests

    // ANCHOR: not_a_group
    #[tokio::test(start_paused = true)]
    async fn a_join_set_aborts_its_tasks_only_when_dropped() {
        let finished = Arc::new(AtomicUsize::new(0));
        let mut tasks = JoinSet::new();
        tasks.spawn(job(5, false, &finished));
        tasks.spawn(job(1, true, &finished));
        let first = tasks.join_next().await.unwrap().unwrap();
        assert!(first.is_err());
        // The failure stopped nothing: the sibling runs on and finishes.
        sleep(Duration::from_secs(10)).await;
        assert_eq!(finished.load(Ordering::SeqCst), 1);

        let mut tasks = JoinSet::new();
        tasks.spawn(job(5, false, &finished));
        drop(tasks); // aborts; the task is gone at its next chance to run
        sleep(Duration::from_secs(10)).await;
        assert_eq!(finished.load(Ordering::SeqCst), 1);
    }

    // ANCHOR_END: not_a_group

    // ANCHOR: tracker_and_join_all
    #[tokio::test(start_paused = true)]
    async fn a_task_tracker_never_aborts() {
        let finished = Arc::new(AtomicUsize::new(0));
        let tracker = TaskTracker::new();
        tracker.spawn(job(5, false, &finished));
        drop(tracker);
        sleep(Duration::from_secs(10)).await;
        assert_eq!(finished.load(Ordering::SeqCst), 1);
    }

    #[tokio::test(start_paused = true)]
    async fn join_all_gives_an_aborted_task_as_a_cancelled_join_error() {
        let finished = Arc::new(AtomicUsize::new(0));
        let start = Instant::now();
        let kept = tokio::spawn(job(2, false, &finished));
        let aborted = tokio::spawn(job(5, false, &finished));
        aborted.abort();
        let outcomes = futures::future::join_all([kept, aborted]).await;
        assert_eq!(outcomes[0].as_ref().unwrap().as_ref().unwrap(), &2);
        assert!(outcomes[1].as_ref().unwrap_err().is_cancelled());
        // join_all waited for the one that was left, and no longer.
        assert_eq!(start.elapsed(), Duration::from_secs(2));
    }
    // ANCHOR_END: tracker_and_join_all
}
