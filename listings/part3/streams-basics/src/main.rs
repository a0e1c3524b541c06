use std::time::Duration;

use streams_basics::{readings, with_futures, with_tokio_stream};
use tokio_stream::StreamExt;

// ANCHOR: main
#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let squares = with_tokio_stream::squares_of_evens(10).await;
    println!("squares of evens: {squares:?}");

    let doubled = with_futures::doubled(12, 3).await;
    println!("doubled, three at a time: {doubled:?}");

    // `async for reading in readings(5)` in Python:
    let stream = readings(5).timeout(Duration::from_secs(1));
    let mut stream = std::pin::pin!(stream); // `next` needs a pinned stream

    while let Some(reading) = stream.next().await {
        let reading = reading?; // Err if one took over a second
        println!("reading: {reading}");
    }
    println!("the producer is done");
    Ok(())
}
// ANCHOR_END: main
