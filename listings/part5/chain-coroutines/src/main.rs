use std::time::Duration;

use tokio::time::{Instant, sleep};

/// How long each part of each chain takes, in milliseconds.
fn delay_ms(chain: u32, part: u32) -> u64 {
    match (chain, part) {
        (1, 1) => 300,
        (1, _) => 100,
        (2, 1) => 100,
        (2, _) => 400,
        (_, 1) => 200,
        _ => 250,
    }
}

// ANCHOR: parts
async fn part1(n: u32) -> String {
    let ms = delay_ms(n, 1);
    println!("part1({n}) sleeps {ms} ms");
    sleep(Duration::from_millis(ms)).await;
    format!("result{n}-1")
}

async fn part2(n: u32, from: String) -> String {
    let ms = delay_ms(n, 2);
    println!("part2({n}) sleeps {ms} ms, given {from}");
    sleep(Duration::from_millis(ms)).await;
    format!("result{n}-2 from {from}")
}

/// One chain: part 2 needs part 1's result, so it awaits it first.
async fn chain(n: u32) -> String {
    let start = Instant::now();
    let first = part1(n).await;
    let second = part2(n, first).await;
    println!("chain {n} gave {second} after {:.1?}", start.elapsed());
    second
}
// ANCHOR_END: parts

// ANCHOR: main
#[tokio::main]
async fn main() {
    let start = Instant::now();
    // The three chains run at once, like asyncio.gather(*chains).
    let results = futures::future::join_all((1..=3).map(chain)).await;
    println!(
        "{} chains done after {:.1?}",
        results.len(),
        start.elapsed()
    );
}
// ANCHOR_END: main

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn a_chain_takes_the_sum_of_its_parts() {
        let start = Instant::now();
        assert_eq!(chain(2).await, "result2-2 from result2-1");
        assert_eq!(start.elapsed(), Duration::from_millis(500));
    }

    #[tokio::test(start_paused = true)]
    async fn the_chains_together_take_as_long_as_the_longest() {
        let start = Instant::now();
        let results = futures::future::join_all((1..=3).map(chain)).await;
        assert_eq!(results[0], "result1-2 from result1-1");
        assert_eq!(results[2], "result3-2 from result3-1");
        assert_eq!(start.elapsed(), Duration::from_millis(500));
    }
}
