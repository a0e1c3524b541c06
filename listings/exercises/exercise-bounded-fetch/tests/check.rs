use std::sync::Arc;
use std::time::Duration;

use exercise_bounded_fetch::{Server, fetch_all};
use tokio::time::Instant;

#[tokio::test(start_paused = true)]
async fn ten_pages_three_at_a_time_take_seven_seconds() {
    let server = Arc::new(Server::default());
    let start = Instant::now();
    let pages = fetch_all(server.clone(), (1..=10).collect(), 3).await;

    let expected: Vec<String> =
        (1..=10).map(|id| format!("page {id}")).collect();
    assert_eq!(pages, expected, "every page, in the order asked for");
    assert!(
        server.most_at_once() <= 3,
        "{} requests at once, over the limit of 3",
        server.most_at_once()
    );
    // The pages take 20 s in all: one after another is 20 s, and three at a
    // time, starting the next as soon as one ends, is 7 s.
    assert_eq!(start.elapsed(), Duration::from_secs(7));
}
