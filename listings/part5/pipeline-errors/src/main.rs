use std::time::Duration;

use anyhow::Context;
use tokio::sync::mpsc;
use tokio::task::JoinSet;
use tokio::time::{Instant, sleep};

// ANCHOR: stages
/// Stage 1: reads a line every 10 ms and sends it on.
async fn read(lines: Vec<&str>, lines_tx: mpsc::Sender<String>) -> Stage {
    for line in lines {
        sleep(Duration::from_millis(10)).await;
        let sent = lines_tx.send(line.to_string()).await;
        sent.context("the parser has stopped")?;
    }
    Ok("read every line".to_string())
}

/// Stage 2: parses each line as a number; fails on the first that is not.
async fn parse(
    mut lines_rx: mpsc::Receiver<String>,
    numbers_tx: mpsc::Sender<u64>,
) -> Stage {
    while let Some(line) = lines_rx.recv().await {
        let number =
            line.parse().with_context(|| format!("bad line {line:?}"))?;
        numbers_tx
            .send(number)
            .await
            .context("the adder has stopped")?;
    }
    Ok("parsed every line".to_string())
}

/// Stage 3, the slow one: 50 ms for each number it adds.
async fn add(mut numbers_rx: mpsc::Receiver<u64>) -> Stage {
    let mut total = 0;
    while let Some(number) = numbers_rx.recv().await {
        sleep(Duration::from_millis(50)).await;
        total += number;
    }
    Ok(format!("total {total}"))
}

/// What a stage says when it ends.
type Stage = anyhow::Result<String>;
type Ended = (Duration, &'static str, Stage);
// ANCHOR_END: stages

// ANCHOR: in_tasks
/// Each stage in a task. A stage that fails drops its ends of the channels,
/// and the others stop when they notice: the reader at its next `send`, the
/// adder once it has added what was already sent.
/// Returns how each stage ended, and when, in the order they ended.
async fn run_in_tasks(lines: Vec<&'static str>) -> Vec<Ended> {
    let start = Instant::now();
    let (lines_tx, lines_rx) = mpsc::channel(2);
    let (numbers_tx, numbers_rx) = mpsc::channel(2);
    let mut stages = JoinSet::new();
    stages.spawn(async move { ("read", read(lines, lines_tx).await) });
    stages.spawn(async move { ("parse", parse(lines_rx, numbers_tx).await) });
    stages.spawn(async move { ("add", add(numbers_rx).await) });
    let mut ended = Vec::new();
    while let Some(stage) = stages.join_next().await {
        let (name, result) = stage.expect("a stage panicked");
        ended.push((start.elapsed(), name, result));
    }
    ended
}
// ANCHOR_END: in_tasks

// ANCHOR: joined
/// The three stages as futures of one task: `try_join!` returns the first
/// error at once, and drops (cancels) the other two stages.
async fn run_joined(lines: Vec<&str>) -> anyhow::Result<String> {
    let (lines_tx, lines_rx) = mpsc::channel(2);
    let (numbers_tx, numbers_rx) = mpsc::channel(2);
    let (_, _, total) = tokio::try_join!(
        read(lines, lines_tx),
        parse(lines_rx, numbers_tx),
        add(numbers_rx),
    )?;
    Ok(total)
}
// ANCHOR_END: joined

const LINES: [&str; 6] = ["1", "2", "3", "x", "5", "6"];

// ANCHOR: main
#[tokio::main]
async fn main() {
    for (at, stage, ended) in run_in_tasks(LINES.into()).await {
        let at = at.as_secs_f64();
        match ended {
            Ok(said) => println!("{at:.2}s {stage}: {said}"),
            Err(error) => println!("{at:.2}s {stage} failed: {error:#}"),
        }
    }
    let start = Instant::now();
    let joined = run_joined(LINES.into()).await;
    let at = start.elapsed().as_secs_f64();
    println!("{at:.2}s try_join! failed: {:#}", joined.unwrap_err());
}
// ANCHOR_END: main

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn good_lines_are_added_up() {
        let ended = run_in_tasks(vec!["1", "2", "3"]).await;
        let add = ended.iter().find(|(_, stage, _)| *stage == "add").unwrap();
        assert_eq!(add.2.as_ref().unwrap(), "total 6");
        assert_eq!(run_joined(vec!["1", "2", "3"]).await.unwrap(), "total 6");
    }

    #[tokio::test(start_paused = true)]
    async fn a_failing_stage_stops_the_others_through_the_channels() {
        let ended = run_in_tasks(LINES.into()).await;
        let said: Vec<(u64, &str, String)> = ended
            .into_iter()
            .map(|(at, stage, ended)| {
                let ms = at.as_millis() as u64;
                match ended {
                    Ok(said) => (ms, stage, said),
                    Err(error) => (ms, stage, format!("{error:#}")),
                }
            })
            .collect();
        let bad = r#"bad line "x": invalid digit found in string"#;
        let closed = "the parser has stopped: channel closed";
        assert_eq!(
            said,
            [
                // The bad line is read at 40 ms.
                (40, "parse", bad.to_string()),
                // The reader's next send, 10 ms later, finds it gone.
                (50, "read", closed.to_string()),
                // What was sent before the bad line is still added up:
                // three numbers of 50 ms each, from 10 ms on.
                (160, "add", "total 6".to_string()),
            ]
        );
    }

    #[tokio::test(start_paused = true)]
    async fn try_join_stops_everything_at_the_first_error() {
        let start = Instant::now();
        let error = run_joined(LINES.into()).await.unwrap_err();
        assert_eq!(format!("{error}"), r#"bad line "x""#);
        // The bad line is read at 40 ms; the adder is dropped mid-sum.
        assert_eq!(start.elapsed(), Duration::from_millis(40));
    }
}
