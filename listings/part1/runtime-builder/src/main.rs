use std::thread;

use tokio::runtime::{Builder, Handle};

/// The name of the thread this code runs on.
fn thread_name() -> String {
    thread::current().name().unwrap_or("unnamed").to_string()
}

// ANCHOR: report
/// Says where a future passed to `block_on` runs, and where a task it spawns
/// runs.
async fn report(runtime: &str) -> anyhow::Result<()> {
    let workers = Handle::current().metrics().num_workers();
    println!("{runtime}: {workers} worker thread(s)");
    println!("  block_on runs its future on: {}", thread_name());
    let spawned_on = tokio::spawn(async { thread_name() }).await?;
    println!("  a spawned task runs on:      {spawned_on}");
    Ok(())
}
// ANCHOR_END: report

// ANCHOR: main
fn main() -> anyhow::Result<()> {
    // One thread: the one that calls block_on. Tasks wait their turn on it.
    let current_thread = Builder::new_current_thread().enable_all().build()?;
    current_thread.block_on(report("current_thread"))?;

    // A pool of workers. What #[tokio::main] builds, with the worker count
    // chosen here.
    let multi_thread = Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name("tokio-worker")
        .enable_all()
        .build()?;
    multi_thread.block_on(report("multi_thread"))?;
    Ok(())
}
// ANCHOR_END: main

#[cfg(test)]
mod tests {
    use super::*;

    fn spawned_task_thread(
        runtime: &tokio::runtime::Runtime,
    ) -> thread::ThreadId {
        runtime.block_on(async {
            tokio::spawn(async { thread::current().id() })
                .await
                .unwrap()
        })
    }

    #[test]
    fn the_current_thread_runtime_runs_tasks_on_the_calling_thread() {
        let runtime = Builder::new_current_thread().build().unwrap();
        assert_eq!(spawned_task_thread(&runtime), thread::current().id());
        assert_eq!(runtime.metrics().num_workers(), 1);
    }

    #[test]
    fn the_multi_thread_runtime_runs_tasks_on_its_workers() {
        let runtime = Builder::new_multi_thread()
            .worker_threads(2)
            .build()
            .unwrap();
        assert_ne!(spawned_task_thread(&runtime), thread::current().id());
        assert_eq!(runtime.metrics().num_workers(), 2);
    }
}
