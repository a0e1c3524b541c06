use std::time::Duration;

use futures::StreamExt;
use futures::stream;

#[tokio::main]
async fn main() {
    let mut ticks = stream::unfold(1, |n| async move {
        tokio::time::sleep(Duration::from_millis(10)).await;
        (n <= 3).then_some((n, n + 1))
    });
    while let Some(n) = ticks.next().await {
        println!("tick {n}");
    }
}
