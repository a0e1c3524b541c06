use std::time::Duration;

// Counts down to zero, one step every 10 ms.
async fn count_down(n: u32) {
    if n == 0 {
        return;
    }
    println!("{n}");
    tokio::time::sleep(Duration::from_millis(10)).await;
    count_down(n - 1).await;
}

#[tokio::main]
async fn main() {
    count_down(3).await;
}
