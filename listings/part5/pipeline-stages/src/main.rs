use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{Mutex, mpsc};
use tokio::task::JoinSet;
use tokio::time::{Instant, sleep};

/// A line, and how many words it has.
#[derive(Debug, Clone, PartialEq)]
struct Counted {
    line: String,
    words: usize,
}

// ANCHOR: read
/// Stage 1: sends the lines in order. `send` waits while the channel is
/// full, so this stage never runs more than `capacity` lines ahead.
async fn read_lines(
    lines: impl Iterator<Item = String>,
    lines_tx: mpsc::Sender<String>,
) {
    for line in lines {
        if lines_tx.send(line).await.is_err() {
            return; // the next stage has gone: stop reading
        }
    }
}
// ANCHOR_END: read

// ANCHOR: count
/// Stage 2, one of several workers that share one receiver: takes a line,
/// spends 40 ms plus 60 ms a word on it, and passes the count on.
async fn count_words(
    lines_rx: Arc<Mutex<mpsc::Receiver<String>>>,
    counted_tx: mpsc::Sender<Counted>,
) {
    loop {
        // The lock is held only while waiting for the next line.
        let Some(line) = lines_rx.lock().await.recv().await else {
            return; // the channel is closed and empty
        };
        let words = line.split_whitespace().count();
        sleep(Duration::from_millis(40 + 60 * words as u64)).await;
        if counted_tx.send(Counted { line, words }).await.is_err() {
            return;
        }
    }
}
// ANCHOR_END: count

// ANCHOR: start
/// Starts the stages as tasks, joined by channels of `capacity` places,
/// with `workers` copies of stage 2. The caller is the last stage: it
/// reads the counts from the receiver this returns.
fn start(
    lines: impl Iterator<Item = String> + Send + 'static,
    capacity: usize,
    workers: usize,
) -> (mpsc::Receiver<Counted>, JoinSet<()>) {
    let (lines_tx, lines_rx) = mpsc::channel(capacity);
    let (counted_tx, counted_rx) = mpsc::channel(capacity);
    let mut stages = JoinSet::new();
    stages.spawn(read_lines(lines, lines_tx));
    let lines_rx = Arc::new(Mutex::new(lines_rx)); // fan-out
    for _ in 0..workers {
        stages.spawn(count_words(Arc::clone(&lines_rx), counted_tx.clone()));
    }
    // Only the workers' clones are left (fan-in): when the last worker
    // returns, the channel closes and the last stage sees `None`.
    drop(counted_tx);
    (counted_rx, stages)
}
// ANCHOR_END: start

fn line_of(words: usize) -> String {
    vec!["word"; words].join(" ")
}

// ANCHOR: main
#[tokio::main]
async fn main() {
    let begin = Instant::now();
    let lines = [1, 3, 5, 2, 4].map(line_of).into_iter();
    let (mut counted_rx, stages) = start(lines, 2, 3);
    let mut total = 0;
    // Stage 3: 80 ms for each count it stores.
    while let Some(counted) = counted_rx.recv().await {
        sleep(Duration::from_millis(80)).await;
        println!("counted {:?}: {}", counted.line, counted.words);
        total += counted.words;
    }
    stages.join_all().await;
    println!("{total} words in {:.1?}", begin.elapsed());
}
// ANCHOR_END: main

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};

    /// Lines of one word each, `count` of them, and the peak number of
    /// lines read but not yet finished by the last stage.
    struct Watched {
        read: Arc<AtomicUsize>,
        finished: Arc<AtomicUsize>,
        peak: Arc<AtomicUsize>,
    }

    impl Watched {
        fn new() -> Self {
            Watched {
                read: Arc::default(),
                finished: Arc::default(),
                peak: Arc::default(),
            }
        }

        fn lines(
            &self,
            count: usize,
        ) -> impl Iterator<Item = String> + Send + use<> {
            let (read, finished) = (self.read.clone(), self.finished.clone());
            let peak = self.peak.clone();
            (0..count).map(move |_| {
                let in_flight =
                    read.fetch_add(1, SeqCst) + 1 - finished.load(SeqCst);
                peak.fetch_max(in_flight, SeqCst);
                line_of(1)
            })
        }
    }

    /// The last stage: `per_item` for each count, then one more finished.
    async fn drain(
        mut counted_rx: mpsc::Receiver<Counted>,
        per_item: Duration,
        w: &Watched,
    ) {
        while let Some(counted) = counted_rx.recv().await {
            assert_eq!(counted.words, 1);
            sleep(per_item).await;
            w.finished.fetch_add(1, SeqCst);
        }
    }

    #[tokio::test(start_paused = true)]
    async fn a_slow_last_stage_holds_back_the_reader() {
        let watched = Watched::new();
        let (counted_rx, stages) = start(watched.lines(100), 4, 3);
        drain(counted_rx, Duration::from_millis(100), &watched).await;
        stages.join_all().await;
        assert_eq!(watched.finished.load(SeqCst), 100);
        // The reader's line, 4 in the first channel, one in each of the 3
        // workers, 4 in the second channel, one in the last stage.
        assert_eq!(watched.peak.load(SeqCst), 1 + 4 + 3 + 4 + 1);
    }

    #[tokio::test(start_paused = true)]
    async fn without_a_bound_the_reader_runs_ahead_of_everything() {
        let watched = Watched::new();
        let (counted_rx, stages) = start(watched.lines(100), 1000, 3);
        drain(counted_rx, Duration::from_millis(100), &watched).await;
        stages.join_all().await;
        assert_eq!(watched.peak.load(SeqCst), 100);
    }

    #[tokio::test(start_paused = true)]
    async fn three_workers_count_three_lines_at_a_time() {
        for (workers, expected_ms) in [(1, 1200), (3, 400)] {
            let watched = Watched::new();
            let begin = Instant::now();
            let (counted_rx, stages) = start(watched.lines(12), 4, workers);
            drain(counted_rx, Duration::ZERO, &watched).await;
            stages.join_all().await;
            // 12 lines of 100 ms each, shared between the workers.
            assert_eq!(begin.elapsed(), Duration::from_millis(expected_ms));
        }
    }

    #[tokio::test(start_paused = true)]
    async fn every_line_is_counted_once() {
        let lines = (1..=20).map(line_of);
        let (mut counted_rx, stages) = start(lines, 2, 3);
        let mut words = Vec::new();
        while let Some(counted) = counted_rx.recv().await {
            assert_eq!(counted.line, line_of(counted.words));
            words.push(counted.words);
        }
        stages.join_all().await;
        words.sort();
        assert_eq!(words, (1..=20).collect::<Vec<_>>());
    }
}
