// Normally a warning; denied here so the build stops and shows the message.
#![deny(unused_must_use)]

use std::time::Duration;

async fn save_order(order: &str) {
    tokio::time::sleep(Duration::from_millis(50)).await;
    println!("{order}: saved");
}

#[tokio::main]
async fn main() {
    save_order("order 1");
    println!("order 1: accepted");
}
