use std::time::Duration;
use tokio::time::{Instant, sleep};

// ANCHOR: say_after
async fn say_after(delay: Duration, what: &str) {
    sleep(delay).await;
    println!("{what}");
}
// ANCHOR_END: say_after

// ANCHOR: main
async fn greet() {
    // Each `.await` waits for its future to finish before the next line
    // runs: 2 s, then 6 s more.
    say_after(Duration::from_secs(2), "hello").await;
    say_after(Duration::from_secs(6), "world").await;
}

#[tokio::main]
async fn main() {
    let start = Instant::now();
    println!("started");
    greet().await;
    println!("finished after {:.0?}", start.elapsed());
}
// ANCHOR_END: main

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn one_after_the_other_takes_eight_seconds() {
        let start = Instant::now();
        greet().await;
        assert_eq!(start.elapsed(), Duration::from_secs(8));
    }

    #[tokio::test(start_paused = true)]
    async fn a_future_that_is_not_awaited_does_nothing() {
        let hello = say_after(Duration::from_secs(2), "hello");
        // Had the future started when it was made, its two seconds would be
        // over after these five.
        sleep(Duration::from_secs(5)).await;
        let start = Instant::now();
        hello.await;
        assert_eq!(start.elapsed(), Duration::from_secs(2));
    }
}
