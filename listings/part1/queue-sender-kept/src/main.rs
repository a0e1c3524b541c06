use std::time::Duration;

use tokio::sync::mpsc;
use tokio::time::timeout;

async fn consume(mut messages_rx: mpsc::Receiver<u32>) -> u32 {
    let mut received = 0;
    while let Some(message) = messages_rx.recv().await {
        println!("consumer: got message {message}");
        received += 1;
    }
    println!("consumer: queue closed");
    received
}

// ANCHOR: main
// A mistake on purpose: main keeps its sender, so the queue never closes.
#[tokio::main(flavor = "current_thread")]
async fn main() -> anyhow::Result<()> {
    let (messages_tx, messages_rx) = mpsc::channel(10);
    let consumer = tokio::spawn(consume(messages_rx));

    let producer_tx = messages_tx.clone();
    let producer = tokio::spawn(async move {
        for message in 1..=3 {
            producer_tx.send(message).await?;
        }
        anyhow::Ok(())
    });
    producer.await??;
    println!("main: the producer has finished");

    // Without a time limit, this would wait forever.
    match timeout(Duration::from_millis(500), consumer).await {
        Ok(received) => {
            println!("main: the consumer got {} messages", received?)
        }
        Err(_) => {
            println!("main: half a second later, the consumer is still waiting")
        }
    }
    Ok(())
}
// ANCHOR_END: main

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn while_a_sender_lives_the_consumer_waits_forever() {
        let (messages_tx, messages_rx) = mpsc::channel(10);
        messages_tx.send(1).await.unwrap();
        let consumer = tokio::spawn(consume(messages_rx));
        // A day on the paused clock: the consumer still has not stopped.
        let waited = timeout(Duration::from_secs(24 * 3600), consumer).await;
        assert!(waited.is_err());
        drop(messages_tx);
    }

    #[tokio::test(start_paused = true)]
    async fn dropping_the_last_sender_lets_it_finish() {
        let (messages_tx, messages_rx) = mpsc::channel(10);
        messages_tx.send(1).await.unwrap();
        drop(messages_tx);
        assert_eq!(consume(messages_rx).await, 1);
    }
}
