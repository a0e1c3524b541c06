// ANCHOR: coffee
// The book's coffee example, with its two imports from tokio replaced.
use executor_tiny::{Executor, join, sleep};
use std::time::{Duration, Instant};

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

async fn make_breakfast() {
    join(make_coffee(), make_pastry()).await;
}

fn main() {
    let start = Instant::now();
    Executor::new().block_on(make_breakfast());
    println!("Breakfast served after {:.1?}", start.elapsed());
}
// ANCHOR_END: coffee
