//! Time limits: one future, and a whole chain of calls with one deadline.

use std::time::Duration;

use anyhow::Context;
use tokio::time::{Instant, sleep, timeout, timeout_at};

async fn step(name: &str, seconds: f64) -> String {
    sleep(Duration::from_secs_f64(seconds)).await;
    format!("{name}: done")
}

// ANCHOR: timeout
/// `asyncio.wait_for(step(...), 1)`: the step, or an error after a second.
async fn lookup_with_limit() -> anyhow::Result<String> {
    let found = timeout(Duration::from_secs(1), step("lookup", 2.0))
        .await
        .context("the lookup took too long")?;
    Ok(found)
}
// ANCHOR_END: timeout

// ANCHOR: deadline
/// Every step gets what is left of one deadline, like a block under
/// `async with asyncio.timeout(...)` around all three.
async fn place_order(deadline: Instant) -> anyhow::Result<Vec<String>> {
    let mut done = Vec::new();
    let stock = timeout_at(deadline, step("stock", 1.0));
    done.push(stock.await.context("checking stock")?);
    done.push(take_payment(deadline).await?);
    let courier = timeout_at(deadline, step("courier", 1.0));
    done.push(courier.await.context("booking a courier")?);
    Ok(done)
}

/// A step further down the chain, handed the same deadline.
async fn take_payment(deadline: Instant) -> anyhow::Result<String> {
    // Never wait longer than 2 s for the bank, nor past the deadline.
    let bank_limit = deadline.min(Instant::now() + Duration::from_secs(2));
    let paid = timeout_at(bank_limit, step("payment", 1.5)).await;
    paid.context("taking payment")
}
// ANCHOR_END: deadline

// ANCHOR: main
#[tokio::main]
async fn main() {
    let start = Instant::now();
    match lookup_with_limit().await {
        Ok(found) => println!("{found}"),
        Err(error) => println!("Error: {error:#}"),
    }
    println!("  after {:.1}s", start.elapsed().as_secs_f64());

    for seconds in [4.0, 3.0] {
        let start = Instant::now();
        let deadline = start + Duration::from_secs_f64(seconds);
        match place_order(deadline).await {
            Ok(steps) => println!("{seconds}s deadline: {steps:?}"),
            Err(error) => println!("{seconds}s deadline: {error:#}"),
        }
        println!("  after {:.1}s", start.elapsed().as_secs_f64());
    }
}
// ANCHOR_END: main

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn a_timeout_gives_up_on_time() {
        let start = Instant::now();
        let error = lookup_with_limit().await.unwrap_err();
        assert_eq!(
            format!("{error:#}"),
            "the lookup took too long: deadline has elapsed"
        );
        assert_eq!(start.elapsed(), Duration::from_secs(1));
    }

    // ANCHOR: test
    #[tokio::test(start_paused = true)]
    async fn the_whole_chain_shares_one_deadline() {
        let start = Instant::now();
        let steps = place_order(start + Duration::from_secs(4)).await.unwrap();
        assert_eq!(steps.len(), 3);
        assert_eq!(start.elapsed(), Duration::from_secs_f64(3.5));

        // With 3 s, each step alone is within its limit, but the courier
        // would end at 3.5 s: the chain stops at the deadline.
        let start = Instant::now();
        let error = place_order(start + Duration::from_secs(3)).await;
        let error = format!("{:#}", error.unwrap_err());
        assert_eq!(error, "booking a courier: deadline has elapsed");
        assert_eq!(start.elapsed(), Duration::from_secs(3));
    }
    // ANCHOR_END: test
}
