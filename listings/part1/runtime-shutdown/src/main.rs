use std::time::Duration;

use tokio::signal::unix::{Signal, SignalKind, signal};
use tokio::task::{JoinError, JoinSet};
use tokio::time::{interval, sleep, timeout};

// ANCHOR: job
/// A job that takes half a second. Every third one fails: its input is
/// missing (a stand-in for the errors real jobs meet).
async fn handle_job(id: u32) -> anyhow::Result<()> {
    println!("job {id}: started");
    sleep(Duration::from_millis(500)).await;
    if id.is_multiple_of(3) {
        anyhow::bail!("job {id}: its input is missing");
    }
    println!("job {id}: done");
    Ok(())
}
// ANCHOR_END: job

// ANCHOR: report
#[derive(Debug, Default, PartialEq)]
struct Report {
    done: u32,
    failed: u32,
    abandoned: usize,
}

impl Report {
    /// Counts one finished job. A failed job is reported and counted; it
    /// does not stop the others (a `?` here would drop the `JoinSet`, and
    /// dropping a `JoinSet` aborts every job still in it).
    fn record(&mut self, finished: Result<anyhow::Result<()>, JoinError>) {
        match finished {
            Ok(Ok(())) => self.done += 1,
            Ok(Err(error)) => {
                println!("{error}");
                self.failed += 1;
            }
            Err(panicked) => {
                println!("a job panicked: {panicked}");
                self.failed += 1;
            }
        }
    }
}
// ANCHOR_END: report

// ANCHOR: serve
/// Takes on a new job every 200 ms until `shutdown` completes. Returns
/// the jobs still in flight, and the report on those already finished.
async fn take_jobs(
    shutdown: impl Future<Output = ()>,
) -> (JoinSet<anyhow::Result<()>>, Report) {
    let mut in_flight = JoinSet::new();
    let mut report = Report::default();
    let mut new_job = interval(Duration::from_millis(200));
    let mut next_id = 1;
    tokio::pin!(shutdown);

    loop {
        tokio::select! {
            // Look at the branches in this order: shutdown first, so that
            // no job starts once a stop signal is in (and so that the signal
            // is listened for before job 1).
            biased;
            () = &mut shutdown => return (in_flight, report),
            Some(finished) = in_flight.join_next() => report.record(finished),
            _ = new_job.tick() => {
                in_flight.spawn(handle_job(next_id));
                next_id += 1;
            }
        }
    }
}
// ANCHOR_END: serve

// ANCHOR: drain
/// Finishes the jobs in flight, but waits at most `deadline`, and not at
/// all once `force` completes (a second signal).
async fn drain(
    mut in_flight: JoinSet<anyhow::Result<()>>,
    mut report: Report,
    deadline: Duration,
    force: impl Future<Output = ()>,
) -> Report {
    println!("shutdown 1/3: no new jobs");
    println!(
        "shutdown 2/3: finishing {} job(s) in flight (at most {deadline:?})",
        in_flight.len()
    );
    let finish_all = async {
        while let Some(finished) = in_flight.join_next().await {
            report.record(finished);
        }
    };
    let outcome = tokio::select! {
        result = timeout(deadline, finish_all) => match result {
            Ok(()) => "every job finished",
            Err(_) => "deadline passed",
        },
        () = force => "second signal",
    };
    // Dropping the set here aborts whatever is still in it.
    report.abandoned = in_flight.len();
    println!("shutdown 3/3: {outcome}");
    report
}
// ANCHOR_END: drain

// ANCHOR: signals
/// Ctrl-C (SIGINT) and SIGTERM, the signal that `kill`, systemd, Docker
/// and Kubernetes send. Made once, so that no signal falls between waits.
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

    /// Completes at the next signal of either kind.
    async fn next(&mut self) {
        tokio::select! {
            _ = self.interrupt.recv() => {}
            _ = self.terminate.recv() => {}
        }
    }
}
// ANCHOR_END: signals

// ANCHOR: main
#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let mut signals = StopSignals::listen()?;
    println!("taking jobs; Ctrl-C or SIGTERM stops, a second one forces");
    let (in_flight, report) = take_jobs(signals.next()).await;
    let deadline = Duration::from_secs(2);
    let report = drain(in_flight, report, deadline, signals.next()).await;
    println!(
        "goodbye: {} job(s) done, {} failed, {} abandoned",
        report.done, report.failed, report.abandoned
    );
    if report.abandoned > 0 {
        anyhow::bail!("stopped before every job had finished");
    }
    Ok(())
}
// ANCHOR_END: main

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::time::Instant;

    const DEADLINE: Duration = Duration::from_secs(2);

    fn never() -> impl Future<Output = ()> {
        std::future::pending()
    }

    #[tokio::test(start_paused = true)]
    async fn shutdown_starts_no_new_job_and_finishes_the_ones_in_flight() {
        let start = Instant::now();
        // Jobs start at 0, 200, 400 and 600 ms; job 1 is done at 500 ms.
        let (in_flight, report) =
            take_jobs(sleep(Duration::from_millis(650))).await;
        assert_eq!(in_flight.len(), 3, "jobs 2, 3 and 4 are in flight");
        let report = drain(in_flight, report, DEADLINE, never()).await;
        // Job 3 fails at 900 ms; job 4, started at 600 ms, still finishes.
        let expected = Report {
            done: 3,
            failed: 1,
            abandoned: 0,
        };
        assert_eq!(report, expected);
        // Job 4 ends at 1,100 ms; a fifth would have started at 800 ms.
        assert_eq!(start.elapsed(), Duration::from_millis(1100));
    }

    #[tokio::test(start_paused = true)]
    async fn the_drain_deadline_abandons_what_is_still_running() {
        let start = Instant::now();
        let (in_flight, report) =
            take_jobs(sleep(Duration::from_millis(650))).await;
        // Job 2 ends at 700 ms, job 3 fails at 900; job 4 would end at 1,100.
        let deadline = Duration::from_millis(350);
        let report = drain(in_flight, report, deadline, never()).await;
        let expected = Report {
            done: 2,
            failed: 1,
            abandoned: 1,
        };
        assert_eq!(report, expected);
        assert_eq!(start.elapsed(), Duration::from_millis(1000));
    }

    #[tokio::test(start_paused = true)]
    async fn a_second_signal_abandons_the_jobs_at_once() {
        let start = Instant::now();
        let (in_flight, report) =
            take_jobs(sleep(Duration::from_millis(650))).await;
        let second = sleep(Duration::from_millis(10));
        let report = drain(in_flight, report, DEADLINE, second).await;
        let expected = Report {
            done: 1,
            failed: 0,
            abandoned: 3,
        };
        assert_eq!(report, expected);
        assert_eq!(start.elapsed(), Duration::from_millis(660));
    }
}
