//! Finding a task that blocks the runtime: a watchdog that notices when its
//! timer wakes late.

use std::time::Duration;

use tokio::time::{Instant, sleep};

// ANCHOR: watchdog
/// Wakes every 100 ms and reports when it woke much later than asked: the
/// sign that some task held the thread without reaching an `.await`.
async fn watchdog() {
    let period = Duration::from_millis(100);
    loop {
        let asked_at = Instant::now();
        sleep(period).await;
        let late = asked_at.elapsed().saturating_sub(period);
        if late > Duration::from_millis(200) {
            println!("watchdog: woke {:.1}s late", late.as_secs_f64());
        }
    }
}
// ANCHOR_END: watchdog

// ANCHOR: main
#[tokio::main(flavor = "current_thread")]
async fn main() {
    tokio::spawn(watchdog());
    sleep(Duration::from_millis(250)).await;
    println!("main: starting a job that blocks");
    let job = tokio::spawn(async {
        // A mistake on purpose: blocking work on the runtime's thread.
        std::thread::sleep(Duration::from_millis(500));
    });
    job.await.unwrap();
    sleep(Duration::from_millis(250)).await;
    println!("main: done");
}
// ANCHOR_END: main
