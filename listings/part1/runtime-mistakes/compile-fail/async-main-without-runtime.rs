use std::time::Duration;

// No #[tokio::main]: nothing would run this future.
async fn main() {
    tokio::time::sleep(Duration::from_secs(1)).await;
    println!("one second later");
}
