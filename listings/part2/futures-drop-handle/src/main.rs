use std::time::Duration;
use tokio::time::{Instant, sleep};

// ANCHOR: mistake
#[tokio::main(flavor = "current_thread")]
async fn main() {
    let start = Instant::now();
    let downloader = tokio::spawn(async {
        for chunk in 1..=3 {
            sleep(Duration::from_millis(300)).await;
            println!("downloader: chunk {chunk} saved");
        }
    });

    // A mistake on purpose: dropping the handle does not stop the task.
    drop(downloader);
    println!(
        "main: dropped the handle, so the download is cancelled... or is it?"
    );

    sleep(Duration::from_millis(1500)).await;
    println!("main: done after {:.1?}", start.elapsed());
}
// ANCHOR_END: mistake

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicU32, Ordering};
    use std::time::Duration;
    use tokio::time::sleep;

    async fn download(chunks: Arc<AtomicU32>) {
        for _ in 0..3 {
            sleep(Duration::from_millis(300)).await;
            chunks.fetch_add(1, Ordering::SeqCst);
        }
    }

    #[tokio::test(start_paused = true)]
    async fn a_dropped_handle_detaches_the_task_it_does_not_cancel_it() {
        let chunks = Arc::new(AtomicU32::new(0));
        drop(tokio::spawn(download(chunks.clone())));
        sleep(Duration::from_secs(1)).await;
        assert_eq!(chunks.load(Ordering::SeqCst), 3);
    }

    #[tokio::test(start_paused = true)]
    async fn abort_is_what_stops_it() {
        let chunks = Arc::new(AtomicU32::new(0));
        let handle = tokio::spawn(download(chunks.clone()));
        sleep(Duration::from_millis(400)).await;
        handle.abort();
        sleep(Duration::from_secs(1)).await;
        assert_eq!(chunks.load(Ordering::SeqCst), 1);
    }
}
