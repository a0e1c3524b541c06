use std::thread;
use std::time::Duration;

fn save_to_disk(order: &str) {
    thread::sleep(Duration::from_millis(50));
    println!("{order}: saved");
}

async fn save_order(order: &str) {
    tokio::task::spawn_blocking(|| save_to_disk(order))
        .await
        .unwrap();
}

#[tokio::main]
async fn main() {
    save_order("order 1").await;
}
