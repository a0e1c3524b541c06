use std::time::Duration;
use tokio::runtime::Handle;
use tokio::time::sleep;

async fn fetch_weather(city: &str) -> String {
    sleep(Duration::from_millis(100)).await;
    format!("sunny in {city}")
}

// ANCHOR: way_out
/// The same synchronous code, called straight from a task. `block_in_place` tells the
/// multi-thread runtime that this worker thread is about to block, so the runtime hands
/// the worker's other tasks to another thread first.
fn weather_report(city: &str) -> String {
    let weather = tokio::task::block_in_place(|| {
        Handle::current().block_on(fetch_weather(city))
    });
    format!("report: {weather}")
}

#[tokio::main] // the multi-thread runtime: block_in_place needs it
async fn main() {
    println!("{}", weather_report("Lahore"));
}
// ANCHOR_END: way_out

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn on_the_multi_thread_runtime_the_sync_code_gets_its_answer() {
        assert_eq!(weather_report("Multan"), "report: sunny in Multan");
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn other_tasks_keep_running_while_one_blocks_in_place() {
        let other = tokio::spawn(async {
            sleep(Duration::from_millis(10)).await;
            "other task done"
        });
        let report = weather_report("Multan");
        // The other task finished long before the 100 ms report.
        assert!(other.is_finished());
        assert_eq!(other.await.unwrap(), "other task done");
        assert_eq!(report, "report: sunny in Multan");
    }

    #[tokio::test] // current_thread: there is no other worker to hand tasks to
    #[should_panic(
        expected = "can call blocking only when running on the multi-threaded runtime"
    )]
    async fn on_the_current_thread_runtime_it_panics() {
        weather_report("Multan");
    }
}
