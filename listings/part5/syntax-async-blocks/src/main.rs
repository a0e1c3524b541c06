use std::time::Duration;

use tokio::time::{Instant, sleep};

// ANCHOR: async_fn
/// Takes `ms` milliseconds to make `what`.
async fn prepare(what: &str, ms: u64) -> String {
    sleep(Duration::from_millis(ms)).await;
    format!("{what} ready")
}
// ANCHOR_END: async_fn

// ANCHOR: borrowing
/// Makes both parts of an order at once, inside the caller's task.
async fn serve(order: &[String; 2]) -> (String, String) {
    // Each block borrows `order`: they run here, before `serve` returns.
    let drink = async { prepare(&order[0], 300).await };
    let food = async {
        let toast = prepare(&order[1], 100).await;
        let plate = prepare("plate", 100).await;
        format!("{toast}, {plate}")
    };
    tokio::join!(drink, food)
}
// ANCHOR_END: borrowing

// ANCHOR: moving
/// The same order, each part in a task of its own.
async fn serve_in_tasks(order: [String; 2]) -> (String, String) {
    let [drink, food] = order;
    // A task may outlive this function: `move` gives each block its string.
    let drink = tokio::spawn(async move { prepare(&drink, 300).await });
    let food = tokio::spawn(async move { prepare(&food, 200).await });
    (drink.await.unwrap(), food.await.unwrap())
}
// ANCHOR_END: moving

// ANCHOR: main
#[tokio::main]
async fn main() {
    let later = async { println!("the block runs") };
    println!("the block is made");
    later.await;

    let order = ["tea".to_string(), "toast".to_string()];
    let start = Instant::now();
    let (drink, food) = serve(&order).await;
    println!("{drink}; {food} after {:.1?}", start.elapsed());

    let start = Instant::now();
    let (drink, food) = serve_in_tasks(order).await;
    println!("{drink}; {food} after {:.1?}", start.elapsed());
}
// ANCHOR_END: main

#[cfg(test)]
mod tests {
    use super::*;

    fn order() -> [String; 2] {
        ["tea".to_string(), "toast".to_string()]
    }

    #[tokio::test(start_paused = true)]
    async fn the_borrowing_blocks_run_at_once() {
        let start = Instant::now();
        let served = serve(&order()).await;
        assert_eq!(start.elapsed(), Duration::from_millis(300));
        assert_eq!(
            served,
            (
                "tea ready".to_string(),
                "toast ready, plate ready".to_string()
            )
        );
    }

    #[tokio::test(start_paused = true)]
    async fn the_spawned_blocks_run_at_once() {
        let start = Instant::now();
        let served = serve_in_tasks(order()).await;
        assert_eq!(start.elapsed(), Duration::from_millis(300));
        assert_eq!(
            served,
            ("tea ready".to_string(), "toast ready".to_string())
        );
    }

    #[tokio::test(start_paused = true)]
    async fn an_async_block_does_nothing_until_awaited() {
        let start = Instant::now();
        let block = async { prepare("tea", 300).await };
        sleep(Duration::from_millis(500)).await;
        // Had it started when it was made, it would be done by now.
        assert_eq!(block.await, "tea ready");
        assert_eq!(start.elapsed(), Duration::from_millis(800));
    }
}
