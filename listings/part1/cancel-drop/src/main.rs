use std::time::Duration;

use tokio::time::{sleep, timeout};

// ANCHOR: kettle
/// Turns the kettle off when dropped, however the brewing ends.
struct Kettle;

impl Drop for Kettle {
    fn drop(&mut self) {
        println!("  kettle: switched off");
    }
}

/// Two waits: 300 ms for the water, 400 ms for the tea to steep.
async fn make_tea() -> &'static str {
    let _kettle = Kettle;
    println!("  tea: kettle on");
    sleep(Duration::from_millis(300)).await;
    println!("  tea: water boiled, steeping");
    sleep(Duration::from_millis(400)).await;
    println!("  tea: ready");
    "tea"
}
// ANCHOR_END: kettle

// ANCHOR: main
#[tokio::main]
async fn main() -> anyhow::Result<()> {
    println!("with time to spare:");
    let tea = timeout(Duration::from_millis(1000), make_tea()).await;
    println!("  result: {tea:?}");

    println!("given 500 ms:");
    let tea = timeout(Duration::from_millis(500), make_tea()).await;
    println!("  result: {tea:?}");

    println!("racing the doorbell in select!:");
    tokio::select! {
        tea = make_tea() => println!("  {tea} first"),
        () = sleep(Duration::from_millis(100)) => {
            println!("  doorbell first");
        }
    }
    Ok(())
}
// ANCHOR_END: main

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::time::Instant;

    #[tokio::test(start_paused = true)]
    async fn left_alone_the_tea_takes_both_waits() {
        let start = Instant::now();
        assert_eq!(make_tea().await, "tea");
        assert_eq!(start.elapsed(), Duration::from_millis(700));
    }

    #[tokio::test(start_paused = true)]
    async fn a_timeout_drops_the_future_at_its_second_wait() {
        let start = Instant::now();
        let tea = timeout(Duration::from_millis(500), make_tea()).await;
        assert!(tea.is_err(), "the tea cannot be ready at 500 ms");
        // The timeout ends the wait at 500 ms, not at 700: the rest of
        // make_tea never runs.
        assert_eq!(start.elapsed(), Duration::from_millis(500));
    }

    #[tokio::test(start_paused = true)]
    async fn select_drops_the_branch_that_loses() {
        let start = Instant::now();
        let winner = tokio::select! {
            tea = make_tea() => tea,
            () = sleep(Duration::from_millis(100)) => "doorbell",
        };
        assert_eq!(winner, "doorbell");
        assert_eq!(start.elapsed(), Duration::from_millis(100));
    }
}
