use std::time::Duration;
use tokio::task::JoinHandle;
use tokio::time::sleep;

// ANCHOR: states
fn state<T>(handle: &JoinHandle<T>) -> &'static str {
    if handle.is_finished() {
        "finished"
    } else {
        "pending"
    }
}

async fn summarise(document: &'static str) -> usize {
    sleep(Duration::from_millis(100)).await;
    document.split_whitespace().count()
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> anyhow::Result<()> {
    // Pending, then done.
    let summary = tokio::spawn(summarise("three short words"));
    println!("summary: {}", state(&summary));
    sleep(Duration::from_millis(200)).await;
    println!("summary: {}", state(&summary));
    println!("summary: result = {} words", summary.await?);

    // Cancelled while it waits.
    let slow = tokio::spawn(async {
        println!("slow: started");
        sleep(Duration::from_secs(60)).await;
        println!("slow: this line never runs");
    });
    sleep(Duration::from_millis(100)).await;
    println!("slow: {}", state(&slow));
    slow.abort();
    match slow.await {
        Ok(()) => println!("slow: finished after all"),
        Err(error) if error.is_cancelled() => println!("slow: cancelled"),
        Err(error) => return Err(error.into()),
    }
    Ok(())
}
// ANCHOR_END: states

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, Ordering};

    #[tokio::test(start_paused = true)]
    async fn a_handle_is_pending_until_its_task_returns() {
        let summary = tokio::spawn(summarise("a b c d"));
        sleep(Duration::from_millis(99)).await;
        assert!(!summary.is_finished());
        sleep(Duration::from_millis(2)).await;
        assert!(summary.is_finished());
        assert_eq!(summary.await.unwrap(), 4);
    }

    #[tokio::test(start_paused = true)]
    async fn an_aborted_task_stops_at_its_await_and_reports_cancelled() {
        let reached_the_end = Arc::new(AtomicBool::new(false));
        let flag = reached_the_end.clone();
        let slow = tokio::spawn(async move {
            sleep(Duration::from_secs(60)).await;
            flag.store(true, Ordering::SeqCst);
        });
        sleep(Duration::from_secs(1)).await;
        slow.abort();
        let error = slow.await.unwrap_err();
        assert!(error.is_cancelled());
        sleep(Duration::from_secs(120)).await;
        assert!(!reached_the_end.load(Ordering::SeqCst));
    }

    #[tokio::test]
    async fn a_task_that_panics_is_finished_with_a_panic_error() {
        let failing =
            tokio::spawn(async { panic!("the model returned nonsense") });
        let error = failing.await.unwrap_err();
        assert!(error.is_panic());
        assert!(!error.is_cancelled());
    }
}
