use std::time::Duration;
use tokio::time::{Instant, sleep};

async fn say_after(delay: Duration, what: &str) {
    sleep(delay).await;
    println!("{what}");
}

// ANCHOR: main
async fn greet() -> Result<(), tokio::task::JoinError> {
    // Spawning hands each future to the runtime as a task: both are
    // scheduled now, before anything is awaited.
    let hello = tokio::spawn(say_after(Duration::from_secs(3), "hello"));
    let world = tokio::spawn(say_after(Duration::from_secs(3), "world"));
    println!("both tasks spawned");

    hello.await?;
    world.await?;
    Ok(())
}

// One thread runs every task, as asyncio's event loop does.
#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), tokio::task::JoinError> {
    let start = Instant::now();
    println!("started");
    greet().await?;
    println!("finished after {:.0?}", start.elapsed());
    Ok(())
}
// ANCHOR_END: main

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn two_tasks_take_three_seconds_not_six() {
        let start = Instant::now();
        greet().await.unwrap();
        assert_eq!(start.elapsed(), Duration::from_secs(3));
    }

    #[tokio::test(start_paused = true)]
    async fn a_task_runs_before_its_handle_is_awaited() {
        let world = tokio::spawn(say_after(Duration::from_secs(3), "world"));
        sleep(Duration::from_secs(5)).await;
        // The task did its three seconds while we slept: awaiting it now
        // takes no time at all.
        let start = Instant::now();
        world.await.unwrap();
        assert_eq!(start.elapsed(), Duration::ZERO);
    }
}
