use std::time::Duration;

use tokio::sync::mpsc;
use tokio::time::{Instant, sleep};

/// Seconds since `start`, as the program prints them.
fn at(start: Instant) -> String {
    format!("{:.1}s", start.elapsed().as_secs_f64())
}

struct Message {
    label: String,
    sent_at: String,
}

// ANCHOR: producer
/// Sends two messages, 300 ms apart, the first after `first_after`.
async fn produce(
    name: &'static str,
    first_after: Duration,
    messages_tx: mpsc::Sender<Message>,
    start: Instant,
) -> anyhow::Result<()> {
    sleep(first_after).await;
    for number in 1..=2 {
        let label = format!("{name} #{number}");
        messages_tx
            .send(Message {
                label,
                sent_at: at(start),
            })
            .await?;
        if number < 2 {
            sleep(Duration::from_millis(300)).await;
        }
    }
    Ok(())
} // `messages_tx` is dropped here: one sender fewer.
// ANCHOR_END: producer

// ANCHOR: consumer
/// Handles messages one at a time (200 ms each) until every sender is gone and
/// the queue is empty. Returns the labels in the order they were handled.
async fn consume(
    mut messages_rx: mpsc::Receiver<Message>,
    start: Instant,
) -> Vec<String> {
    let mut handled = Vec::new();
    while let Some(message) = messages_rx.recv().await {
        println!(
            "{} consumer: {} (sent at {})",
            at(start),
            message.label,
            message.sent_at
        );
        sleep(Duration::from_millis(200)).await;
        handled.push(message.label);
    }
    println!("{} consumer: queue closed and empty, stopping", at(start));
    handled
}
// ANCHOR_END: consumer

// ANCHOR: main
#[tokio::main(flavor = "current_thread")]
async fn main() -> anyhow::Result<()> {
    let start = Instant::now();
    let (messages_tx, messages_rx) = mpsc::channel(10);
    let consumer = tokio::spawn(consume(messages_rx, start));

    let mut producers = Vec::new();
    for (name, first_after) in [("A", 100), ("B", 200), ("C", 300)] {
        let first_after = Duration::from_millis(first_after);
        // Each producer gets a sender of its own: a clone of the same queue's
        // sender.
        let messages_tx = messages_tx.clone();
        producers.push(tokio::spawn(produce(
            name,
            first_after,
            messages_tx,
            start,
        )));
    }
    // main's own sender: while it lives, the queue stays open, so drop it now.
    drop(messages_tx);

    for producer in producers {
        producer.await??;
    }
    println!("{} main: every producer has finished", at(start));
    let handled = consumer.await?;
    println!(
        "{} main: the consumer handled {} messages",
        at(start),
        handled.len()
    );
    Ok(())
}
// ANCHOR_END: main

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn the_queue_drains_in_order_after_every_sender_is_gone() {
        let start = Instant::now();
        let (messages_tx, messages_rx) = mpsc::channel(10);
        let consumer = tokio::spawn(consume(messages_rx, start));
        for (name, first_after) in [("A", 100), ("B", 200), ("C", 300)] {
            let first_after = Duration::from_millis(first_after);
            tokio::spawn(produce(
                name,
                first_after,
                messages_tx.clone(),
                start,
            ));
        }
        drop(messages_tx);
        let handled = consumer.await.unwrap();
        assert_eq!(handled, ["A #1", "B #1", "C #1", "A #2", "B #2", "C #2"]);
        // The last message was sent at 600 ms, but handled from 1,100 to 1,300
        // ms: the consumer drained what was queued before it saw the queue
        // close.
        assert_eq!(start.elapsed(), Duration::from_millis(1300));
    }
}
