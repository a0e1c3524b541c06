use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use tokio::time::sleep;

static REPORT_SAVED: AtomicBool = AtomicBool::new(false);

// ANCHOR: main
async fn save_report() {
    println!("report: saving...");
    sleep(Duration::from_millis(300)).await;
    REPORT_SAVED.store(true, Ordering::SeqCst);
    println!("report: saved");
}

// A mistake on purpose: main returns while the report is still being saved.
#[tokio::main(flavor = "current_thread")]
async fn main() {
    tokio::spawn(save_report());
    sleep(Duration::from_millis(100)).await;
    println!("main: done, returning");
}
// ANCHOR_END: main

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dropping_the_runtime_drops_the_task_halfway() {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .start_paused(true)
            .build()
            .unwrap();
        runtime.block_on(async {
            tokio::spawn(save_report());
            sleep(Duration::from_millis(100)).await;
        });
        // What #[tokio::main] does once main's future is done.
        drop(runtime);
        assert!(!REPORT_SAVED.load(Ordering::SeqCst));
    }
}
