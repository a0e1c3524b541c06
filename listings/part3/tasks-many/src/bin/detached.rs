//! Tasks outlive their handles, and a panic nobody awaits goes unnoticed.

use std::time::Duration;

use tokio::time::sleep;

// ANCHOR: detached
#[tokio::main(flavor = "current_thread")]
async fn main() {
    // The handle is dropped at once. The task runs anyway: dropping a
    // JoinHandle detaches the task, it does not cancel it.
    drop(tokio::spawn(async {
        sleep(Duration::from_millis(100)).await;
        println!("background: finished, with nobody waiting for me");
    }));

    // Nobody keeps this handle either. The panic message goes to stderr,
    // and that is all: the program carries on and exits with success.
    tokio::spawn(async {
        println!("reporter: starting");
        sleep(Duration::from_millis(150)).await;
        let url = std::env::var("REPORTER_URL").expect("REPORTER_URL is unset");
        println!("reporter: sending to {url}");
    });

    sleep(Duration::from_millis(300)).await;
    println!("main: done, as if nothing went wrong");
}
// ANCHOR_END: detached

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, Ordering};

    use super::*;

    #[tokio::test(start_paused = true)]
    async fn a_task_runs_to_the_end_after_its_handle_is_dropped() {
        let finished = Arc::new(AtomicBool::new(false));
        let flag = finished.clone();
        drop(tokio::spawn(async move {
            sleep(Duration::from_secs(1)).await;
            flag.store(true, Ordering::SeqCst);
        }));
        sleep(Duration::from_secs(2)).await;
        assert!(finished.load(Ordering::SeqCst));
    }

    // ANCHOR: keep
    #[tokio::test]
    async fn a_panic_reaches_whoever_awaits_the_handle() {
        let handle = tokio::spawn(async {
            std::env::var("REPORTER_URL").expect("REPORTER_URL is unset")
        });
        let error = handle.await.unwrap_err();
        assert!(error.is_panic());
        // The panic's payload is the message, which can be logged or re-raised.
        let payload = error.into_panic();
        let message = payload.downcast_ref::<String>().map(String::as_str);
        assert_eq!(message, Some("REPORTER_URL is unset: NotPresent"));
    }
    // ANCHOR_END: keep
}
