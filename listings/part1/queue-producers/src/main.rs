use std::time::Duration;

use tokio::sync::mpsc;
use tokio::time::{Instant, sleep};

// In tests, `println!` also notes when each line was printed, on tokio's clock: that is how
// the book draws this program's timeline (see the last test below).
#[cfg(test)]
macro_rules! println {
    ($($arg:tt)*) => {{
        let line = format!($($arg)*);
        crate::tests::record(&line);
        std::println!("{line}");
    }};
}

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
/// Handles messages one at a time (200 ms each) until every sender is gone and the queue is
/// empty. Returns the labels in the order they were handled.
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
        // Each producer gets a sender of its own: a clone of the same queue's sender.
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
    use std::cell::RefCell;

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
        // The last message was sent at 600 ms, but handled from 1,100 to 1,300 ms: the
        // consumer drained what was queued before it saw the queue close.
        assert_eq!(start.elapsed(), Duration::from_millis(1300));
    }

    thread_local! {
        static PRINTED: RefCell<Vec<(Instant, String)>> = const { RefCell::new(Vec::new()) };
    }

    pub fn record(line: &str) {
        PRINTED.with(|printed| {
            printed
                .borrow_mut()
                .push((Instant::now(), line.to_string()))
        });
    }

    /// The book draws this program's timeline from timeline.txt: each line the consumer
    /// printed, and each message's send time as an event of its producer. This test records
    /// them on the paused clock and fails if the picture would differ;
    /// `UPDATE_TIMELINE=1 cargo test` writes the file anew.
    #[tokio::test(start_paused = true)]
    async fn the_timeline_in_the_book_is_this_programs() {
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
        consumer.await.unwrap();

        let mut events: Vec<(f64, String)> = Vec::new();
        PRINTED.with(|printed| {
            for (at, line) in printed.borrow().iter() {
                // The line starts with the time the program printed; the clock's is exact.
                let (_, text) = line.split_once(' ').unwrap();
                let text = text.replacen("consumer:", "Consumer:", 1);
                if let Some((label, sent)) = text
                    .strip_prefix("Consumer: ")
                    .and_then(|rest| rest.split_once(" (sent at "))
                {
                    let (producer, number) = label.split_once(' ').unwrap();
                    let sent: f64 =
                        sent.trim_end_matches("s)").parse().unwrap();
                    events.push((
                        sent,
                        format!("Producer {producer}: sends {number}"),
                    ));
                }
                events.push(((*at - start).as_secs_f64(), text));
            }
        });
        events.sort_by(|a, b| a.0.total_cmp(&b.0));
        let mut recorded = String::from(
            "# Recorded on tokio's paused clock by this crate's tests.\n\
             # lanes: Producer A, Producer B, Producer C, Consumer\n",
        );
        for (seconds, text) in events {
            recorded.push_str(&format!("{seconds:.3} {text}\n"));
        }
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/timeline.txt");
        if std::env::var_os("UPDATE_TIMELINE").is_some() {
            std::fs::write(path, &recorded).unwrap();
        }
        assert_eq!(std::fs::read_to_string(path).unwrap(), recorded);
    }
}
