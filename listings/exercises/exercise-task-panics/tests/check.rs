use std::time::Duration;

use exercise_task_panics::{Report, check_all};
use tokio::time::Instant;

#[tokio::test(start_paused = true)]
async fn every_host_is_reported_even_when_a_check_panics() {
    let hosts = vec!["alpha", "down-1", "odd-1", "beta", "down-2"];
    let start = Instant::now();
    let report = check_all(hosts).await;
    assert_eq!(
        report,
        Report {
            up: vec!["alpha", "beta"],
            failed: vec![
                ("down-1", "down-1: connection refused".to_string()),
                ("odd-1", "the check panicked".to_string()),
                ("down-2", "down-2: connection refused".to_string()),
            ],
        }
    );
    assert_eq!(
        start.elapsed(),
        Duration::from_millis(100),
        "the checks should run at the same time"
    );
}
