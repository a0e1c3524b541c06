use std::time::Duration;

use tokio::signal::unix::{Signal, SignalKind, signal};
use tokio::time::sleep;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

// ANCHOR: worker
/// Waits for work, does it, and stops when `stop` is cancelled. A job
/// once started is finished: only the wait between jobs listens to `stop`.
async fn worker(id: u32, stop: CancellationToken) {
    let mut job = 0;
    loop {
        tokio::select! {
            () = stop.cancelled() => break,
            () = sleep(Duration::from_millis(100)) => {} // work arrives
        }
        job += 1;
        println!("worker {id}: job {job} started");
        sleep(Duration::from_millis(400)).await;
        println!("worker {id}: job {job} done");
    }
    println!("worker {id}: stopped after {job} job(s)");
}
// ANCHOR_END: worker

// ANCHOR: signals
/// Ctrl-C (SIGINT) and SIGTERM, which is what `kill`, systemd, Docker and
/// Kubernetes send. Made once, so that no signal falls between two waits.
struct StopSignals {
    interrupt: Signal,
    terminate: Signal,
}

impl StopSignals {
    fn listen() -> std::io::Result<Self> {
        Ok(StopSignals {
            interrupt: signal(SignalKind::interrupt())?,
            terminate: signal(SignalKind::terminate())?,
        })
    }

    /// Completes at the next signal, and says which one it was.
    async fn next(&mut self) -> &'static str {
        tokio::select! {
            _ = self.interrupt.recv() => "Ctrl-C",
            _ = self.terminate.recv() => "SIGTERM",
        }
    }
}
// ANCHOR_END: signals

// ANCHOR: drain
#[derive(Debug, PartialEq)]
enum Drained {
    Finished,
    DeadlinePassed { left: usize },
    Forced { left: usize },
}

/// Waits for every tracked task, but at most `deadline`, and not at all
/// once `force` (a second signal) completes.
async fn drain(
    tasks: &TaskTracker,
    deadline: Duration,
    force: impl Future,
) -> Drained {
    tasks.close(); // wait() completes once the tracker is closed and empty
    tokio::select! {
        () = tasks.wait() => Drained::Finished,
        () = sleep(deadline) => Drained::DeadlinePassed { left: tasks.len() },
        _ = force => Drained::Forced { left: tasks.len() },
    }
}
// ANCHOR_END: drain

// ANCHOR: main
#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let mut signals = StopSignals::listen()?;
    let stop = CancellationToken::new();
    let tasks = TaskTracker::new();
    for id in 1..=2 {
        tasks.spawn(worker(id, stop.clone()));
    }
    println!("working; Ctrl-C or SIGTERM stops, a second one forces");

    let first = signals.next().await;
    println!("{first}: finishing started jobs (at most 2 s)");
    stop.cancel();
    match drain(&tasks, Duration::from_secs(2), signals.next()).await {
        Drained::Finished => println!("every worker stopped; goodbye"),
        Drained::DeadlinePassed { left } => {
            anyhow::bail!("drain deadline passed, {left} task(s) abandoned")
        }
        Drained::Forced { left } => {
            anyhow::bail!("second signal, {left} task(s) abandoned")
        }
    }
    Ok(())
}
// ANCHOR_END: main

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::time::Instant;

    #[tokio::test(start_paused = true)]
    async fn cancelling_the_token_lets_started_jobs_finish() {
        let stop = CancellationToken::new();
        let tasks = TaskTracker::new();
        tasks.spawn(worker(1, stop.clone()));
        // The job started at 100 ms runs until 500 ms.
        sleep(Duration::from_millis(150)).await;
        let start = Instant::now();
        stop.cancel();
        let drained = drain(&tasks, Duration::from_secs(2), never()).await;
        assert_eq!(drained, Drained::Finished);
        assert_eq!(start.elapsed(), Duration::from_millis(350));
    }

    #[tokio::test(start_paused = true)]
    async fn a_worker_waiting_for_work_stops_at_once() {
        let stop = CancellationToken::new();
        let tasks = TaskTracker::new();
        tasks.spawn(worker(1, stop.clone()));
        sleep(Duration::from_millis(50)).await;
        let start = Instant::now();
        stop.cancel();
        let drained = drain(&tasks, Duration::from_secs(2), never()).await;
        assert_eq!(drained, Drained::Finished);
        assert_eq!(start.elapsed(), Duration::ZERO);
    }

    #[tokio::test(start_paused = true)]
    async fn the_drain_deadline_bounds_a_task_that_ignores_the_token() {
        let tasks = TaskTracker::new();
        tasks.spawn(sleep(Duration::from_secs(60)));
        let start = Instant::now();
        let drained = drain(&tasks, Duration::from_secs(2), never()).await;
        assert_eq!(drained, Drained::DeadlinePassed { left: 1 });
        assert_eq!(start.elapsed(), Duration::from_secs(2));
    }

    #[tokio::test(start_paused = true)]
    async fn a_second_signal_ends_the_drain_early() {
        let tasks = TaskTracker::new();
        tasks.spawn(sleep(Duration::from_secs(60)));
        let start = Instant::now();
        let second = sleep(Duration::from_millis(700));
        let drained = drain(&tasks, Duration::from_secs(2), second).await;
        assert_eq!(drained, Drained::Forced { left: 1 });
        assert_eq!(start.elapsed(), Duration::from_millis(700));
    }

    fn never() -> impl Future {
        std::future::pending::<()>()
    }
}
