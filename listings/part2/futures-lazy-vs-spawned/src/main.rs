use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;
use tokio::time::{Instant, sleep};

// ANCHOR: work
/// Three half-second steps; `steps_done` lets `main` see how far the work got.
async fn pack_bags(
    who: &'static str,
    steps_done: Arc<AtomicU32>,
) -> &'static str {
    for step in 1..=3 {
        sleep(Duration::from_millis(500)).await;
        steps_done.fetch_add(1, Ordering::SeqCst);
        println!("  {who}: step {step} of 3 done");
    }
    who
}
// ANCHOR_END: work

/// How many steps each kind of work had done when `main` came back from its
/// trip.
#[derive(Debug, PartialEq)]
struct SeenOnReturn {
    future_steps: u32,
    task_steps: u32,
}

// ANCHOR: trip
async fn go_on_holiday() -> anyhow::Result<SeenOnReturn> {
    let future_steps = Arc::new(AtomicU32::new(0));
    let task_steps = Arc::new(AtomicU32::new(0));

    // Builds a future: a description of the work. Nothing runs yet.
    let future = pack_bags("future", future_steps.clone());
    // Hands the same kind of work to the runtime: it starts at once.
    let task = tokio::spawn(pack_bags("task", task_steps.clone()));

    println!("main: away for 2 seconds");
    sleep(Duration::from_secs(2)).await;
    let seen = SeenOnReturn {
        future_steps: future_steps.load(Ordering::SeqCst),
        task_steps: task_steps.load(Ordering::SeqCst),
    };
    println!(
        "main: back; the task did {} steps, the future {}",
        seen.task_steps, seen.future_steps
    );

    println!("main: result of the task: {}", task.await?);
    println!("main: now awaiting the future");
    println!("main: result of the future: {}", future.await);
    Ok(seen)
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> anyhow::Result<()> {
    let start = Instant::now();
    go_on_holiday().await?;
    println!("main: all done after {:.1?}", start.elapsed());
    Ok(())
}
// ANCHOR_END: trip

#[cfg(test)]
mod tests {
    use super::*;

    // ANCHOR: test
    #[tokio::test(start_paused = true)]
    async fn the_task_works_while_main_is_away_and_the_future_waits() {
        let start = Instant::now();
        let seen = go_on_holiday().await.unwrap();
        assert_eq!(
            seen,
            SeenOnReturn {
                future_steps: 0,
                task_steps: 3
            }
        );
        // 2 s away, then the task's result at once, then the future's 1.5 s of
        // work.
        assert_eq!(start.elapsed(), Duration::from_millis(3500));
    }
    // ANCHOR_END: test

    #[tokio::test(start_paused = true)]
    async fn a_future_that_is_never_awaited_never_runs() {
        let steps = Arc::new(AtomicU32::new(0));
        let future = pack_bags("future", steps.clone());
        sleep(Duration::from_secs(10)).await;
        drop(future);
        assert_eq!(steps.load(Ordering::SeqCst), 0);
    }
}
