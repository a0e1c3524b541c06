use std::time::Duration;
use tokio::time::sleep;

// ANCHOR: tasks
/// Always ready: after each round it yields, going to the back of the run
/// queue.
async fn busy(name: &'static str) {
    for round in 1..=3 {
        println!("{name}: round {round}");
        tokio::task::yield_now().await;
    }
}

/// Waiting: while its timer runs, the scheduler does not poll it at all.
async fn sleeper() {
    println!("sleeper: asleep for 10 ms");
    sleep(Duration::from_millis(10)).await;
    println!("sleeper: woken by its timer");
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> anyhow::Result<()> {
    let tasks = [tokio::spawn(busy("planner")), tokio::spawn(sleeper())];
    println!("main: spawned two tasks");
    for task in tasks {
        task.await?;
    }
    Ok(())
}
// ANCHOR_END: tasks
