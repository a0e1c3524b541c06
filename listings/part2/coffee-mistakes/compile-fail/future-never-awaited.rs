// Normally a warning; denied here so the build stops and shows it.
#![deny(unused_must_use)]

use std::time::Duration;

async fn make_coffee() {
    println!("Coffee: brewing...");
    tokio::time::sleep(Duration::from_secs(2)).await;
    println!("Coffee: ready");
}

#[tokio::main]
async fn main() {
    make_coffee();
    println!("Breakfast served");
}
