use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use tokio::sync::mpsc;

const ITEMS: usize = 1000;

// ANCHOR: channel
/// Takes 1,000 messages that are all waiting already: every `recv` is
/// ready at once, so the loop never has to wait.
async fn drain_channel(progress: Arc<AtomicUsize>) {
    let (sender, mut receiver) = mpsc::unbounded_channel();
    for n in 0..ITEMS {
        sender.send(n).unwrap();
    }
    drop(sender);
    while let Some(_message) = receiver.recv().await {
        progress.fetch_add(1, Ordering::SeqCst);
    }
}
// ANCHOR_END: channel

// ANCHOR: mistake
/// Awaits 1,000 futures that are always ready and know nothing of tokio's
/// budget: the loop never gives the thread back.
async fn always_ready(progress: Arc<AtomicUsize>) {
    for n in 0..ITEMS {
        std::future::ready(n).await;
        progress.fetch_add(1, Ordering::SeqCst);
    }
}
// ANCHOR_END: mistake

// ANCHOR: fix
/// The same loop, spending a unit of the budget on every round.
async fn always_ready_with_budget(progress: Arc<AtomicUsize>) {
    for n in 0..ITEMS {
        std::future::ready(n).await;
        tokio::task::coop::consume_budget().await;
        progress.fetch_add(1, Ordering::SeqCst);
    }
}
// ANCHOR_END: fix

// ANCHOR: turn
/// Spawns the busy loop, then a second task that notes how far the loop
/// had got when the second task got its first turn.
async fn progress_at_other_turn<F, Fut>(busy_loop: F) -> usize
where
    F: FnOnce(Arc<AtomicUsize>) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    let progress = Arc::new(AtomicUsize::new(0));
    let busy = tokio::spawn(busy_loop(progress.clone()));
    let other = tokio::spawn(async move { progress.load(Ordering::SeqCst) });
    let seen = other.await.unwrap();
    busy.await.unwrap();
    seen
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let seen = progress_at_other_turn(drain_channel).await;
    println!("channel recv:           other task ran after {seen} of {ITEMS}");
    let seen = progress_at_other_turn(always_ready).await;
    println!("always ready:           other task ran after {seen} of {ITEMS}");
    let seen = progress_at_other_turn(always_ready_with_budget).await;
    println!("ready + consume_budget: other task ran after {seen} of {ITEMS}");
}
// ANCHOR_END: turn

#[cfg(test)]
mod tests {
    use super::*;

    // tokio gives each poll of a task a budget of 128 (src/task/coop/mod.rs):
    // 128 ready `recv`s, and the 129th returns Pending and yields.
    #[tokio::test]
    async fn a_loop_over_a_ready_channel_yields_after_128_messages() {
        assert_eq!(progress_at_other_turn(drain_channel).await, 128);
    }

    #[tokio::test]
    async fn futures_outside_tokio_do_not_count_against_the_budget() {
        assert_eq!(progress_at_other_turn(always_ready).await, ITEMS);
    }

    #[tokio::test]
    async fn consume_budget_makes_the_loop_yield_like_a_channel() {
        let seen = progress_at_other_turn(always_ready_with_budget).await;
        assert_eq!(seen, 128);
    }
}
