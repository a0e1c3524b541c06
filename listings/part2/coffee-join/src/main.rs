use std::time::Duration;
use tokio::time::{Instant, sleep};

async fn make_coffee() {
    println!("Coffee: brewing...");
    sleep(Duration::from_secs(2)).await;
    println!("Coffee: ready");
}

async fn make_pastry() {
    println!("Pastry: baking...");
    sleep(Duration::from_secs(3)).await;
    println!("Pastry: ready");
}

// ANCHOR: breakfast
async fn make_breakfast() {
    // Both futures make progress in turn; join! finishes when the slower one
    // does.
    tokio::join!(make_coffee(), make_pastry());
}
// ANCHOR_END: breakfast

#[tokio::main]
async fn main() {
    let start = Instant::now();
    make_breakfast().await;
    println!("Breakfast served after {:.1?}", start.elapsed());
}

#[cfg(test)]
mod tests {
    use super::*;

    // ANCHOR: test
    #[tokio::test(start_paused = true)]
    async fn joined_steps_take_as_long_as_the_slowest() {
        let start = Instant::now();
        make_breakfast().await;
        assert_eq!(start.elapsed(), Duration::from_secs(3));
    }
    // ANCHOR_END: test
}
