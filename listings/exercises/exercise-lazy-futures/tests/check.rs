use std::time::Duration;

use exercise_lazy_futures::{Dashboard, dashboard};
use tokio::time::Instant;

#[tokio::test(start_paused = true)]
async fn the_dashboard_takes_as_long_as_the_slower_fetch() {
    let start = Instant::now();
    let shown = dashboard().await;
    assert_eq!(
        shown,
        Dashboard {
            weather: "sunny".to_string(),
            news: "no news is good news".to_string(),
        }
    );
    assert_eq!(
        start.elapsed(),
        Duration::from_secs(3),
        "the two fetches should run at the same time"
    );
}
