// ANCHOR: all
use std::time::{Duration, Instant};

async fn count() {
    println!("One");
    // A mistake on purpose: this stops the whole thread for a second, and
    // no other task can run meanwhile.
    std::thread::sleep(Duration::from_secs(1));
    tokio::time::sleep(Duration::from_secs(1)).await;
    println!("Two");
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    // std's Instant measures real time, which the blocking sleeps take.
    let start = Instant::now();
    tokio::join!(count(), count(), count());
    println!("finished after {:.1?}", start.elapsed());
}
// ANCHOR_END: all
