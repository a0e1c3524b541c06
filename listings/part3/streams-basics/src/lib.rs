//! Using streams: made from an iterator or a channel, consumed with one
//! of the two `StreamExt` traits, one per module.

use std::time::Duration;

use tokio::sync::mpsc;
use tokio_stream::wrappers::ReceiverStream;

// ANCHOR: tokio_stream
/// With tokio-stream's `StreamExt`: `filter` takes a plain closure, and
/// there are timers (`timeout`, `throttle`, `chunks_timeout`).
pub mod with_tokio_stream {
    use tokio_stream::{self as stream, StreamExt};

    pub async fn squares_of_evens(up_to: u64) -> Vec<u64> {
        stream::iter(1..=up_to)
            .filter(|n| n % 2 == 0)
            .map(|n| n * n)
            .collect()
            .await
    }
}
// ANCHOR_END: tokio_stream

// ANCHOR: futures
/// With the futures crate's `StreamExt`: the combinators take closures
/// that return futures, and `buffered` runs several of them at once.
pub mod with_futures {
    use futures::stream::{self, StreamExt};
    use std::time::Duration;

    pub async fn slow_double(n: u64) -> u64 {
        tokio::time::sleep(Duration::from_secs(1)).await;
        n * 2
    }

    pub async fn doubled(up_to: u64, at_once: usize) -> Vec<u64> {
        stream::iter(1..=up_to)
            .filter(|n| std::future::ready(n % 2 == 0)) // a future of bool
            .map(slow_double) // a stream of futures...
            .buffered(at_once) // ...run `at_once` at a time, in order
            .collect()
            .await
    }
}
// ANCHOR_END: futures

// ANCHOR: channel
/// A producer task sends readings into a channel; the receiver, wrapped
/// in `ReceiverStream`, is a `Stream` of them.
pub fn readings(count: u32) -> ReceiverStream<u32> {
    let (readings_tx, readings_rx) = mpsc::channel(8);
    tokio::spawn(async move {
        for reading in 1..=count {
            tokio::time::sleep(Duration::from_millis(100)).await;
            if readings_tx.send(reading * 10).await.is_err() {
                return; // nobody listens any more
            }
        }
        // Dropping `readings_tx` here ends the stream.
    });
    ReceiverStream::new(readings_rx)
}
// ANCHOR_END: channel

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::time::Instant;
    use tokio_stream::StreamExt;

    #[tokio::test]
    async fn squares_of_evens_up_to_ten() {
        let squares = with_tokio_stream::squares_of_evens(10).await;
        assert_eq!(squares, [4, 16, 36, 64, 100]);
    }

    #[tokio::test(start_paused = true)]
    async fn buffered_runs_three_at_a_time_and_keeps_the_order() {
        let start = Instant::now();
        let doubled = with_futures::doubled(12, 3).await;
        assert_eq!(doubled, [4, 8, 12, 16, 20, 24]);
        // Six slow steps of 1 s, three at a time: 2 s, not 6 s.
        assert_eq!(start.elapsed(), Duration::from_secs(2));
    }

    #[tokio::test(start_paused = true)]
    async fn a_channel_stream_ends_when_the_sender_is_dropped() {
        let start = Instant::now();
        let all: Vec<u32> = readings(5).collect().await;
        assert_eq!(all, [10, 20, 30, 40, 50]);
        assert_eq!(start.elapsed(), Duration::from_millis(500));
    }

    #[tokio::test(start_paused = true)]
    async fn a_timeout_on_each_item_of_a_stream() {
        // tokio-stream's `timeout`: an `Err` for an item later than 50 ms.
        let late = readings(2).timeout(Duration::from_millis(50));
        let results: Vec<_> = late.map(|r| r.is_ok()).collect().await;
        assert_eq!(results, [false, true, false, true]);
    }
}
