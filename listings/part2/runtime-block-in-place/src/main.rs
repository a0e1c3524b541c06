use std::time::Duration;
use tokio::runtime::Handle;
use tokio::time::sleep;

async fn fetch_weather(city: &str) -> String {
    sleep(Duration::from_millis(100)).await;
    format!("sunny in {city}")
}

// ANCHOR: way_out
/// Synchronous code, called from a task. `block_in_place` tells the runtime
/// that this worker thread is about to block, so the runtime first hands the
/// worker's queue of tasks to a new worker thread.
fn weather_report(city: &str) -> String {
    let weather = tokio::task::block_in_place(|| {
        Handle::current().block_on(fetch_weather(city))
    });
    format!("report: {weather}")
}

#[tokio::main] // the multi-thread runtime: block_in_place needs it
async fn main() {
    // A spawned task runs on a worker thread: the case block_in_place is for.
    let report = tokio::spawn(async { weather_report("Lahore") });
    println!("{}", report.await.unwrap());
}
// ANCHOR_END: way_out

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn on_the_multi_thread_runtime_the_sync_code_gets_its_answer() {
        assert_eq!(weather_report("Multan"), "report: sunny in Multan");
    }

    #[test]
    fn the_blocked_worker_hands_its_queued_task_to_another_thread() {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1) // no second worker to steal the queued task
            .enable_all()
            .build()
            .unwrap();
        let (done_tx, done_rx) = std::sync::mpsc::channel();
        runtime.spawn(async move {
            // Queued on this worker, behind the task running now.
            let queued = tokio::spawn(async { "queued task done" });
            let report = weather_report("Multan");
            done_tx.send((queued.is_finished(), report)).unwrap();
        });
        // Bounded: with no hand-off, the only worker never comes back.
        let outcome = done_rx.recv_timeout(Duration::from_secs(10));
        runtime.shutdown_background();
        let (queued_finished, report) =
            outcome.expect("the worker stayed blocked");
        assert!(
            queued_finished,
            "the queued task waited for the blocked one"
        );
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
