use std::time::Duration;

use exercise_fastest_mirror::{Mirror, fastest};
use tokio::time::{Instant, sleep};

#[tokio::test(start_paused = true)]
async fn the_first_answer_wins_and_the_other_downloads_stop() {
    let mirrors = [
        Mirror::new("slow", Duration::from_secs(3)),
        Mirror::new("quick", Duration::from_secs(1)),
        Mirror::new("middling", Duration::from_secs(2)),
    ];
    let start = Instant::now();
    assert_eq!(fastest(&mirrors).await, "quick");
    assert_eq!(start.elapsed(), Duration::from_secs(1));

    // Long after the slowest mirror would have answered:
    sleep(Duration::from_secs(10)).await;
    for mirror in &mirrors[..] {
        let expected = usize::from(mirror.name == "quick");
        assert_eq!(
            mirror.answered(),
            expected,
            "{} went on downloading after fastest() returned",
            mirror.name
        );
    }
}
