use std::time::Duration;

use tokio_stream::StreamExt;

#[tokio::main]
async fn main() {
    let numbers = tokio_stream::iter([1, 2, 3]);
    let mut on_time = numbers.timeout(Duration::from_secs(1));
    while let Some(n) = on_time.next().await {
        println!("{n:?}");
    }
}
