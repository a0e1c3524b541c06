use std::sync::mpsc;
use std::time::Duration;

// ANCHOR: steal
/// Runs on a worker thread: spawns two tasks, then blocks its worker (on
/// purpose, to watch the scheduler) and notes which task ran meanwhile.
async fn spawn_two_then_block() -> Vec<String> {
    let (ran_tx, ran) = mpsc::channel();
    let tasks = ["first", "second"].map(|name| {
        let ran_tx = ran_tx.clone();
        tokio::spawn(async move { ran_tx.send(name).unwrap() })
    });
    let mut seen = Vec::new();
    // A blocking wait: this worker polls nothing until the loop ends.
    while let Ok(name) = ran.recv_timeout(Duration::from_millis(300)) {
        seen.push(format!("{name}: ran while its worker was blocked"));
    }
    seen.push("(the worker is free again)".to_string());
    for task in tasks {
        task.await.unwrap();
    }
    for name in ran.try_iter() {
        seen.push(format!("{name}: ran after that"));
    }
    seen
}

fn main() -> anyhow::Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .build()?;
    // Spawned, so that it runs on a worker thread, not on main's thread.
    let task = runtime.spawn(spawn_two_then_block());
    let seen = runtime.block_on(task)?;
    for line in seen {
        println!("{line}");
    }
    Ok(())
}
// ANCHOR_END: steal

#[cfg(test)]
mod tests {
    use super::*;

    // The second task spawned takes the spawning worker's LIFO slot and
    // pushes the first into its run queue (schedule_local in tokio's
    // src/runtime/scheduler/multi_thread/worker.rs); the idle worker can
    // steal from the run queue, never from the LIFO slot.
    #[test]
    fn the_queued_task_is_stolen_and_the_lifo_task_waits() {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .build()
            .unwrap();
        let task = runtime.spawn(spawn_two_then_block());
        assert_eq!(
            runtime.block_on(task).unwrap(),
            [
                "first: ran while its worker was blocked",
                "(the worker is free again)",
                "second: ran after that",
            ]
        );
    }
}
