use std::time::Duration;
use tokio::sync::oneshot;
use tokio::time::{Instant, sleep};

// ANCHOR: oneshot
/// Somebody else's job: it answers through the sender when it is ready.
async fn approve(request: &str, reply: oneshot::Sender<bool>) {
    sleep(Duration::from_secs(1)).await;
    let approved = !request.contains("delete");
    // `send` fails only if the receiver is gone, i.e. nobody wants the answer
    // any more.
    let _ = reply.send(approved);
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> anyhow::Result<()> {
    let start = Instant::now();
    let (reply_tx, reply_rx) = oneshot::channel();
    tokio::spawn(async move { approve("read the calendar", reply_tx).await });

    println!("waiting for approval...");
    let approved = reply_rx.await?;
    println!("approved: {approved} (after {:.1?})", start.elapsed());
    Ok(())
}
// ANCHOR_END: oneshot

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn the_receiver_resolves_when_the_sender_sends() {
        let start = Instant::now();
        let (reply_tx, reply_rx) = oneshot::channel();
        tokio::spawn(approve("delete every file", reply_tx));
        assert!(!reply_rx.await.unwrap());
        assert_eq!(start.elapsed(), Duration::from_secs(1));
    }

    #[tokio::test]
    async fn a_dropped_sender_is_an_error_not_a_hang() {
        let (reply_tx, reply_rx) = oneshot::channel::<bool>();
        drop(reply_tx);
        assert!(reply_rx.await.is_err());
    }
}
