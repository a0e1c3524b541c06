// The book's coffee-join program (listings/part2/coffee-join), unchanged.
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

async fn make_breakfast() {
    // Both futures make progress in turn; join! finishes when the slower one
    // does.
    tokio::join!(make_coffee(), make_pastry());
}

#[tokio::main]
async fn main() {
    let start = Instant::now();
    make_breakfast().await;
    println!("Breakfast served after {:.1?}", start.elapsed());
}
