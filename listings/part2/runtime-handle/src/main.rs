use std::thread;
use std::time::Duration;
use tokio::runtime::Runtime;
use tokio::time::sleep;

async fn answer(question: &'static str) -> String {
    sleep(Duration::from_millis(100)).await;
    format!("answer to {question:?}")
}

// ANCHOR: handle
// No #[tokio::main]: this program builds its runtime by hand, as a sync program
// would.
fn main() -> anyhow::Result<()> {
    let runtime = Runtime::new()?;
    let handle = runtime.handle().clone();

    // Plain synchronous code spawns tasks onto the runtime through its handle.
    let tasks = ["plan the trip", "book a hotel"]
        .map(|question| handle.spawn(answer(question)));

    // A handle can be cloned and sent to any thread, here one that tokio does
    // not run.
    let other_thread =
        thread::spawn(move || handle.block_on(answer("from another thread")));

    for task in tasks {
        println!("{}", runtime.block_on(task)?);
    }
    let from_thread = other_thread.join().expect("the thread panicked");
    println!("{from_thread}");
    Ok(())
}
// ANCHOR_END: handle

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tasks_spawned_from_sync_code_run_and_return_their_results() {
        let runtime = Runtime::new().unwrap();
        let task = runtime.handle().spawn(answer("x"));
        assert_eq!(runtime.block_on(task).unwrap(), "answer to \"x\"");
    }

    #[test]
    fn outside_a_runtime_there_is_no_current_handle() {
        assert!(tokio::runtime::Handle::try_current().is_err());
        let runtime = Runtime::new().unwrap();
        let _entered = runtime.enter();
        assert!(tokio::runtime::Handle::try_current().is_ok());
    }
}
