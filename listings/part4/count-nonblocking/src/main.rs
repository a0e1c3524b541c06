use std::time::Duration;
use tokio::time::{Instant, sleep};

// ANCHOR: count
async fn count() {
    println!("One");
    // Both waits give the thread back to the runtime.
    sleep(Duration::from_secs(1)).await;
    sleep(Duration::from_secs(1)).await;
    println!("Two");
}
// ANCHOR_END: count

async fn count_three_times() {
    tokio::join!(count(), count(), count());
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let start = Instant::now();
    count_three_times().await;
    println!("finished after {:.1?}", start.elapsed());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn three_counts_take_two_seconds() {
        let start = Instant::now();
        count_three_times().await;
        assert_eq!(start.elapsed(), Duration::from_secs(2));
    }
}
