use std::time::Duration;
use tokio::time::{Instant, sleep};

// ANCHOR: steps
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
// ANCHOR_END: steps

// ANCHOR: breakfast
async fn make_breakfast() {
    make_coffee().await;
    make_pastry().await;
}

#[tokio::main]
async fn main() {
    let start = Instant::now();
    make_breakfast().await;
    println!("Breakfast served after {:.1?}", start.elapsed());
}
// ANCHOR_END: breakfast

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn awaiting_one_after_the_other_adds_the_times_up() {
        let start = Instant::now();
        make_breakfast().await;
        assert_eq!(start.elapsed(), Duration::from_secs(5));
    }
}
