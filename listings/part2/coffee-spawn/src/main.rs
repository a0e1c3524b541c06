use std::time::Duration;
use tokio::time::{Instant, sleep};

async fn make_coffee() {
    println!("Coffee: brewing...");
    sleep(Duration::from_secs(2)).await;
    println!("Coffee: ready");
}

async fn make_pastry() {
    println!("Pastry: baking...");
    sleep(Duration::from_secs(3)).await;
    println!("Pastry: ready");
}

// ANCHOR: breakfast
async fn make_breakfast() -> anyhow::Result<()> {
    let coffee = tokio::spawn(make_coffee());
    let pastry = tokio::spawn(make_pastry());
    println!("Waiter: both orders are in");

    // A JoinHandle resolves when its task ends; `?` passes on a task that
    // panicked.
    coffee.await?;
    pastry.await?;
    Ok(())
}

// One thread runs every task, as asyncio's event loop does.
#[tokio::main(flavor = "current_thread")]
async fn main() -> anyhow::Result<()> {
    let start = Instant::now();
    make_breakfast().await?;
    println!("Breakfast served after {:.1?}", start.elapsed());
    Ok(())
}
// ANCHOR_END: breakfast

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn spawned_steps_take_as_long_as_the_slowest() {
        let start = Instant::now();
        make_breakfast().await.unwrap();
        assert_eq!(start.elapsed(), Duration::from_secs(3));
    }

    #[tokio::test(start_paused = true)]
    async fn a_spawned_task_runs_without_being_awaited() {
        let coffee = tokio::spawn(make_coffee());
        // Nobody awaits the handle yet; the task still finishes on its own.
        sleep(Duration::from_secs(2)).await;
        tokio::task::yield_now().await;
        assert!(coffee.is_finished());
    }
}
