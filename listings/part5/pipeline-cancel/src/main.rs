use std::time::Duration;

use tokio::sync::mpsc;
use tokio::task::JoinSet;
use tokio::time::{Instant, sleep};
use tokio_util::sync::CancellationToken;

// ANCHOR: parse
/// Stage 1: parses the lines that come in, until the input closes or `stop`
/// is cancelled. Dropping `numbers_tx` on the way out closes the next stage.
async fn parse(
    mut lines_rx: mpsc::Receiver<String>,
    numbers_tx: mpsc::Sender<u64>,
    stop: CancellationToken,
) {
    loop {
        let line = tokio::select! {
            biased; // look at `stop` first, every time round
            _ = stop.cancelled() => return,
            line = lines_rx.recv() => match line {
                Some(line) => line,
                None => return,
            },
        };
        let Ok(number) = line.trim().parse() else {
            continue; // this listing skips bad lines
        };
        if numbers_tx.send(number).await.is_err() {
            return;
        }
    }
}
// ANCHOR_END: parse

// ANCHOR: run
/// Stage 2 adds slowly (100 ms a number). Cancelling `stop` ends stage 1
/// and the adder finishes what is already on its way; dropping the future
/// of `run` drops the `JoinSet`, which aborts both stages at once.
async fn run(lines_rx: mpsc::Receiver<String>, stop: CancellationToken) -> u64 {
    let (numbers_tx, mut numbers_rx) = mpsc::channel(2);
    let mut stages = JoinSet::new();
    stages.spawn(async move {
        parse(lines_rx, numbers_tx, stop).await;
        0
    });
    stages.spawn(async move {
        let mut total = 0;
        while let Some(number) = numbers_rx.recv().await {
            sleep(Duration::from_millis(100)).await;
            total += number;
        }
        total
    });
    stages.join_all().await.into_iter().sum()
}
// ANCHOR_END: run

// ANCHOR: main
#[tokio::main]
async fn main() {
    let start = Instant::now();
    let (lines_tx, lines_rx) = mpsc::channel(4);
    tokio::spawn(async move {
        for n in 1.. {
            sleep(Duration::from_millis(20)).await;
            if lines_tx.send(n.to_string()).await.is_err() {
                return; // the pipeline has stopped taking lines
            }
        }
    });
    let stop = CancellationToken::new();
    let stopper = stop.clone();
    tokio::spawn(async move {
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            _ = sleep(Duration::from_millis(170)) => {}
        }
        println!("{:.2}s cancelled", start.elapsed().as_secs_f64());
        stopper.cancel();
    });
    let total = run(lines_rx, stop).await;
    let at = start.elapsed().as_secs_f64();
    println!("{at:.2}s the adder is done: total {total}");
}
// ANCHOR_END: main

#[cfg(test)]
mod tests {
    use super::*;

    /// Sends "1" every 20 ms, from 20 ms on, for as long as it is taken.
    fn feed_ones() -> (mpsc::Sender<String>, mpsc::Receiver<String>) {
        let (lines_tx, lines_rx) = mpsc::channel(4);
        let feeder = lines_tx.clone();
        tokio::spawn(async move {
            loop {
                sleep(Duration::from_millis(20)).await;
                if feeder.send("1".to_string()).await.is_err() {
                    return;
                }
            }
        });
        (lines_tx, lines_rx)
    }

    #[tokio::test(start_paused = true)]
    async fn all_lines_are_added_when_the_input_closes() {
        let (lines_tx, lines_rx) = mpsc::channel(4);
        for line in ["1", "2", "x", "3"] {
            lines_tx.send(line.to_string()).await.unwrap();
        }
        drop(lines_tx);
        let start = Instant::now();
        assert_eq!(run(lines_rx, CancellationToken::new()).await, 6);
        assert_eq!(start.elapsed(), Duration::from_millis(300));
    }

    #[tokio::test(start_paused = true)]
    async fn cancelling_stops_the_input_and_drains_the_rest() {
        let (_lines_tx, lines_rx) = feed_ones();
        let stop = CancellationToken::new();
        let stopper = stop.clone();
        tokio::spawn(async move {
            sleep(Duration::from_millis(170)).await;
            stopper.cancel();
        });
        let start = Instant::now();
        let total = run(lines_rx, stop).await;
        // At 170 ms the parser is waiting for room to send line 5; it gets
        // it at 220 ms and only then sees `stop`. The adder, busy from 20 ms
        // on, adds its five numbers at 100 ms each.
        assert_eq!(total, 5);
        assert_eq!(start.elapsed(), Duration::from_millis(520));
    }

    #[tokio::test(start_paused = true)]
    async fn dropping_the_pipeline_aborts_its_stages() {
        let (lines_tx, lines_rx) = feed_ones();
        let start = Instant::now();
        let pipeline = run(lines_rx, CancellationToken::new());
        let gave_up =
            tokio::time::timeout(Duration::from_millis(100), pipeline);
        assert!(gave_up.await.is_err());
        // The receiver went with the aborted stage: the input is closed now.
        let closed = lines_tx.closed();
        let in_a_second = tokio::time::timeout(Duration::from_secs(1), closed);
        assert!(in_a_second.await.is_ok(), "a stage is still running");
        assert_eq!(start.elapsed(), Duration::from_millis(100));
    }
}
