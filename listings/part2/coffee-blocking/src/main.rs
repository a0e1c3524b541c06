use std::thread;
use std::time::Duration;
use tokio::time::Instant;

// ANCHOR: steps
// A mistake on purpose: async functions that block the thread instead of
// awaiting.
async fn make_coffee() {
    println!("Coffee: brewing...");
    thread::sleep(Duration::from_secs(2));
    println!("Coffee: ready");
}

async fn make_pastry() {
    println!("Pastry: baking...");
    thread::sleep(Duration::from_secs(3));
    println!("Pastry: ready");
}
// ANCHOR_END: steps

#[tokio::main]
async fn main() {
    let start = Instant::now();
    tokio::join!(make_coffee(), make_pastry());
    println!("Breakfast served after {:.1?}", start.elapsed());
}
