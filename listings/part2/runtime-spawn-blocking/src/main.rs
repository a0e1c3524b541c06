use std::time::Duration;
use tokio::runtime::Handle;
use tokio::time::sleep;

async fn fetch_weather(city: &str) -> String {
    sleep(Duration::from_millis(100)).await;
    format!("sunny in {city}")
}

// ANCHOR: way_out
/// Synchronous code that needs an async result, such as a callback of a sync
/// library. It is given the runtime's handle instead of building a runtime of
/// its own.
fn weather_report(runtime: &Handle, city: &str) -> String {
    let weather = runtime.block_on(fetch_weather(city));
    format!("report: {weather}")
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let runtime = Handle::current();
    // spawn_blocking runs the closure on a thread kept for blocking work, where
    // block_on is allowed; awaiting its handle does not block this task.
    let report =
        tokio::task::spawn_blocking(move || weather_report(&runtime, "Lahore"))
            .await?;
    println!("{report}");
    Ok(())
}
// ANCHOR_END: way_out

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_sync_code_gets_its_answer_on_a_blocking_thread() {
        let runtime = Handle::current();
        let report = tokio::task::spawn_blocking(move || {
            weather_report(&runtime, "Multan")
        })
        .await
        .unwrap();
        assert_eq!(report, "report: sunny in Multan");
    }

    #[tokio::test]
    #[should_panic(expected = "Cannot start a runtime from within a runtime")]
    async fn called_straight_from_a_task_it_panics_like_a_nested_runtime() {
        weather_report(&Handle::current(), "Multan");
    }
}
